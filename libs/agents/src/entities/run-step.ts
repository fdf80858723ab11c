/** Tokens as the provider counted them (never estimated locally). */
export interface TokenCounts {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
}

export interface StepToolCall {
  id: string;
  /** The registry name of the tool (what /tools and /tool-invocations show). */
  name: string;
  args: Record<string, unknown>;
}

interface StepTiming {
  /** 1, 2, 3… in the order the steps finished. */
  index: number;
  /** The model turn the step belongs to (1…maxSteps). */
  turn: number;
  startedAt: string;
  durationMs: number;
}

/** One call of the model: what it said, which tools it asked for, what it cost. */
export interface ModelStep extends StepTiming {
  type: 'model';
  content: string;
  toolCalls: StepToolCall[];
  /** Null when the provider reported no usage. */
  usage: TokenCounts | null;
  finishReason: string | null;
}

/** One tool call the model asked for, as the tool executor answered it. */
export interface ToolStep extends StepTiming {
  type: 'tool';
  callId: string;
  name: string;
  arguments: Record<string, unknown>;
  /** The tool's output, or `{ error, code }` when isError; stored truncated past HISTORY_RESULT_MAX_BYTES. */
  result: unknown;
  isError: boolean;
  errorCode: string | null;
  /** The row in /tool-invocations; null when the call was refused before it ran (unknown tool, invalid arguments). */
  invocationId: string | null;
  cached: boolean;
}

export type RunStep = ModelStep | ToolStep;
