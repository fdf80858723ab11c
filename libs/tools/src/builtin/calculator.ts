import type { MathJsInstance } from 'mathjs';
import { ToolExecutionError } from '../tool-handler.js';
import type { BuiltinTool } from './builtin-tool.js';

let instance: Promise<{ math: MathJsInstance; evaluate: MathJsInstance['evaluate'] }> | undefined;

/**
 * A private mathjs instance with the functions that could reach beyond arithmetic removed (mathjs' security advice),
 * made on the first call: loading mathjs and building an instance takes over a second, every boot of every instance.
 */
function mathjs() {
  instance ??= import('mathjs').then(({ all, create }) => {
    const math = create(all);
    const evaluate = math.evaluate.bind(math);
    const refuse = (name: string) => () => {
      throw new Error(`${name} is not available`);
    };
    math.import(
      Object.fromEntries(['import', 'createUnit', 'evaluate', 'parse', 'simplify', 'derivative', 'resolve', 'reviver'].map((name) => [name, refuse(name)])),
      { override: true },
    );
    return { math, evaluate };
  });
  return instance;
}

export const calculator: BuiltinTool = {
  name: 'calculator',
  title: 'Calculator',
  description:
    'Evaluates an arithmetic expression safely (no code execution): + - * / ^ %, parentheses, functions such as sqrt, ' +
    'sin, log, round, constants pi and e, and units (e.g. "5 cm to inch").',
  inputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { expression: { type: 'string', minLength: 1, maxLength: 1000, description: 'The expression, e.g. "2 * (3 + 4)"' } },
    required: ['expression'],
    additionalProperties: false,
  },
  outputSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      value: { type: ['number', 'string', 'boolean'], description: 'A number when the result is one, else its text form' },
      text: { type: 'string', description: 'The result as text' },
    },
    required: ['value', 'text'],
    additionalProperties: false,
  },
  annotations: { readOnlyHint: true, idempotentHint: true, destructiveHint: false, openWorldHint: false },
  cacheTtlSeconds: 300,
  run: async ({ expression }) => {
    const { math, evaluate } = await mathjs();
    let value: unknown;
    try {
      value = evaluate(String(expression));
    } catch (error) {
      throw new ToolExecutionError(`cannot evaluate "${String(expression)}": ${(error as Error).message}`, 'EXPRESSION_INVALID');
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      if (typeof value === 'number' && !Number.isFinite(value)) throw new ToolExecutionError(`"${String(expression)}" is not a finite number`, 'EXPRESSION_INVALID');
      return { value, text: String(value) };
    }
    if (typeof value === 'function' || value === undefined) throw new ToolExecutionError(`"${String(expression)}" is not a value`, 'EXPRESSION_INVALID');
    const text = math.format(value, { precision: 14 });
    return { value: text, text };
  },
};
