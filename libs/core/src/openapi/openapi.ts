import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ProblemDetails, PROBLEM_JSON, PROBLEM_XML } from '../errors/problem-details.js';
import { JSON_TYPE, XML_TYPE } from '../http/content-negotiation.js';

const PROBLEM_REF = { $ref: '#/components/schemas/ProblemDetails' };

/** `ApiKeysController.create` → `api_keys_create`: stable, unique, and readable as an SDK method name. */
export function operationId(controllerKey: string, methodKey: string): string {
  const resource = controllerKey
    .replace(/Controller$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
  return `${resource}_${methodKey}`;
}

function problemContent() {
  return { [PROBLEM_JSON]: { schema: PROBLEM_REF }, [PROBLEM_XML]: { schema: PROBLEM_REF } };
}

type ResponseObject = { description?: string; content?: Record<string, unknown> };

/**
 * Error responses are ProblemDetails unless a route declares its own body (the Terminus readiness body), and
 * `default` covers the errors a route didn't list. JSON bodies are offered as XML too, as content negotiation does.
 */
function applyResponseConventions(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      const responses = operation.responses as Record<string, ResponseObject>;
      for (const [status, response] of Object.entries(responses)) {
        const json = response.content?.[JSON_TYPE];
        if (/^[45]/.test(status)) {
          responses[status] = { description: response.description || 'Error', content: json ? { [JSON_TYPE]: json } : problemContent() };
        } else if (json) {
          response.content = { ...response.content, [XML_TYPE]: json };
        }
      }
      responses.default = { description: 'Any other error, as RFC 9457 problem details', content: problemContent() };
    }
  }
}

/** Keys in a fixed order, so the committed openapi.json changes only when the API does. */
export function sortDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map(sortDeep) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortDeep((value as Record<string, unknown>)[key])]),
    ) as T;
  }
  return value;
}

export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('MCP Assistant')
    .setDescription(
      'Enterprise MCP server: a tool registry served over the Model Context Protocol (at /mcp) and over this REST API. ' +
        'Errors are RFC 9457 problem details. Send `Accept: application/xml` for XML bodies.',
    )
    .setVersion(version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'API key', description: 'An API key as a bearer token' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'An API key in the X-API-Key header' }, 'api-key')
    .build();
  const document = SwaggerModule.createDocument(app, config, {
    operationIdFactory: operationId,
    extraModels: [ProblemDetails],
  });
  applyResponseConventions(document);
  return sortDeep(document);
}

/** Swagger UI at /docs, the document at /docs/openapi.json and /docs/openapi.yaml. */
export function setupOpenApi(app: INestApplication, version: string): OpenAPIObject {
  const document = buildOpenApiDocument(app, version);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs/openapi.json',
    yamlDocumentUrl: 'docs/openapi.yaml',
    customSiteTitle: 'MCP Assistant API',
  });
  return document;
}
