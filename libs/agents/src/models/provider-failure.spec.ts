import { describeProviderFailure } from './provider-failure.js';

const failure = (fields: Record<string, unknown>, message = 'boom') => Object.assign(new Error(message), fields);

describe('describeProviderFailure', () => {
  it.each([
    [failure({ status: 401 }), 'LLM_PROVIDER_UNAUTHORIZED'],
    [failure({ lc_error_code: 'MODEL_AUTHENTICATION' }), 'LLM_PROVIDER_UNAUTHORIZED'],
    [failure({ status: 429 }), 'LLM_PROVIDER_RATE_LIMITED'],
    [failure({ status_code: 404 }), 'LLM_MODEL_NOT_FOUND'],
    [failure({ status: 400 }), 'LLM_PROVIDER_REJECTED'],
    [failure({ status: 500 }), 'LLM_PROVIDER_ERROR'],
    [failure({ status: 503 }), 'LLM_PROVIDER_ERROR'],
    [failure({ name: 'TimeoutError' }), 'LLM_PROVIDER_TIMEOUT'],
    [failure({ cause: { code: 'ECONNREFUSED' } }, 'fetch failed'), 'LLM_PROVIDER_UNREACHABLE'],
    [new Error('something else'), 'LLM_PROVIDER_ERROR'],
  ])('%p → %s', (error, code) => {
    expect(describeProviderFailure(error, 'openai').code).toBe(code);
  });

  it('keeps the first line of the message, without the credentials it may repeat', () => {
    const error = failure({ status: 401 }, '401 Incorrect API key provided: sk-abc\n\nTroubleshooting URL: https://docs.langchain.com/x');
    expect(describeProviderFailure(error, 'anthropic', ['sk-abc'])).toEqual({
      code: 'LLM_PROVIDER_UNAUTHORIZED',
      message: 'anthropic answered 401: 401 Incorrect API key provided: [redacted]',
    });
  });
});
