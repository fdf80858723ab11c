import net from 'node:net';

/** A loopback TCP proxy a test can cut and restore, to make a real dependency vanish mid-run. */
export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private readonly pairs = new Set<{ upstream: net.Socket; client: net.Socket }>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  async start(port = this.port): Promise<number> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.target);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      const pair = { upstream, client };
      this.pairs.add(pair);
      upstream.on('close', () => this.pairs.delete(pair));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server!.address() as net.AddressInfo).port;
    return this.port;
  }

  /** Holds back what the target sends (replies, pushed messages) on every open connection until `release`. */
  hold(): void {
    for (const { upstream, client } of this.pairs) upstream.unpipe(client);
  }

  release(): void {
    for (const { upstream, client } of this.pairs) upstream.pipe(client);
  }

  /** Closes the listener and every open connection: the dependency is gone. */
  async cut(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }
}

/** A port on loopback that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
