import type { BuiltinTool } from './builtin-tool.js';
import { evaluateJmespath } from './jmespath-sandbox.js';

export const jsonQuery: BuiltinTool = {
  name: 'json_query',
  title: 'JSON query (JMESPath)',
  description:
    'Selects and reshapes data in a JSON document with a JMESPath expression (jmespath.org): paths ("a.b[0]"), ' +
    'projections ("items[*].name"), filters ("items[?price > `10`]"), multiselect ("{n: name, p: price}"), pipes and ' +
    'functions (length, sort_by, max_by, join, contains, to_number…). Returns null when nothing matches.',
  inputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      expression: {
        type: 'string',
        minLength: 1,
        maxLength: 2000,
        description: 'The JMESPath expression, e.g. "people[?age >= `18`].name | sort(@)"; literals go in backticks',
      },
      document: { description: 'The JSON value to query: an object, array or any other JSON value' },
    },
    required: ['expression', 'document'],
    additionalProperties: false,
  },
  outputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { result: { description: 'What the expression selected: any JSON value, null when nothing matched' } },
    required: ['result'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
  cacheTtlSeconds: 300,
  run: async ({ expression, document }, context) => ({ result: await evaluateJmespath(String(expression), document, context.signal) }),
};
