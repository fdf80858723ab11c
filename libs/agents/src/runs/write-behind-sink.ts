import type { RunEvent, RunEventSink } from './run-events.js';

const isLast = (event: RunEvent) => event.type === 'run.completed' || event.type === 'run.failed';

/**
 * Lets a run go on while `sink` persists its events: they are written in order behind it, the run's last event waits
 * for all of them (so a run is only over once everything it reported is written), and a write that failed fails the
 * run's next emit, as it would have failed the write itself.
 */
export function writeBehind(sink: RunEventSink): RunEventSink {
  let tail: Promise<void> = Promise.resolve();
  let failure: Error | undefined;
  return {
    emit(event) {
      if (failure) return Promise.reject(failure);
      tail = tail
        .then(() => (failure ? undefined : sink.emit(event)))
        .catch((error: Error) => {
          failure ??= error;
        });
      if (!isLast(event)) return Promise.resolve();
      return tail.then(() => {
        if (failure) throw failure;
      });
    },
  };
}
