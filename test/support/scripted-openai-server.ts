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

interface Usage {
  prompt: number;
  completion: number;
}

interface Completion {
  content: string | null;
  toolCalls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
  finishReason: string;
  usage: Usage;
}

/** Answers replayed in order: text, tool calls, usage, an HTTP error, or no answer at all. */
export class Script {
  private readonly replies: Reply[] = [];

  answer(content: string, usage = { prompt: 10, completion: 5 }): this {
    return this.complete({ content, finishReason: 'stop', usage });
  }

  callTools(calls: ScriptedToolCall[], usage = { prompt: 10, completion: 5 }): this {
    const toolCalls = calls.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: JSON.stringify(call.arguments) } }));
    return this.complete({ content: null, toolCalls, finishReason: 'tool_calls', usage });
  }

  fail(status: number, message: string): this {
    return this.push((response) => send(response, status, { error: { message, type: status >= 500 ? 'server_error' : 'invalid_request_error' } }));
  }

  /** Takes the request and never answers it. */
  hang(): this {
    return this.push(() => undefined);
  }

  next(): Reply | undefined {
    return this.replies.shift();
  }

  clear(): void {
    this.replies.length = 0;
  }

  /** Answered whole, or streamed as OpenAI streams it when the request asks for `stream: true`. */
  private complete(completion: Completion): this {
    return this.push((response, request) => (request.body.stream ? stream(response, request, completion) : send(response, 200, whole(request, completion))));
  }

  private push(reply: Reply): this {
    this.replies.push(reply);
    return this;
  }
}

/**
 * An OpenAI-compatible chat completions endpoint on loopback (`POST /v1/chat/completions`) that replays scripted
 * answers. Requests whose system prompt has a script of its own (`forSystemPrompt`) are answered from it, so agents
 * running concurrently each get theirs; every other request from the main script, in order. A request with
 * `stream: true` gets the answer as OpenAI streams it (SSE chunks: the text in pieces, tool calls with their arguments
 * split, the usage last when `stream_options.include_usage` asks for it). It keeps every request, so a test can check
 * what the provider client really sent. An unscripted request gets a 400, which fails the run loudly.
 */
export class ScriptedOpenAiServer {
  readonly requests: ChatRequest[] = [];
  /** Every answer waits this long first, as a real model would think. */
  latencyMs = 0;
  private readonly main = new Script();
  private readonly bySystemPrompt = new Map<string, Script>();
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

  /** Forgets the requests, whatever is left of the scripts, and the latency. */
  reset(): void {
    this.requests.length = 0;
    this.main.clear();
    this.bySystemPrompt.clear();
    this.latencyMs = 0;
  }

  /** The script for requests led by this system prompt (an agent's). */
  forSystemPrompt(systemPrompt: string): Script {
    let script = this.bySystemPrompt.get(systemPrompt);
    if (!script) this.bySystemPrompt.set(systemPrompt, (script = new Script()));
    return script;
  }

  /** The requests led by this system prompt, in the order they came. */
  requestsFor(systemPrompt: string): ChatRequest[] {
    return this.requests.filter((request) => systemPromptOf(request) === systemPrompt);
  }

  answer(content: string, usage?: Usage): this {
    this.main.answer(content, usage);
    return this;
  }

  callTools(calls: ScriptedToolCall[], usage?: Usage): this {
    this.main.callTools(calls, usage);
    return this;
  }

  fail(status: number, message: string): this {
    this.main.fail(status, message);
    return this;
  }

  /** Takes the request and never answers it. */
  hang(): this {
    this.main.hang();
    return this;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') return send(response, 404, { error: { message: `no route ${request.method} ${request.url}` } });
    const received: ChatRequest = { body: JSON.parse(Buffer.concat(chunks).toString('utf8')), authorization: request.headers.authorization };
    this.requests.push(received);
    const system = systemPromptOf(received);
    const reply = ((system !== undefined && this.bySystemPrompt.get(system)) || this.main).next();
    if (!reply) return send(response, 400, { error: { message: `unscripted request #${this.requests.length}${system ? ` (system prompt: ${system})` : ''}`, type: 'invalid_request_error' } });
    if (this.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
    reply(response, received);
  }
}

function systemPromptOf(request: ChatRequest): string | undefined {
  const [first] = request.body.messages;
  return first?.role === 'system' && typeof first.content === 'string' ? first.content : undefined;
}

function whole(request: ChatRequest, { content, toolCalls, finishReason, usage }: Completion) {
  return {
    id: `chatcmpl-${Date.now()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.body.model,
    choices: [{ index: 0, message: { role: 'assistant', content, ...(toolCalls && { tool_calls: toolCalls }) }, finish_reason: finishReason, logprobs: null }],
    usage: usageOf(usage),
  };
}

const usageOf = (usage: Usage) => ({ prompt_tokens: usage.prompt, completion_tokens: usage.completion, total_tokens: usage.prompt + usage.completion });

/** The text in word-sized pieces, each tool call's arguments in two, the finish reason, then the usage if asked for. */
function stream(response: ServerResponse, request: ChatRequest, { content, toolCalls = [], finishReason, usage }: Completion): void {
  const id = `chatcmpl-${Date.now()}`;
  const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: request.body.model };
  const chunk = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
  const chunks: unknown[] = [chunk({ role: 'assistant', content: '' })];
  for (const piece of content?.match(/\S+\s*|\s+/g) ?? []) chunks.push(chunk({ content: piece }));
  toolCalls.forEach((call, index) => {
    const half = Math.ceil(call.function.arguments.length / 2);
    chunks.push(chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments.slice(0, half) } }] }));
    chunks.push(chunk({ tool_calls: [{ index, function: { arguments: call.function.arguments.slice(half) } }] }));
  });
  chunks.push(chunk({}, finishReason));
  const options = request.body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) chunks.push({ ...base, choices: [], usage: usageOf(usage) });
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const data of chunks) response.write(`data: ${JSON.stringify(data)}\n\n`);
  response.end('data: [DONE]\n\n');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
