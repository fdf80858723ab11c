import { DomainException } from '@app/core';
import type { LlmProvider } from './models/model-ref.js';

export function agentNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'AGENT_NOT_FOUND', title: 'Agent not found', detail: `No agent has id ${id}.` });
}

export function agentExists(name: string): DomainException {
  return new DomainException({ status: 409, code: 'AGENT_EXISTS', title: 'Agent exists', detail: `An agent named ${name} already exists.` });
}

export function agentCycle(path: string[]): DomainException {
  return new DomainException({
    status: 409,
    code: 'AGENT_CYCLE',
    title: 'Agent members form a cycle',
    detail: `These members would make a coordinator delegate to itself: ${path.join(' → ')}.`,
  });
}

export function agentInUse(name: string, coordinators: string[]): DomainException {
  return new DomainException({
    status: 409,
    code: 'AGENT_IN_USE',
    title: 'Agent in use',
    detail: `${name} is a member of ${coordinators.join(', ')}; remove it from there first.`,
  });
}

export function agentToolNameTaken(toolName: string): DomainException {
  return new DomainException({
    status: 409,
    code: 'AGENT_TOOL_NAME_TAKEN',
    title: "Agent's tool name taken",
    detail: `Every agent is also a tool named agent.<name>, and another tool is already named ${toolName}; rename the agent or that tool.`,
  });
}

/** A delegation past AGENT_MAX_DEPTH: a coordinator or an agent tool would start a run this deep below its root. */
export function agentDepthExceeded(depth: number, maxDepth: number): DomainException {
  return new DomainException({
    status: 409,
    code: 'AGENT_DEPTH_EXCEEDED',
    title: 'Delegation too deep',
    detail: `This delegation would start a run at depth ${depth} below its root run; AGENT_MAX_DEPTH allows ${maxDepth}.`,
  });
}

/** A delegation from a run that has already ended (its tool call outlived it) or that is not the caller's. */
export function delegatingRunNotActive(runId: string): DomainException {
  return new DomainException({ status: 409, code: 'RUN_NOT_ACTIVE', title: 'Run not active', detail: `The run ${runId} that delegated is not running.` });
}

export function scopeRequired(scope: string): DomainException {
  return new DomainException({ status: 403, code: 'SCOPE_REQUIRED', title: 'Forbidden', detail: `The API key in use lacks the scope ${scope}.` });
}

export function runNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'RUN_NOT_FOUND', title: 'Run not found', detail: `No run has id ${id}.` });
}

/** What to set for each provider, named in the 503 so an operator knows what is missing. */
const PROVIDER_VARIABLES: Record<LlmProvider, string> = {
  openai: 'OPENAI_API_KEY (or OPENAI_BASE_URL for an OpenAI-compatible server)',
  anthropic: 'ANTHROPIC_API_KEY',
  ollama: 'OLLAMA_BASE_URL',
};

export function providerNotConfigured(provider: LlmProvider): DomainException {
  return new DomainException({
    status: 503,
    code: 'LLM_PROVIDER_NOT_CONFIGURED',
    title: 'LLM provider not configured',
    detail: `The ${provider} provider is not configured on this server: set ${PROVIDER_VARIABLES[provider]}.`,
  });
}

export function toolNotOffered(name: string): DomainException {
  return new DomainException({ status: 404, code: 'TOOL_NOT_FOUND', title: 'Tool not found', detail: `No tool named ${name} is available to this agent.` });
}

export function conversationBusy(conversationId: string): DomainException {
  return new DomainException({
    status: 409,
    code: 'CONVERSATION_BUSY',
    title: 'Conversation busy',
    detail: `Conversation ${conversationId} has a run queued or running; wait for it to end, cancel it, or send multitask "enqueue" to run after it.`,
  });
}

export function runAlreadyFinished(id: string, status: string): DomainException {
  return new DomainException({ status: 409, code: 'RUN_ALREADY_FINISHED', title: 'Run already finished', detail: `Run ${id} has already ended (${status}).` });
}

export function lastEventIdInvalid(value: string): DomainException {
  return new DomainException({
    status: 400,
    code: 'LAST_EVENT_ID_INVALID',
    title: 'Invalid Last-Event-ID',
    detail: `Last-Event-ID must be the id of an event of this run (a positive integer); got "${value.slice(0, 40)}".`,
  });
}

export function serverStopping(): DomainException {
  return new DomainException({
    status: 503,
    code: 'SERVER_STOPPING',
    title: 'Server stopping',
    detail: 'This instance is shutting down and starts no more runs; send the request again (another instance will take it).',
    headers: { 'Retry-After': '1' },
  });
}
