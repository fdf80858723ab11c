import { type FieldError, ValidationFailedException } from '@app/core';
import type { AlertRule, RuleKind } from './entities/alert-rule.entity.js';

const DEFAULT_WINDOW_SECONDS = 300;
const DEFAULT_MIN_SAMPLES = 10;

export type RuleFields = Pick<AlertRule, 'target' | 'threshold' | 'windowSeconds' | 'minSamples'>;

/** What each kind reads: a target it needs or may take, a threshold and its range, a traffic window. */
const SHAPES: Record<RuleKind, { target: 'required' | 'optional' | 'none'; threshold: 'ratio' | 'milliseconds' | 'none'; window: boolean }> = {
  dependency_down: { target: 'required', threshold: 'none', window: false },
  http_error_rate: { target: 'none', threshold: 'ratio', window: true },
  http_latency_p95: { target: 'none', threshold: 'milliseconds', window: true },
  tool_error_rate: { target: 'optional', threshold: 'ratio', window: true },
};

/**
 * The kind-specific fields of a rule, checked against its kind with defaults filled in (window 300 s, 10 samples);
 * throws a validation problem naming each field that doesn't fit.
 */
export function ruleFields(kind: RuleKind, given: Partial<{ [K in keyof RuleFields]: RuleFields[K] | undefined }>): RuleFields {
  const shape = SHAPES[kind];
  const errors: FieldError[] = [];
  const fail = (field: string, message: string) => errors.push({ pointer: `/${field}`, message });
  const target = given.target ?? null;
  if (shape.target === 'required' && target === null) fail('target', `${kind} needs a target: the readiness check to watch (database, redis, disk, memory_heap…)`);
  if (shape.target === 'none' && target !== null) fail('target', `${kind} takes no target`);
  const threshold = given.threshold ?? null;
  if (shape.threshold === 'none' && threshold !== null) fail('threshold', `${kind} takes no threshold: consecutiveBreaches says how many failed checks fire it`);
  if (shape.threshold !== 'none' && threshold === null) fail('threshold', `${kind} needs a threshold`);
  if (shape.threshold === 'ratio' && threshold !== null && (threshold <= 0 || threshold > 1)) fail('threshold', 'threshold must be a ratio above 0 and at most 1 (0.05 for 5%)');
  if (shape.threshold === 'milliseconds' && threshold !== null && threshold <= 0) fail('threshold', 'threshold must be a latency in milliseconds above 0');
  for (const field of ['windowSeconds', 'minSamples'] as const) {
    if (!shape.window && given[field] !== undefined && given[field] !== null) fail(field, `${kind} takes no ${field}`);
  }
  if (errors.length > 0) throw new ValidationFailedException(errors, `The ${kind} rule is not valid; see errors.`);
  return {
    target,
    threshold,
    windowSeconds: shape.window ? (given.windowSeconds ?? DEFAULT_WINDOW_SECONDS) : null,
    minSamples: shape.window ? (given.minSamples ?? DEFAULT_MIN_SAMPLES) : null,
  };
}
