import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One chat completion request as the server received it. */
export interface ChatRequest {
  body: {
    model: string;
    messages: { role: string; content: unknown; tool_calls?: { id: string; function: { name: string; arguments: string } }[]; tool_call_id?: string }[];
    tools?: { type: 'function'; function: { name: string; description?: string; parameters: Record<string, unknown> } }[];
    [key: string]: unknown;
  };
  authorization: string | undefined;
}

export interface ScriptedToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

type Reply = (response: ServerResponse, request: ChatRequest) => void;

/**
 * An OpenAI-compatible chat completions endpoint on loopback (`POST /v1/chat/completions`, non-streaming) that replays
 * scripted answers in order: text, tool calls, usage, an HTTP error, or no answer at all. It keeps every request, so a
 * test can check what the provider client really sent. An unscripted request gets a 400, which fails the run loudly.
 */
export class ScriptedOpenAiServer {
  readonly requests: ChatRequest[] = [];
  private readonly script: Reply[] = [];
  private readonly http: Server;
  baseUrl = '';

  constructor() {
    this.http = createServer((request, response) => void this.handle(request, response));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}/v1`;
    return this;
  }

  /** Forgets the requests and whatever is left of the script. */
  reset(): void {
    this.requests.length = 0;
    this.script.length = 0;
  }

  answer(content: string, usage = { prompt: 10, completion: 5 }): this {
    return this.push((response, request) => send(response, 200, completion(request, { role: 'assistant', content }, 'stop', usage)));
  }

  callTools(calls: ScriptedToolCall[], usage = { prompt: 10, completion: 5 }): this {
    const toolCalls = calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
    return this.push((response, request) => send(response, 200, completion(request, { role: 'assistant', content: null, tool_calls: toolCalls }, 'tool_calls', usage)));
  }

  fail(status: number, message: string): this {
    return this.push((response) => send(response, status, { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error' } }));
  }

  /** Takes the request and never answers it. */
  hang(): this {
    return this.push(() => undefined);
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }

  private push(reply: Reply): this {
    this.script.push(reply);
    return this;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') return send(response, 404, { error: { message: `no route ${request.method} ${request.url}` } });
    const received: ChatRequest = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')), authorization: request.headers.authorization };
    this.requests.push(received);
    const reply = this.script.shift();
    if (!reply) return send(response, 400, { error: { message: `unscripted request #${this.requests.length}`, type: 'invalid_request_error' } });
    reply(response, received);
  }
}

function completion(request: ChatRequest, message: Record<string, unknown>, finishReason: string, usage: { prompt: number; completion: number }) {
  return {
    id: `chatcmpl-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.body.model,
    choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }],
    usage: { prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion },
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
