import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { ToolExecutionError } from '../tool-handler.js';

export interface SandboxLimits {
  /** Wall-clock budget of one evaluation. */
  timeoutMs: number;
  /** The result's JSON may not be longer than this. */
  maxResultBytes: number;
  /** Heap of the worker: an expression that outgrows it ends the worker, not the server. */
  maxHeapMb: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = { timeoutMs: 5_000, maxResultBytes: 4 * 1024 * 1024, maxHeapMb: 128 };

type Answer = { json: string } | { phase: 'parse' | 'evaluate' | 'size'; message: string };

// The library's CommonJS build, loaded by path so the worker needs no module resolution of its own (jest or dist alike).
const LIBRARY = createRequire(import.meta.url).resolve('@jmespath-community/jmespath');

/*
 * JMESPath always terminates, but a short expression can still build an exponentially large value
 * (`[@,@] | [@,@] | …` shares references until something serialises or compares it), which would exhaust the heap
 * or block the event loop. Each evaluation therefore runs in a worker thread with its own heap limit and is
 * terminated on timeout or when the call is aborted. The result leaves the worker as JSON, measured as it is written.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const jmespath = require(workerData.library);
function answer() {
  let ast;
  try {
    ast = jmespath.compile(workerData.expression);
  } catch (error) {
    return { phase: 'parse', message: String(error && error.message) };
  }
  let value;
  try {
    value = jmespath.TreeInterpreter.search(ast, workerData.document);
  } catch (error) {
    return { phase: 'evaluate', message: String(error && error.message) };
  }
  let written = 0;
  try {
    const json = JSON.stringify(value === undefined ? null : value, (key, item) => {
      written += key.length + (typeof item === 'string' ? item.length : 8);
      if (written > workerData.maxResultBytes) throw new Error('too large');
      return item;
    });
    if (json.length > workerData.maxResultBytes) throw new Error('too large');
    return { json };
  } catch {
    return { phase: 'size', message: 'the result is larger than ' + workerData.maxResultBytes + ' bytes' };
  }
}
parentPort.postMessage(answer());
`;

/** Evaluates a JMESPath expression over a document in an isolated worker; errors are ToolExecutionErrors with codes. */
export function evaluateJmespath(expression: string, document: unknown, signal: AbortSignal, limits = DEFAULT_SANDBOX_LIMITS): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { library: LIBRARY, expression, document, maxResultBytes: limits.maxResultBytes },
      resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      settle();
    };
    const onAbort = () => finish(() => reject(signal.reason));
    const timer = setTimeout(
      () => finish(() => reject(new ToolExecutionError(`the query did not finish within ${limits.timeoutMs} ms`, 'QUERY_TOO_EXPENSIVE'))),
      limits.timeoutMs,
    );
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (answer: Answer) => finish(() => (('json' in answer) ? resolve(JSON.parse(answer.json)) : reject(failure(answer)))));
    worker.once('error', (error: Error & { code?: string }) =>
      finish(() =>
        reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new ToolExecutionError(`the query needs more than ${limits.maxHeapMb} MB of memory`, 'QUERY_TOO_EXPENSIVE')
            : error,
        ),
      ),
    );
  });
}

function failure(answer: Exclude<Answer, { json: string }>): ToolExecutionError {
  if (answer.phase === 'parse') return new ToolExecutionError(`invalid JMESPath expression: ${answer.message}`, 'QUERY_INVALID');
  if (answer.phase === 'size') return new ToolExecutionError(answer.message, 'RESULT_TOO_LARGE');
  return new ToolExecutionError(`the query failed: ${answer.message}`, 'QUERY_FAILED');
}
