import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One request as a receiver got it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** The raw body, as a signature is computed over it. */
  body: string;
  at: number;
  /** When the answer was sent. */
  answeredAt?: number;
}

interface Reply {
  status: number;
  delayMs: number;
}

/**
 * An HTTP endpoint on loopback standing in for Slack, PagerDuty, a webhook or Twilio: it keeps every request and
 * answers 2xx unless a test scripted failures (`failNext`), optionally after a delay.
 */
export class HttpReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly replies: Reply[] = [];
  private readonly http: Server;
  url = '';

  constructor(private readonly okStatus = 200) {
    this.http = createServer((request, response) => void this.handle(request, response));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
    return this;
  }

  /** The next `count` requests get `status`, each after `delayMs`. */
  failNext(count: number, status = 500, delayMs = 0): this {
    for (let i = 0; i < count; i++) this.replies.push({ status, delayMs });
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.replies.length = 0;
  }

  json(index: number): any {
    return JSON.parse(this.requests[index].body);
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received: ReceivedRequest = { method: request.method!, path: request.url!, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
    this.requests.push(received);
    const reply = this.replies.shift() ?? { status: this.okStatus, delayMs: 0 };
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    received.answeredAt = Date.now();
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.status < 300 ? { ok: true } : { error: 'scripted failure' }));
  }
}

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw message: headers and body. */
  data: string;
  user?: string;
  password?: string;
}

/** An SMTP server on loopback (smtp-server, no TLS, optional plain-text AUTH) keeping every message. */
export class SmtpReceiver {
  readonly mails: ReceivedMail[] = [];
  private readonly server: SMTPServer;
  port = 0;

  constructor() {
    this.server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      logger: false,
      onAuth: (auth, session, callback) => {
        (session as unknown as { credentials: unknown }).credentials = { user: auth.username, password: auth.password };
        callback(null, { user: auth.username });
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const credentials = (session as unknown as { credentials?: { user: string; password: string } }).credentials;
          this.mails.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((recipient) => recipient.address),
            data: Buffer.concat(chunks).toString('utf8'),
            user: credentials?.user,
            password: credentials?.password,
          });
          callback();
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
