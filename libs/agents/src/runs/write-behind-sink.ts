import type { RunEvent, RunEventSink } from './run-events.js';

/** Persists events in the order given; a store that can writes them together. */
export type RunEventWriter = (events: readonly RunEvent[]) => Promise<void>;

const isLast = (event: RunEvent) => event.type === 'run.completed' || event.type === 'run.failed';

/**
 * Lets a run go on while `write` persists its events: they are written in order behind it, the run's last event waits
 * for all of them (so a run is only over once everything it reported is written), and a write that failed fails the
 * run's next emit, as it would have failed the write itself.
 *
 * Writing starts `pauseMs` after the first event that found the writer idle (after the ready callbacks when 0), or at
 * once when the run's last event comes, and the events that arrived meanwhile are written together. On the embedded
 * database a query runs on the event loop the run uses: a turn's writes started before its next model request is on
 * the wire (a few event-loop turns) would add to every turn's latency instead of overlapping the model's.
 */
export function writeBehind(write: RunEventWriter, pauseMs = 0): RunEventSink {
  let queued: RunEvent[] = [];
  let writing: Promise<void> | undefined;
  let endPause: (() => void) | undefined;
  let failure: Error | undefined;

  const pause = () =>
    new Promise<void>((resolve) => {
      const timer = pauseMs > 0 ? setTimeout(() => endPause!(), pauseMs) : undefined;
      const immediate = pauseMs > 0 ? undefined : setImmediate(() => endPause!());
      endPause = () => {
        clearTimeout(timer);
        clearImmediate(immediate);
        endPause = undefined;
        resolve();
      };
    });

  const writeAll = async () => {
    await pause();
    while (queued.length > 0 && !failure) {
      const batch = queued;
      queued = [];
      await write(batch).catch((error: Error) => {
        failure ??= error;
      });
    }
    writing = undefined;
  };

  return {
    emit(event) {
      if (failure) return Promise.reject(failure);
      queued.push(event);
      writing ??= writeAll();
      if (!isLast(event)) return Promise.resolve();
      endPause?.();
      return writing.then(() => {
        if (failure) throw failure;
      });
    },
  };
}
