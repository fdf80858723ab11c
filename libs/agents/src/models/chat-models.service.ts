import { Inject, Injectable } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { llmConfig } from '@app/core';
import { providerNotConfigured } from '../agents.errors.js';
import type { ModelParameters } from '../entities/agent.entity.js';
import { parseModelRef, type LlmProvider } from './model-ref.js';

const MAX_SHARED_MODELS = 100;

/** OpenAI-compatible servers often want no key, but the OpenAI client refuses to start without one. */
const NO_KEY = 'not-needed';

/** A chat model ready for a run, with what the run needs to know about calling it. */
export interface ChatModelHandle {
  model: BaseChatModel;
  provider: LlmProvider;
  /** How long one call may take, its retries included (LLM_TIMEOUT_MS); the caller enforces it with an AbortSignal. */
  timeoutMs: number;
  /** The credentials a provider's error message must not carry into a run record. */
  secrets: string[];
}

/**
 * Resolves an agent's `provider:model` to a LangChain chat model built from the environment's credentials, with the
 * agent's parameters and a small retry budget, so a failing provider fails a run in seconds rather than minutes.
 */
@Injectable()
export class ChatModels {
  /**
   * Models built so far, by provider, model and parameters. LangChain's chat models keep no state between calls, so
   * runs share them: a new one costs each run its own client and its first request's setup (about a millisecond).
   */
  private readonly built = new Map<string, BaseChatModel>();

  constructor(@Inject(llmConfig.KEY) private readonly config: ConfigType<typeof llmConfig>) {}

  /** Throws the 503 LLM_PROVIDER_NOT_CONFIGURED problem, naming the variable to set, when the provider is not set up. */
  assertConfigured(modelRef: string): void {
    const { provider } = parseModelRef(modelRef);
    if (!this.configured(provider)) throw providerNotConfigured(provider);
  }

  /** The model for a run; refuses an unconfigured provider as assertConfigured does. */
  async create(modelRef: string, parameters: ModelParameters = {}): Promise<ChatModelHandle> {
    this.assertConfigured(modelRef);
    const { provider, model } = parseModelRef(modelRef);
    const secrets = [this.config.openai.apiKey, this.config.anthropic.apiKey].filter((secret): secret is string => Boolean(secret));
    return { model: await this.shared(provider, model, parameters), provider, timeoutMs: this.config.timeoutMs, secrets };
  }

  private async shared(provider: LlmProvider, model: string, parameters: ModelParameters): Promise<BaseChatModel> {
    const key = JSON.stringify([provider, model, parameters]);
    let chat = this.built.get(key);
    if (!chat) {
      chat = await this.build(provider, model, parameters);
      // Agents are few, but their parameters are free-form: the oldest model goes when there are too many.
      if (this.built.size >= MAX_SHARED_MODELS) this.built.delete(this.built.keys().next().value!);
      this.built.set(key, chat);
    }
    return chat;
  }

  /**
   * Each provider's package is loaded on its first run, not at boot: together they are about a second of every
   * start-up, for providers most deployments never use.
   */
  private async build(provider: LlmProvider, model: string, parameters: ModelParameters): Promise<BaseChatModel> {
    const { maxRetries } = this.config;
    const { temperature, maxTokens, topP, stopSequences } = parameters;
    switch (provider) {
      case 'openai': {
        const { ChatOpenAI } = await import('@langchain/openai');
        return new ChatOpenAI({
          model,
          apiKey: this.config.openai.apiKey ?? NO_KEY,
          configuration: { baseURL: this.config.openai.baseUrl },
          temperature,
          maxTokens,
          topP,
          stop: stopSequences,
          maxRetries,
          // Runs stream every answer: ask for the provider's token counts in the stream rather than estimating them.
          streamUsage: true,
        });
      }
      case 'anthropic': {
        const { ChatAnthropic } = await import('@langchain/anthropic');
        return new ChatAnthropic({
          model,
          apiKey: this.config.anthropic.apiKey,
          anthropicApiUrl: this.config.anthropic.baseUrl,
          temperature,
          maxTokens,
          topP,
          stopSequences,
          maxRetries,
        });
      }
      case 'ollama': {
        const { ChatOllama } = await import('@langchain/ollama');
        return new ChatOllama({
          model,
          baseUrl: this.config.ollama.baseUrl,
          temperature,
          numPredict: maxTokens,
          topP,
          stop: stopSequences,
          maxRetries,
          // The call's AbortSignal never reaches the Ollama client's requests: this bounds a request the run gave up on.
          fetch: (input, init) => fetch(input, { ...init, signal: withTimeout(init?.signal, this.config.timeoutMs) }),
        });
      }
    }
  }

  private configured(provider: LlmProvider): boolean {
    switch (provider) {
      case 'openai':
        return Boolean(this.config.openai.apiKey || this.config.openai.baseUrl);
      case 'anthropic':
        return Boolean(this.config.anthropic.apiKey);
      case 'ollama':
        return Boolean(this.config.ollama.baseUrl);
    }
  }
}

function withTimeout(signal: AbortSignal | null | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}
