import { Injectable } from '@nestjs/common';

export interface ReadinessState {
  up: boolean;
  /** Shown beside the status in /health/ready. */
  details?: Record<string, unknown>;
}

/**
 * Readiness conditions that feature modules own (the history recorder's backlog, say): they register here, and the
 * health lib's readiness probe reports each under its name, without health importing the features.
 */
@Injectable()
export class ReadinessChecks {
  private readonly checks = new Map<string, () => ReadinessState>();

  register(name: string, check: () => ReadinessState): void {
    this.checks.set(name, check);
  }

  entries(): [string, () => ReadinessState][] {
    return [...this.checks];
  }
}
