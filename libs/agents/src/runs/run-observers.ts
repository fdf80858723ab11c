import { Injectable, Logger } from '@nestjs/common';
import type { RunStatus } from '../entities/agent-run.entity.js';
import type { ModelRef } from '../models/model-ref.js';
import type { RunEventSink } from './run-events.js';

/** A run reached a final status, whichever way: its own end, a cancel while queued, the sweeper. */
export interface RunFinished {
  type: 'run.finished';
  agent: string;
  status: RunStatus;
}

/** Tokens one model call spent, as the provider counted them. */
export interface ModelUsage {
  type: 'model.usage';
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
}

export type RunObservation = RunFinished | ModelUsage;

/** Sees every run's end and every model call's tokens: metrics register here, so agents never imports them. */
export interface RunObserver {
  onRunObservation(observation: RunObservation): void;
}

@Injectable()
export class RunObservers {
  private readonly logger = new Logger(RunObservers.name);
  private readonly observers: RunObserver[] = [];

  add(observer: RunObserver): void {
    this.observers.push(observer);
  }

  /** Synchronous and isolated: an observer's failure never fails or delays a run. */
  notify(observation: RunObservation): void {
    for (const observer of this.observers) {
      try {
        observer.onRunObservation(observation);
      } catch (error) {
        this.logger.warn(`a run observer failed: ${(error as Error).message}`);
      }
    }
  }

  /** A sink that tells the observers about one run of `agent` on `model` (unknown when the run failed before it had one). */
  sinkFor(agent: string, model?: ModelRef): RunEventSink {
    return {
      emit: async (event) => {
        if (event.type === 'model.finished' && event.step.usage && model) {
          const { inputTokens, outputTokens } = event.step.usage;
          this.notify({ type: 'model.usage', provider: model.provider, model: model.model, inputTokens, outputTokens });
        } else if (event.type === 'run.completed') {
          this.notify({ type: 'run.finished', agent, status: 'succeeded' });
        } else if (event.type === 'run.failed') {
          this.notify({ type: 'run.finished', agent, status: event.status });
        }
      },
    };
  }
}
