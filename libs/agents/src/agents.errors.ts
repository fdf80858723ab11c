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
