import { RunStopped } from '../runs/agent-runner.js';
import type { ModelStep } from '../entities/run-step.js';
import { RunBudget } from './run-budget.js';

const finished = (totalTokens: number) =>
  ({ type: 'model.finished', runId: 'r', step: { usage: { inputTokens: 0, outputTokens: 0, totalTokens } } as ModelStep }) as const;

describe('RunBudget', () => {
  it('admits model calls up to AGENT_RUN_MAX_STEPS, then stops the run asking with AGENT_BUDGET_EXCEEDED', () => {
    const budget = new RunBudget({ maxSteps: 2, maxTokens: 1000 });
    budget.admitModelCall();
    budget.admitModelCall();
    expect(() => budget.admitModelCall()).toThrow(RunStopped);
    expect(() => budget.admitModelCall()).toThrow(expect.objectContaining({ status: 'failed', code: 'AGENT_BUDGET_EXCEEDED', message: expect.stringContaining('AGENT_RUN_MAX_STEPS allows 2') }));
    expect(budget.used()).toEqual({ steps: 2, tokens: 0 });
  });

  it('counts the tokens of every finished step, and admits no call once they reach AGENT_RUN_MAX_TOKENS', async () => {
    const budget = new RunBudget({ maxSteps: 100, maxTokens: 100 });
    budget.admitModelCall();
    await budget.sink.emit(finished(60));
    budget.admitModelCall();
    await budget.sink.emit(finished(45));
    expect(() => budget.admitModelCall()).toThrow(/have spent 105 tokens; AGENT_RUN_MAX_TOKENS allows 100/);
    expect(budget.used()).toEqual({ steps: 2, tokens: 105 });
  });
});
