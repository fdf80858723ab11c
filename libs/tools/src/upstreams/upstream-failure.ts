import { ProtocolError, SdkError, SdkErrorCode } from '@modelcontextprotocol/client';

/** SDK failures after which the upstream did answer, just not usefully: the tool failed, the upstream is fine. */
const ANSWERED = new Set<string>([
  SdkErrorCode.InvalidResult,
  SdkErrorCode.UnsupportedResultType,
  SdkErrorCode.InputRequiredRoundsExceeded,
  SdkErrorCode.CapabilityNotSupported,
  SdkErrorCode.MethodNotSupportedByProtocolVersion,
]);

/** Whether the upstream answered the request (a JSON-RPC error, a result we can't use) rather than being out of reach. */
export function upstreamAnswered(error: unknown): boolean {
  return error instanceof ProtocolError || (error instanceof SdkError && ANSWERED.has(error.code));
}

/**
 * One line saying why a call to an upstream failed, from the error and its causes ("fetch failed: connect
 * ECONNREFUSED 127.0.0.1:4000"). Built from error messages and codes only: they never carry our header values.
 */
export function describeFailure(error: unknown): string {
  const parts: string[] = [];
  let code: string | undefined;
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const message = current.message.trim();
    if (message && !parts.some((part) => part.includes(message))) parts.push(message);
    const own = (current as { code?: unknown }).code;
    if (typeof own === 'string' && /^E[A-Z_]+$|^UND_ERR/.test(own)) code = own;
  }
  const text = parts.join(': ') || String(error);
  const line = code && !text.includes(code) ? `${text} (${code})` : text;
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
