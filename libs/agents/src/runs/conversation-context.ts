import { AIMessage, HumanMessage, ToolMessage, type BaseMessage } from '@langchain/core/messages';
import type { Message } from '@app/history';

/**
 * Earlier messages of a conversation as chat messages every provider accepts. The window of recent messages may start
 * inside a tool exchange, and a run that stopped mid-turn leaves calls unanswered: providers refuse both, so an
 * assistant message keeps its tool calls only when each is answered in the window, and a tool message only when it
 * answers a call kept. System messages are left out: the agent's own system prompt leads every run.
 */
export function conversationHistory(messages: readonly Message[], modelName: (registryName: string) => string): BaseMessage[] {
  const answered = new Set(messages.filter((message) => message.role === 'tool' && message.toolCallId).map((message) => message.toolCallId!));
  const kept = new Set<string>();
  const history: BaseMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user':
        history.push(new HumanMessage(message.content));
        break;
      case 'assistant': {
        const calls = message.toolCalls ?? [];
        if (calls.length > 0 && calls.every((call) => answered.has(call.id))) {
          for (const call of calls) kept.add(call.id);
          const toolCalls = calls.map((call) => ({ id: call.id, name: modelName(call.name), args: call.args, type: 'tool_call' as const }));
          history.push(new AIMessage({ content: message.content, tool_calls: toolCalls }));
        } else if (message.content) {
          history.push(new AIMessage(message.content));
        }
        break;
      }
      case 'tool':
        if (message.toolCallId && kept.has(message.toolCallId)) history.push(new ToolMessage({ tool_call_id: message.toolCallId, content: message.content }));
        break;
      case 'system':
        break;
    }
  }
  return history;
}
