import { INITIAL_STATE, step, type RuleState } from './rule-state.js';

const rule = { consecutiveBreaches: 3, cooldownSeconds: 60 };
const breach = { breaching: true, value: 1, summary: 'down' };
const clear = { breaching: false, value: 0, summary: 'up' };

function run(readings: (typeof breach)[], start: RuleState = INITIAL_STATE, from = 1000) {
  let state = start;
  const transitions: string[] = [];
  readings.forEach((reading, index) => {
    const result = step(state, reading, rule, from + index * 1000, `alert-${index}`);
    state = result.state;
    transitions.push(result.transition.kind);
  });
  return { state, transitions };
}

describe('rule state step', () => {
  it('fires once after the configured breaches in a row, and stays firing without firing again', () => {
    const { state, transitions } = run([breach, breach, breach, breach, breach]);
    expect(transitions).toEqual(['none', 'none', 'fire', 'none', 'none']);
    expect(state).toMatchObject({ status: 'firing', alertId: 'alert-2', since: 3000, summary: 'down', breaches: 5 });
  });

  it('starts counting again after a clear reading', () => {
    expect(run([breach, breach, clear, breach, breach]).transitions).toEqual(['none', 'none', 'none', 'none', 'none']);
  });

  it('resolves once on the first clear reading, remembering when', () => {
    const { state, transitions } = run([breach, breach, breach, clear, clear]);
    expect(transitions).toEqual(['none', 'none', 'fire', 'resolve', 'none']);
    expect(state).toMatchObject({ status: 'ok', alertId: null, breaches: 0, lastResolvedAt: 4000 });
  });

  it('does not fire again within the cooldown after a resolution, and fires once it has passed', () => {
    const resolved: RuleState = { ...INITIAL_STATE, lastResolvedAt: 10_000, updatedAt: 10_000 };
    const within = run([breach, breach, breach, breach], resolved, 11_000);
    expect(within.transitions).toEqual(['none', 'none', 'suppressed', 'suppressed']);
    expect(within.state.status).toBe('ok');
    const after = step(within.state, breach, rule, 70_000, 'late');
    expect(after.transition.kind).toBe('fire');
    expect(after.state).toMatchObject({ status: 'firing', alertId: 'late' });
  });

  it('leaves an untouched state as it is, so nothing needs saving', () => {
    const { state } = run([clear, clear]);
    expect(state).toBe(INITIAL_STATE);
  });
});
