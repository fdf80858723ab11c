import type { RunEvent, RunEventSink } from './run-events.js';

const isLast = (event: RunEvent) => event.type === 'run.completed' || event.type === 'run.failed';

/** Resolves once the event loop has run what was ready: the run's own next steps (its next model request) go first. */
const afterRunMovesOn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Lets a run go on while `sink` persists its events: they are written in order behind it, the run's last event waits
 * for all of them (so a run is only over once everything it reported is written), and a write that failed fails the
 * run's next emit, as it would have failed the write itself.
 *
 * Writing starts only once the run has moved on: on the embedded database a query runs on the event loop the run
 * uses, and a turn's writes done before its next model request is sent would add to every turn's latency instead of
 * overlapping the model's.
 */
export function writeBehind(sink: RunEventSink): RunEventSink {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  let failure: Error | undefined;
  return {
    emit(event) {
      if (failure) return Promise.reject(failure);
      const start = pending++ === 0 ? tail.then(afterRunMovesOn) : tail;
      tail = start
        .then(() => (failure ? undefined : sink.emit(event)))
        .catch((error: Error) => {
          failure ??= error;
        })
        .finally(() => pending--);
      if (!isLast(event)) return Promise.resolve();
      return tail.then(() => {
        if (failure) throw failure;
      });
    },
  };
}
