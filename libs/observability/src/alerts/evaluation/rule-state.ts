/** Where a rule (for one subject) stands between evaluations; kept in the database and Redis, the fresher one wins. */
export interface RuleState {
  status: 'ok' | 'firing';
  /** Breaching evaluations in a row. */
  breaches: number;
  /** The open incident while firing. */
  alertId: string | null;
  /** Epoch ms the open incident started. */
  since: number | null;
  /** What the incident said when it fired, for its resolution. */
  summary: string | null;
  value: number | null;
  /** Epoch ms of the last resolution: the cooldown counts from it. */
  lastResolvedAt: number | null;
  /** Epoch ms of the last change: the freshest copy of a state wins. */
  updatedAt: number;
}

export const INITIAL_STATE: RuleState = { status: 'ok', breaches: 0, alertId: null, since: null, summary: null, value: null, lastResolvedAt: null, updatedAt: 0 };

/** What one evaluation found for a subject; `breaching: false` for a clear reading and for no reading at all. */
export interface Observation {
  subject: string;
  breaching: boolean;
  value: number | null;
  summary: string;
}

export interface StepRule {
  consecutiveBreaches: number;
  cooldownSeconds: number;
}

export type Transition =
  | { kind: 'none' }
  | { kind: 'fire' }
  | { kind: 'resolve' }
  /** Breaching long enough, but the rule resolved less than its cooldown ago. */
  | { kind: 'suppressed'; untilMs: number };

/**
 * One evaluation's effect on a state: a rule fires once after `consecutiveBreaches` breaching readings in a row (and
 * not within its cooldown after the last resolution), stays firing without re-notifying, and resolves once on the
 * first clear reading. `alertId` names the incident a firing transition opens.
 */
export function step(state: RuleState, observation: Pick<Observation, 'breaching' | 'value' | 'summary'>, rule: StepRule, now: number, alertId: string): { state: RuleState; transition: Transition } {
  if (!observation.breaching) {
    if (state.status === 'firing') {
      return { state: { ...state, status: 'ok', breaches: 0, alertId: null, since: null, lastResolvedAt: now, updatedAt: now }, transition: { kind: 'resolve' } };
    }
    if (state.breaches === 0) return { state, transition: { kind: 'none' } };
    return { state: { ...state, breaches: 0, updatedAt: now }, transition: { kind: 'none' } };
  }
  const breaches = state.breaches + 1;
  if (state.status === 'firing') return { state: { ...state, breaches, updatedAt: now }, transition: { kind: 'none' } };
  if (breaches < rule.consecutiveBreaches) return { state: { ...state, breaches, updatedAt: now }, transition: { kind: 'none' } };
  const coolUntil = state.lastResolvedAt === null ? 0 : state.lastResolvedAt + rule.cooldownSeconds * 1000;
  if (now < coolUntil) return { state: { ...state, breaches, updatedAt: now }, transition: { kind: 'suppressed', untilMs: coolUntil } };
  return {
    state: { ...state, status: 'firing', breaches, alertId, since: now, summary: observation.summary, value: observation.value, updatedAt: now },
    transition: { kind: 'fire' },
  };
}
