import { Injectable, OnModuleInit } from '@nestjs/common';
import { RunObservers, type RunObservation, type RunObserver } from '@app/agents';
import { Metrics } from './metrics.service.js';

/** Counts agent runs by how they ended and the tokens their model calls spent. */
@Injectable()
export class AgentMetricsObserver implements RunObserver, OnModuleInit {
  constructor(
    private readonly observers: RunObservers,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.observers.add(this);
  }

  onRunObservation(observation: RunObservation): void {
    if (observation.type === 'run.finished') {
      this.metrics.agentRuns.inc({ agent: observation.agent, status: observation.status });
      return;
    }
    const labels = { provider: observation.provider, model: observation.model };
    this.metrics.llmTokens.inc({ ...labels, direction: 'input' }, observation.inputTokens);
    this.metrics.llmTokens.inc({ ...labels, direction: 'output' }, observation.outputTokens);
  }
}
