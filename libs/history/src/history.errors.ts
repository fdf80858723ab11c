import { DomainException } from '@app/core';

export function conversationNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'CONVERSATION_NOT_FOUND', title: 'Conversation not found', detail: `No conversation has id ${id}.` });
}

export function userFilterForbidden(): DomainException {
  return new DomainException({ status: 403, code: 'ROLE_REQUIRED', title: 'Forbidden', detail: "Only admins may list another user's history." });
}

export function invalidCursor(): DomainException {
  return new DomainException({
    status: 400,
    code: 'INVALID_CURSOR',
    title: 'Invalid cursor',
    detail: 'cursor is not one this API returned; pass the nextCursor of the previous page, or omit it for the first page.',
  });
}
