import { DomainException } from '@app/core';

const CHALLENGE = 'Bearer realm="mcp-assistant"';

/** 401 with the RFC 6750 challenge; `invalid_token` once a credential was presented and refused. */
export function unauthorized(code: string, detail: string, presented: boolean): DomainException {
  const challenge = presented ? `${CHALLENGE}, error="invalid_token", error_description="${detail.replace(/"/g, "'")}"` : CHALLENGE;
  return new DomainException({ status: 401, code, title: 'Unauthorized', detail, headers: { 'www-authenticate': challenge } });
}

export function forbidden(code: string, detail: string): DomainException {
  return new DomainException({ status: 403, code, title: 'Forbidden', detail });
}

export function userNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'USER_NOT_FOUND', title: 'User not found', detail: `No user has id ${id}.` });
}

export function apiKeyNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'API_KEY_NOT_FOUND', title: 'API key not found', detail: `No API key has id ${id}.` });
}

export function emailTaken(email: string): DomainException {
  return new DomainException({ status: 409, code: 'EMAIL_TAKEN', title: 'Email already in use', detail: `A user with email ${email} already exists.` });
}

export function builtinUserImmutable(): DomainException {
  return new DomainException({
    status: 409,
    code: 'BUILTIN_USER_IMMUTABLE',
    title: 'Built-in user cannot be changed',
    detail: 'The built-in admin of API_KEY is managed by the deployment: unset API_KEY to retire it.',
  });
}
