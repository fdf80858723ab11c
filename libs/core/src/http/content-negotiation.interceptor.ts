import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { map, Observable } from 'rxjs';
import { DomainException } from '../errors/domain.exception.js';
import { DEFAULT_PRODUCES, negotiateMediaType, XML_TYPE } from './content-negotiation.js';
import { PRODUCES_KEY } from './produces.decorator.js';
import { toXml } from './xml.js';

/** JSON by default; the same body as XML for `Accept: application/xml`; 406 when the client accepts neither. */
@Injectable()
export class ContentNegotiationInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const produces = this.reflector.get<string[] | undefined>(PRODUCES_KEY, context.getHandler()) ?? DEFAULT_PRODUCES;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const mediaType = negotiateMediaType(request.headers.accept, produces);
    if (!mediaType) {
      throw new DomainException({
        status: 406,
        code: 'NOT_ACCEPTABLE',
        title: 'Not acceptable',
        detail: `This resource is available as ${produces.join(' or ')}; the Accept header allows none of them.`,
      });
    }
    if (mediaType !== XML_TYPE) return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        void reply.type('application/xml; charset=utf-8');
        return toXml(body);
      }),
    );
  }
}
