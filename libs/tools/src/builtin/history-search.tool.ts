import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { HISTORY_SEARCH_KINDS, HistorySearchService, MESSAGE_ROLES, type HistorySearchKind } from '@app/history';
import { ToolExecutionError, type ToolCallContext } from '../tool-handler.js';
import type { BuiltinTool } from './builtin-tool.js';

const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

interface HistorySearchArgs {
  query: string;
  kind?: HistorySearchKind;
  conversationId?: string;
  since?: string;
  limit?: number;
}

/** Searches the caller's own messages and tool calls: always the caller's, whatever their role. */
@Injectable()
export class HistorySearchTool implements BuiltinTool {
  readonly name = 'history_search';
  readonly title = 'Search my history';
  readonly description =
    "Finds text in your own past conversations (message contents) and tool calls (tool name, arguments, result, error), " +
    'case-insensitively, newest first, each with a snippet around the match. Only ever searches the calling user\'s history.';
  readonly inputSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      query: { type: 'string', minLength: 1, maxLength: 200, description: 'The text to find (a plain substring, not a pattern), e.g. "invoice 1234"' },
      kind: { enum: HISTORY_SEARCH_KINDS, default: 'all', description: 'Search messages, tool_invocations, or all (both)' },
      conversationId: { type: 'string', pattern: UUID_PATTERN, description: 'Only this conversation (its UUID)' },
      since: { type: 'string', minLength: 1, maxLength: 64, description: 'Only entries created at or after this ISO 8601 date-time, e.g. "2025-06-01T00:00:00Z"' },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'At most this many matches (1–100)' },
    },
    required: ['query'],
    additionalProperties: false,
  };
  readonly outputSchema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      matches: {
        type: 'array',
        description: 'Newest first',
        items: {
          type: 'object',
          properties: {
            type: { enum: ['message', 'tool_invocation'], description: 'What matched' },
            id: { type: 'string', description: 'The message or tool invocation id' },
            conversationId: { type: ['string', 'null'], description: 'The conversation it belongs to, if any' },
            role: { enum: MESSAGE_ROLES, description: 'message: who wrote it' },
            toolName: { type: 'string', description: 'tool_invocation: the tool that was called' },
            snippet: { type: 'string', description: 'The text around the match, "…" where cut' },
            createdAt: { type: 'string', description: 'When it was written, ISO 8601 UTC' },
          },
          required: ['type', 'id', 'conversationId', 'snippet', 'createdAt'],
          additionalProperties: false,
        },
      },
      hasMore: { type: 'boolean', description: 'More entries matched than limit: narrow the search or raise limit' },
    },
    required: ['matches', 'hasMore'],
    additionalProperties: false,
  };
  readonly annotations = { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false };
  // History grows with every call.
  readonly cacheTtlSeconds = 0;

  constructor(private readonly history: HistorySearchService) {}

  async run(args: Record<string, unknown>, context: ToolCallContext): Promise<unknown> {
    const { query, kind, conversationId, since, limit } = args as unknown as HistorySearchArgs;
    const found = await this.history.search(context.principal.userId, {
      text: query,
      kind,
      conversationId,
      since: since === undefined ? undefined : parseSince(since),
      limit: limit ?? 20,
    });
    return {
      matches: found.matches.map(({ createdAt, ...match }) => ({ ...match, createdAt: createdAt.toISOString() })),
      hasMore: found.hasMore,
    };
  }
}

function parseSince(since: string): Date {
  const parsed = DateTime.fromISO(since, { zone: 'UTC' });
  if (!parsed.isValid) throw new ToolExecutionError(`since "${since}" is not an ISO 8601 date-time (e.g. "2025-06-01T00:00:00Z")`, 'DATE_INVALID');
  return parsed.toJSDate();
}
