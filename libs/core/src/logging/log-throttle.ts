/** Lets a repeating message through at most once per interval, so an outage logs a line now and then, not a flood. */
export class LogThrottle {
  private lastAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly intervalMs: number) {}

  allow(now = Date.now()): boolean {
    if (now - this.lastAt < this.intervalMs) return false;
    this.lastAt = now;
    return true;
  }
}
