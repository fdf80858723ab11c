import { DomainException } from '@app/core';
import type { LlmProvider } from './models/model-ref.js';

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
