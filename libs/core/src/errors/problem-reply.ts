import type { FastifyReply, FastifyRequest } from 'fastify';
import { prefersXml } from '../http/content-negotiation.js';
import { toXml } from '../http/xml.js';
import { MappedProblem } from './problem-mapper.js';
import { PROBLEM_JSON, PROBLEM_XML } from './problem-details.js';

/** Writes a problem as JSON, or as XML to a client that asked for XML. */
export function sendProblem(request: FastifyRequest, reply: FastifyReply, { problem, headers }: MappedProblem): void {
  if (reply.sent) return;
  reply.status(problem.status).headers(headers);
  if (prefersXml(request.headers.accept)) {
    void reply.type(PROBLEM_XML).send(toXml(problem, 'problem', 'urn:ietf:rfc:7807'));
  } else {
    void reply.type(PROBLEM_JSON).send(JSON.stringify(problem));
  }
}
