import type { RunEvent, RunEventSink } from './run-events.js';

const isLast = (event: RunEvent) => event.type === 'run.completed' || event.type === 'run.failed';

/** A wait that ends after `ms` (after the ready callbacks when 0), or sooner when ended by hand. */
function pause(ms: number): { over: Promise<void>; end: () => void } {
  let end!: () => void;
  const over = new Promise<void>((resolve) => {
    const timer = ms > 0 ? setTimeout(() => end(), ms) : undefined;
    const immediate = ms > 0 ? undefined : setImmediate(() => end());
    end = () => {
      clearTimeout(timer);
      clearImmediate(immediate);
      resolve();
    };
  });
  return { over, end };
}

/**
 * Lets a run go on while `sink` persists its events: they are written in order behind it, the run's last event waits
 * for all of them (so a run is only over once everything it reported is written), and a write that failed fails the
 * run's next emit, as it would have failed the write itself.
 *
 * Writing starts `pauseMs` after the first event that found the sink idle, or at once when the run's last event comes:
 * the events of that pause are written together, after whatever the run does next. On the embedded database a query
 * runs on the event loop the run uses, and a turn's writes started before its next model request is on the wire
 * would add to every turn's latency instead of overlapping the model's (a request takes a few event-loop turns to be
 * sent; a model takes hundreds of milliseconds to answer).
 */
export function writeBehind(sink: RunEventSink, pauseMs = 0): RunEventSink {
  let tail: Promise<void> = Promise.resolve();
  let pending = 0;
  let failure: Error | undefined;
  let waiting: ReturnType<typeof pause> | undefined;
  return {
    emit(event) {
      if (failure) return Promise.reject(failure);
      let start = tail;
      if (pending++ === 0) {
        const current = (waiting = pause(pauseMs));
        start = tail.then(() => current.over);
      }
      tail = start
        .then(() => (failure ? undefined : sink.emit(event)))
        .catch((error: Error) => {
          failure ??= error;
        })
        .finally(() => pending--);
      if (!isLast(event)) return Promise.resolve();
      waiting?.end();
      return tail.then(() => {
        if (failure) throw failure;
      });
    },
  };
}
