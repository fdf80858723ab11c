import { DeliveryError } from './alert-channel-sender.js';

const BODY_EXCERPT = 200;

/** Statuses worth another try: the receiver is overloaded, rate limiting, or timed out; any other 4xx won't change. */
function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** Names a transport failure by its cause (ECONNREFUSED, a timeout), never by the URL, which may hold a token. */
function transportFailure(error: unknown, signal: AbortSignal): DeliveryError {
  if (signal.aborted) return new DeliveryError(signal.reason instanceof Error && signal.reason.name === 'TimeoutError' ? 'timed out' : 'aborted');
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return new DeliveryError(cause?.code ?? cause?.message ?? (error as Error).message ?? 'request failed');
}

/** POSTs to a channel's endpoint; resolves on 2xx, throws a DeliveryError saying what the receiver answered otherwise. */
export async function postRequest(url: string, init: { headers: Record<string, string>; body: string }, signal: AbortSignal): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'user-agent': 'mcp-assistant-alerts', ...init.headers }, body: init.body, signal, redirect: 'error' });
  } catch (error) {
    throw transportFailure(error, signal);
  }
  const text = await response.text().catch(() => '');
  if (response.ok) return;
  const excerpt = text.trim().slice(0, BODY_EXCERPT);
  throw new DeliveryError(`HTTP ${response.status}${excerpt ? `: ${excerpt}` : ''}`, !retryable(response.status));
}
