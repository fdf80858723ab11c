import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { AlertingEnvironment } from './alerting-environment.js';
import { OptionalHttpUrl, toInteger } from './environment-transforms.js';

/**
 * The agent variables: LLM providers, and how runs are held, replayed and bounded. Kept apart from the rest of the
 * environment for size, like the alerting ones; Environment extends it, so they are read and validated as one.
 */
export class AgentsEnvironment extends AlertingEnvironment {
  /** OpenAI's API key for agents on `openai:` models. With OPENAI_BASE_URL alone, a compatible server that wants none. */
  @IsOptional()
  @IsString()
  OPENAI_API_KEY?: string;

  /** An OpenAI-compatible endpoint (Ollama, vLLM, LM Studio, a proxy) instead of api.openai.com, e.g. `http://host:11434/v1`. */
  @OptionalHttpUrl()
  OPENAI_BASE_URL?: string;

  /** Anthropic's API key for agents on `anthropic:` models. */
  @IsOptional()
  @IsString()
  ANTHROPIC_API_KEY?: string;

  /** Another endpoint for the Anthropic API (a proxy, a test server). */
  @OptionalHttpUrl()
  ANTHROPIC_BASE_URL?: string;

  /** The Ollama server agents on `ollama:` models talk to (its native API), e.g. `http://127.0.0.1:11434`. */
  @OptionalHttpUrl()
  OLLAMA_BASE_URL?: string;

  /** How long one model call may take, its retries included, before the run fails with LLM_PROVIDER_TIMEOUT. */
  @Transform(toInteger)
  @IsInt()
  @Min(100)
  @Max(600_000)
  LLM_TIMEOUT_MS = 60_000;

  /** Retries of a model request that failed with a 5xx or a 429 asking for a short wait, after a backoff of 1 s and up. */
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(6)
  LLM_MAX_RETRIES = 1;

  /** How often an instance marks the agent runs it holds as alive; a run unmarked for three times this is failed (INSTANCE_LOST). */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(3600)
  AGENT_RUN_HEARTBEAT_SECONDS = 10;

  /** How long a run's events stay replayable by GET /runs/{id}/events after its last one. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(604_800)
  AGENT_RUN_EVENTS_TTL_SECONDS = 3600;

  /** How deep coordinators and agent tools may delegate: a root run is depth 0, its child runs 1, theirs 2… */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(10)
  AGENT_MAX_DEPTH = 3;

  /** Model calls one root run and all its child runs may make together; past it they fail with AGENT_BUDGET_EXCEEDED. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(100_000)
  AGENT_RUN_MAX_STEPS = 100;

  /** Tokens one root run and all its child runs may spend together (as the providers count them); then no further model call starts. */
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  AGENT_RUN_MAX_TOKENS = 1_000_000;
}
