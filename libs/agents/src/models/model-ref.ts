export const LLM_PROVIDERS = ['openai', 'anthropic', 'ollama'] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];

/** `provider:model`; the model part may hold colons of its own (`ollama:llama3.1:8b`). */
export const MODEL_REF_PATTERN = new RegExp(`^(${LLM_PROVIDERS.join('|')}):\\S{1,190}$`);

export interface ModelRef {
  provider: LlmProvider;
  model: string;
}

/** Splits a stored `provider:model` (validated when the agent was written) at its first colon. */
export function parseModelRef(ref: string): ModelRef {
  if (!MODEL_REF_PATTERN.test(ref)) throw new Error(`not a provider:model reference: ${ref}`);
  const colon = ref.indexOf(':');
  return { provider: ref.slice(0, colon) as LlmProvider, model: ref.slice(colon + 1) };
}
