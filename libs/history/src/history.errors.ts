import { DomainException } from '@app/core';

export function conversationNotFound(id: string): DomainException {
  return new DomainException({ status: 404, code: 'CONVERSATION_NOT_FOUND', title: 'Conversation not found', detail: `No conversation has id ${id}.` });
}

export function userFilterForbidden(): DomainException {
  return new DomainException({ status: 403, code: 'ROLE_REQUIRED', title: 'Forbidden', detail: "Only admins may list another user's history." });
}
