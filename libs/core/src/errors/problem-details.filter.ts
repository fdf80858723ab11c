import { ArgumentsHost, Catch, ExceptionFilter, Inject, Logger } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { appConfig } from '../config/configuration.js';
import { isErrorLike, toProblem } from './problem-mapper.js';
import { sendProblem } from './problem-reply.js';

/** The one filter: every error of every HTTP route leaves as application/problem+json (or +xml). */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(@Inject(appConfig.KEY) private readonly app: ConfigType<typeof appConfig>) {}

  catch(error: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw error;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const mapped = toProblem(error, request, this.app.debugMode);
    logProblem(this.logger, request.id, mapped.problem.status, error);
    sendProblem(request, reply, mapped);
  }
}

/** Server faults are logged with their stack; client errors are routine and stay at debug. */
function logProblem(logger: Logger, requestId: string, status: number, error: unknown): void {
  const message = isErrorLike(error) ? error.message : String(error);
  if (status >= 500 && status !== 503) logger.error({ requestId, status, err: error }, message);
  else logger.debug({ requestId, status }, message);
}
