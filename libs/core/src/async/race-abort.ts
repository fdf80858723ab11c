/**
 * Settles with `work`, or rejects with the signal's reason as soon as it aborts, whether or not `work` listens to it:
 * a caller waiting on a client that ignores its AbortSignal is never left hanging.
 */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  let onAbort!: () => void;
  const abort = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  work.catch(() => undefined);
  return Promise.race([work, abort]).finally(() => signal.removeEventListener('abort', onAbort));
}
