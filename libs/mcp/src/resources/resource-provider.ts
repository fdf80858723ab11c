import type { ReadResourceResult, Resource, ResourceTemplateType } from '@modelcontextprotocol/server';
import type { Principal } from '@app/users';

/** One source of MCP resources (the caller's conversations, the conformance fixtures); registered with McpResources. */
export interface McpResourceProvider {
  /** The direct resources this caller may read. */
  list(principal: Principal): Promise<Resource[]>;
  readonly templates: ResourceTemplateType[];
  /** The contents, or undefined when the URI is not this provider's to answer. */
  read(principal: Principal, uri: string): Promise<ReadResourceResult | undefined>;
}
