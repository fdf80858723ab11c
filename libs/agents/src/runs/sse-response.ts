import { once } from 'node:events';
import { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { LoggedRunEvent } from './run-stream-events.js';

/** A comment line this often keeps proxies from closing a stream that waits (a queued run, a slow tool). */
const KEEP_ALIVE_MS = 15_000;
const logger = new Logger('RunEventStream');

/**
 * Answers with a run's events as `text/event-stream` (`id:` the event's number, `event:` its type, `data:` its JSON)
 * until `follow` ends. When the client goes, the signal handed to `follow` aborts and nothing more is read: the run
 * itself is not this response's to stop.
 */
export async function sendEventStream(reply: FastifyReply, follow: (signal: AbortSignal) => AsyncIterable<LoggedRunEvent>, headers: Record<string, string> = {}): Promise<void> {
  reply.hijack();
  const response = reply.raw;
  const gone = new AbortController();
  response.once('close', () => gone.abort());
  // Headers the hooks set (request id, security headers) go along, as Fastify would have sent them.
  for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) response.setHeader(name, value);
  // `connection: close`: a stream may end while the server is closing, and an idle keep-alive socket would hold it open.
  const head = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', connection: 'close', ...headers };
  response.writeHead(200, head);
  response.flushHeaders();
  const keepAlive = setInterval(() => response.write(': keep-alive\n\n'), KEEP_ALIVE_MS).unref();
  try {
    for await (const { id, event } of follow(gone.signal)) {
      if (!response.write(`id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)) await drained(response, gone.signal);
    }
  } catch (error) {
    logger.warn(`a run event stream broke off: ${(error as Error).message}`);
  } finally {
    clearInterval(keepAlive);
    if (!response.writableEnded) response.end();
  }
}

async function drained(response: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  await once(response, 'drain', { signal }).catch(() => undefined);
}
