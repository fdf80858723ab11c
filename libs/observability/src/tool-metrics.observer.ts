import { Injectable, OnModuleInit } from '@nestjs/common';
import { ToolCallObservers, type ToolCallEvent, type ToolCallObserver } from '@app/tools';
import { Metrics } from './metrics.service.js';

/** Counts and times every tool call the executor reports, whichever face it came through. */
@Injectable()
export class ToolMetricsObserver implements ToolCallObserver, OnModuleInit {
  constructor(
    private readonly observers: ToolCallObservers,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.observers.add(this);
  }

  onToolCall(event: ToolCallEvent): void {
    this.metrics.toolInvocations.inc({ tool: event.toolName, status: event.outcome, source: event.source });
    if (event.outcome === 'refused') return;
    this.metrics.toolDuration.observe({ tool: event.toolName, source: event.source }, event.durationMs / 1000);
    if (event.cacheable) this.metrics.toolCache.inc({ tool: event.toolName, result: event.cached ? 'hit' : 'miss' });
  }
}
