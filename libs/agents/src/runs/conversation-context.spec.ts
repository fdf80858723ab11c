import type { Message, MessageRole, MessageToolCall } from '@app/history';
import { conversationHistory } from './conversation-context.js';

let sequence = 0;
function message(role: MessageRole, content: string, extra: { toolCalls?: MessageToolCall[]; toolCallId?: string } = {}): Message {
  return { id: `m${++sequence}`, conversationId: 'c', sequence, role, content, toolCalls: extra.toolCalls ?? null, toolCallId: extra.toolCallId ?? null, tokenUsage: null, createdAt: new Date() };
}

describe('conversationHistory', () => {
  const modelName = (name: string) => name.replace(/\./g, '_');

  it('replays questions, answers and complete tool exchanges under the names the model knows', () => {
    const history = conversationHistory(
      [
        message('system', 'ignored'),
        message('user', 'sum 1 and 2'),
        message('assistant', '', { toolCalls: [{ id: 't1', name: 'math.add', args: { a: 1, b: 2 } }] }),
        message('tool', '{"value":3}', { toolCallId: 't1' }),
        message('assistant', '3'),
      ],
      modelName,
    );
    expect(history.map((entry) => entry.type)).toEqual(['human', 'ai', 'tool', 'ai']);
    expect(history[1]).toMatchObject({ tool_calls: [{ id: 't1', name: 'math_add', args: { a: 1, b: 2 } }] });
  });

  it('drops tool messages whose call fell out of the window and calls a stopped run left unanswered', () => {
    const history = conversationHistory(
      [
        message('tool', '{"value":1}', { toolCallId: 'gone' }),
        message('user', 'again'),
        message('assistant', 'Let me check.', { toolCalls: [{ id: 't2', name: 'calculator', args: {} }, { id: 't3', name: 'calculator', args: {} }] }),
        message('tool', '{"value":2}', { toolCallId: 't2' }),
        message('assistant', '', { toolCalls: [{ id: 't4', name: 'calculator', args: {} }] }),
      ],
      modelName,
    );
    expect(history.map((entry) => [entry.type, entry.text])).toEqual([
      ['human', 'again'],
      ['ai', 'Let me check.'],
    ]);
    expect(history[1]).toMatchObject({ tool_calls: [] });
  });
});
