import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { shutdownConfig } from '@app/core';

const SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Graceful stop for Kubernetes/ECS: on SIGTERM readiness turns 503 at once, the server keeps serving for the drain
 * delay (so the load balancer stops sending), then stops accepting, lets in-flight requests finish, runs every
 * shutdown hook (buffers flushed, connections closed) and exits 0, or 1 when SHUTDOWN_TIMEOUT_MS runs out first.
 */
@Injectable()
export class ShutdownService {
  private readonly logger = new Logger(ShutdownService.name);
  private started = false;

  constructor(@Inject(shutdownConfig.KEY) private readonly config: ConfigType<typeof shutdownConfig>) {}

  get draining(): boolean {
    return this.started;
  }

  /** Installs the signal handlers for a server process; tests call drain() directly instead. */
  handleSignals(app: NestFastifyApplication, exit: (code: number) => void = (code) => process.exit(code)): void {
    for (const signal of SIGNALS) {
      process.once(signal, () => {
        this.logger.log(`${signal} received: draining`);
        void this.drain(app).then(
          () => exit(0),
          (error: Error) => {
            this.logger.error(`shutdown failed: ${error.stack ?? error.message}`);
            exit(1);
          },
        );
      });
    }
  }

  async drain(app: NestFastifyApplication): Promise<void> {
    if (this.started) return;
    this.started = true;
    const deadline = setTimeout(() => {
      this.logger.error(`shutdown did not finish within ${this.config.timeoutMs} ms; exiting`);
      process.exit(1);
    }, this.config.timeoutMs);
    deadline.unref();
    try {
      if (this.config.drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.config.drainDelayMs));
      // Keep-alive connections of requests still in flight close as soon as their response is out, instead of
      // holding the closing server open for the whole keep-alive timeout.
      app.getHttpServer().keepAliveTimeout = 1;
      await app.close();
      this.logger.log('shutdown complete');
    } finally {
      clearTimeout(deadline);
    }
  }
}
