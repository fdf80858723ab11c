import type { DataSource } from 'typeorm';
import { ClusterBus, RedisService } from '@app/core';
import type { AgentRun } from '../entities/agent-run.entity.js';
import type { ToolStep } from '../entities/run-step.js';
import { RunEventFollower } from './run-event-follower.js';
import { RunEventLog } from './run-event-log.js';
import type { LoggedRunEvent } from './run-stream-events.js';

const usage = { inputTokens: 1, outputTokens: 2, totalTokens: 3 };
const toolStep = (callId: string, result: unknown): ToolStep => ({
  type: 'tool',
  index: 2,
  turn: 1,
  startedAt: '2026-11-24T12:00:00Z',
  durationMs: 1,
  callId,
  name: 'http_request',
  arguments: { url: 'https://example.com', apiKey: 'sk-secret' },
  result,
  isError: false,
  errorCode: null,
  invocationId: null,
  cached: false,
});

describe('RunEventLog and RunEventFollower (embedded: memory and the in-process bus)', () => {
  let rows: Map<string, Partial<AgentRun>>;
  let log: RunEventLog;
  let follower: RunEventFollower;

  beforeEach(() => {
    rows = new Map();
    const bus = new ClusterBus(new RedisService({ url: undefined, keyPrefix: 'test:', connectTimeoutMs: 100 }));
    log = new RunEventLog({ heartbeatMs: 10_000, staleAfterMs: 30_000, eventsTtlMs: 60_000, shutdownGraceMs: 1000, maxDepth: 3, runMaxSteps: 100, runMaxTokens: 1_000_000 }, { resultMaxBytes: 40 } as never, new RedisService({ url: undefined, keyPrefix: 'test:', connectTimeoutMs: 100 }), bus);
    log.onModuleInit();
    const dataSource = { getRepository: () => ({ findOneBy: async ({ id }: { id: string }) => rows.get(id) ?? null }) } as unknown as DataSource;
    follower = new RunEventFollower(log, dataSource, { stopped: Promise.resolve() } as never);
  });
  afterEach(() => follower.onModuleDestroy());

  async function collect(runId: string, afterId = 0): Promise<LoggedRunEvent[]> {
    const events: LoggedRunEvent[] = [];
    for await (const logged of follower.follow(runId, afterId)) events.push(logged);
    return events;
  }

  it('numbers the events followers get, in order even when emitted at once, kept as steps are kept', async () => {
    const writer = log.writerFor('run-1');
    await writer([{ type: 'run.started', runId: 'run-1', input: 'hi' }]);
    await writer([{ type: 'model.finished', runId: 'run-1', step: { type: 'model', index: 1, turn: 1, startedAt: '', durationMs: 1, content: '', toolCalls: [], usage: null, finishReason: null } }]);
    await Promise.all([
      writer([{ type: 'tool.started', runId: 'run-1', turn: 1, callId: 'a', name: 'http_request', arguments: { token: 'secret-token' } }]),
      writer([{ type: 'tool.finished', runId: 'run-1', step: toolStep('a', { body: 'x'.repeat(100) }) }]),
    ]);
    // A batch: numbered in order, written together.
    await writer([
      { type: 'message.delta', runId: 'run-1', turn: 2, delta: 'done' },
      { type: 'run.completed', runId: 'run-1', output: 'done', usage },
    ]);

    const events = await collect('run-1');

    expect(events.map(({ id, event }) => [id, event.type])).toEqual([[1, 'run.started'], [2, 'tool.started'], [3, 'tool.finished'], [4, 'message.delta'], [5, 'run.completed']]);
    expect(events[1].event).toMatchObject({ arguments: { token: '[redacted]' } });
    expect(events[2].event).toMatchObject({ step: { arguments: { apiKey: '[redacted]' }, result: { truncated: true } } });
    expect((await collect('run-1', 2)).map(({ id }) => id)).toEqual([3, 4, 5]);
    expect(await collect('run-1', 5)).toEqual([]);
  });

  it('follows live: events appended after the follower caught up reach it at once', async () => {
    rows.set('run-2', { id: 'run-2', status: 'running', finishedAt: null });
    const writer = log.writerFor('run-2');
    await writer([{ type: 'run.started', runId: 'run-2', input: 'hi' }]);
    const following = collect('run-2');
    await new Promise((resolve) => setTimeout(resolve, 20));
    await writer([{ type: 'message.delta', runId: 'run-2', turn: 1, delta: 'Hel' }]);
    await writer([{ type: 'run.failed', runId: 'run-2', status: 'cancelled', code: 'RUN_CANCELLED', message: 'The run was cancelled.', usage }]);
    const started = Date.now();

    expect((await following).map(({ event }) => event.type)).toEqual(['run.started', 'message.delta', 'run.failed']);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('ends with the terminal event rebuilt from the row when the log has none of a run that ended a while ago', async () => {
    rows.set('run-3', { id: 'run-3', status: 'failed', errorCode: 'INSTANCE_LOST', errorMessage: 'lost', output: null, inputTokens: 5, outputTokens: 1, totalTokens: 6, finishedAt: new Date(Date.now() - 60_000) });

    expect(await collect('run-3', 7)).toEqual([
      { id: 8, event: { type: 'run.failed', runId: 'run-3', status: 'failed', code: 'INSTANCE_LOST', message: 'lost', usage: { inputTokens: 5, outputTokens: 1, totalTokens: 6 } } },
    ]);
    expect(await collect('no-such-run')).toEqual([]);
  });
});
