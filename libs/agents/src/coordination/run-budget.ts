import { RunStopped } from '../runs/agent-runner.js';
import type { RunEventSink } from '../runs/run-events.js';

export interface BudgetLimits {
  /** AGENT_RUN_MAX_STEPS */
  maxSteps: number;
  /** AGENT_RUN_MAX_TOKENS */
  maxTokens: number;
}

/**
 * What one root run and all the runs it delegates to may spend together: model calls, and tokens as the providers
 * count them. A call is started only while both remain; the call that crosses the token budget still finishes (its
 * tokens are known only then), and the next one, in whichever run of the tree, fails with AGENT_BUDGET_EXCEEDED.
 */
export class RunBudget {
  private steps = 0;
  private tokens = 0;

  constructor(private readonly limits: BudgetLimits) {}

  /** Counts tokens as each model step finishes, for every run of the tree. */
  readonly sink: RunEventSink = {
    emit: async (event) => {
      if (event.type === 'model.finished') this.tokens += event.step.usage?.totalTokens ?? 0;
    },
  };

  /** Takes one model call from the budget, or throws RunStopped when none is left. */
  admitModelCall(): void {
    if (this.steps >= this.limits.maxSteps) {
      throw exceeded(`This run and the runs of its tree have made ${this.steps} model calls; AGENT_RUN_MAX_STEPS allows ${this.limits.maxSteps}.`);
    }
    if (this.tokens >= this.limits.maxTokens) {
      throw exceeded(`This run and the runs of its tree have spent ${this.tokens} tokens; AGENT_RUN_MAX_TOKENS allows ${this.limits.maxTokens}.`);
    }
    this.steps++;
  }

  used(): { steps: number; tokens: number } {
    return { steps: this.steps, tokens: this.tokens };
  }
}

function exceeded(message: string): RunStopped {
  return new RunStopped('failed', 'AGENT_BUDGET_EXCEEDED', message);
}
