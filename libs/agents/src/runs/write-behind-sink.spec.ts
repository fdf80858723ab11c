import type { RunEvent } from './run-events.js';
import { writeBehind } from './write-behind-sink.js';

const usage = { inputTokens: 0, outputTokens: 0, totalTokens: 0 };
const delta = (text: string): RunEvent => ({ type: 'message.delta', runId: 'r', turn: 1, delta: text });
const completed: RunEvent = { type: 'run.completed', runId: 'r', output: 'done', usage };

describe('writeBehind', () => {
  it('lets the run go on while events are written in order, and holds the last event until all are written', async () => {
    const written: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sink = writeBehind({
      emit: async (event) => {
        if (event.type === 'message.delta' && event.delta === 'a') await gate;
        written.push(event.type === 'message.delta' ? event.delta : event.type);
      },
    });

    await sink.emit(delta('a'));
    await sink.emit(delta('b'));
    let over = false;
    const last = sink.emit(completed).then(() => (over = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect([written, over]).toEqual([[], false]);

    release();
    await last;
    expect(written).toEqual(['a', 'b', 'run.completed']);
  });

  it('fails the next emit after a write failed, and writes nothing more', async () => {
    const written: RunEvent[] = [];
    const sink = writeBehind({
      emit: async (event) => {
        if (event.type === 'message.delta' && event.delta === 'bad') throw new Error('database gone');
        written.push(event);
      },
    });

    await sink.emit(delta('bad'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    await expect(sink.emit(delta('next'))).rejects.toThrow('database gone');
    await expect(sink.emit(completed)).rejects.toThrow('database gone');
    expect(written).toEqual([]);
  });

  it('starts writing pauseMs after the first event, or at once when the last event comes', async () => {
    const written: string[] = [];
    const sink = writeBehind({ emit: async (event) => void written.push(event.type === 'message.delta' ? event.delta : event.type) }, 50);

    await sink.emit(delta('a'));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(written).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(written).toEqual(['a']);

    await sink.emit(delta('b'));
    const started = performance.now();
    await sink.emit(completed);
    expect(written).toEqual(['a', 'b', 'run.completed']);
    expect(performance.now() - started).toBeLessThan(40);
  });
});
