import type { RunEvent } from './run-events.js';
import { writeBehind } from './write-behind-sink.js';

const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
const delta = (text: string): RunEvent => ({ type: 'message.delta', runId: 'r', turn: 1, delta: text });
const completed: RunEvent = { type: 'run.completed', runId: 'r', output: 'done', usage };
const named = (event: RunEvent) => (event.type === 'message.delta' ? event.delta : event.type);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('writeBehind', () => {
  it('lets the run go on while events are written in order, and holds the last event until all are written', async () => {
    const written: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sink = writeBehind(async (events) => {
      for (const event of events) {
        if (named(event) === 'a') await gate;
        written.push(named(event));
      }
    });

    await sink.emit(delta('a'));
    await sink.emit(delta('b'));
    let over = false;
    const last = sink.emit(completed).then(() => (over = true));
    await sleep(10);
    expect([written, over]).toEqual([[], false]);

    release();
    await last;
    expect(written).toEqual(['a', 'b', 'run.completed']);
  });

  it('fails the next emit after a write failed, and writes nothing more', async () => {
    const written: RunEvent[] = [];
    const sink = writeBehind(async (events) => {
      if (events.some((event) => named(event) === 'bad')) throw new Error('database gone');
      written.push(...events);
    });

    await sink.emit(delta('bad'));
    await sleep(10);
    await expect(sink.emit(delta('next'))).rejects.toThrow('database gone');
    await expect(sink.emit(completed)).rejects.toThrow('database gone');
    expect(written).toEqual([]);
  });

  it('writes pauseMs after the first event, or at once when the last comes, what arrived meanwhile together', async () => {
    const batches: string[][] = [];
    const sink = writeBehind(async (events) => void batches.push(events.map(named)), 50);

    await sink.emit(delta('a'));
    await sink.emit(delta('b'));
    await sleep(10);
    expect(batches).toEqual([]);
    await sleep(60);
    expect(batches).toEqual([['a', 'b']]);

    await sink.emit(delta('c'));
    const started = performance.now();
    await sink.emit(completed);
    expect(batches).toEqual([['a', 'b'], ['c', 'run.completed']]);
    expect(performance.now() - started).toBeLessThan(40);
  });

  it('writes what arrives during a write as the next batch', async () => {
    const batches: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sink = writeBehind(async (events) => {
      batches.push(events.map(named));
      if (batches.length === 1) await gate;
    });

    await sink.emit(delta('a'));
    await sleep(10);
    await sink.emit(delta('b'));
    const last = sink.emit(completed);
    release();
    await last;
    expect(batches).toEqual([['a'], ['b', 'run.completed']]);
  });
});
