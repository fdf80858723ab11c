import { Injectable } from '@nestjs/common';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { FieldError } from '@app/core';
import type { JsonSchema, Tool } from './entities/tool.entity.js';

/** "must have required property 'x'" names the parent; the pointer should name the missing property. */
function pointerOf(error: ErrorObject): string {
  const missing = error.keyword === 'required' ? `/${String((error.params as { missingProperty: string }).missingProperty)}` : '';
  const extra = error.keyword === 'additionalProperties' ? `/${String((error.params as { additionalProperty: string }).additionalProperty)}` : '';
  return `${error.instancePath}${missing}${extra}` || '/';
}

function describe(error: ErrorObject): string {
  if (error.keyword === 'required') return 'is required';
  if (error.keyword === 'additionalProperties') return 'is not allowed';
  return error.message ?? 'is invalid';
}

/**
 * JSON Schema 2020-12 validation, each tool's schemas compiled once per tool version. Only the current version's
 * functions are kept, and ajv forgets each schema once compiled, so tools sharing an `$id` don't collide and old
 * versions don't pile up.
 */
@Injectable()
export class SchemaValidator {
  private readonly ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
  private readonly compiled = new Map<string, { version: number; validate: ValidateFunction }>();

  /** An error per failing value, as JSON pointers into the arguments; empty when they are valid. */
  validateInput(tool: Tool, args: unknown): FieldError[] {
    return this.check(`${tool.id}:in`, tool.version, tool.inputSchema, args);
  }

  validateOutput(tool: Tool, result: unknown): FieldError[] {
    return tool.outputSchema ? this.check(`${tool.id}:out`, tool.version, tool.outputSchema, result) : [];
  }

  /** Throws ajv's message when a schema itself can't be compiled: registry writes check schemas with it. */
  compile(schema: JsonSchema): ValidateFunction {
    try {
      return this.ajv.compile(schema);
    } finally {
      this.ajv.removeSchema(schema);
    }
  }

  private check(key: string, version: number, schema: JsonSchema, value: unknown): FieldError[] {
    let entry = this.compiled.get(key);
    if (entry?.version !== version) {
      entry = { version, validate: this.compile(schema) };
      this.compiled.set(key, entry);
    }
    const { validate } = entry;
    if (validate(value)) return [];
    // Branches (if/then, allOf) can report the same failure twice: each pointer and message once.
    const errors = new Map<string, FieldError>();
    for (const error of validate.errors ?? []) {
      const pointer = pointerOf(error);
      const message = `${pointer} ${describe(error)}`;
      errors.set(message, { pointer, message });
    }
    return [...errors.values()];
  }
}
