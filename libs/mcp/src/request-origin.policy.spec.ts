import { DomainException } from '@app/core';
import { RequestOriginPolicy } from './request-origin.policy.js';

describe('RequestOriginPolicy', () => {
  const policy = new RequestOriginPolicy({
    allowedHosts: ['localhost', '127.0.0.1', '[::1]', 'mcp.example.com:8443'],
    allowedOrigins: ['http://localhost', 'https://app.example.com/'],
  } as never);
  const refused = (headers: Record<string, string>) => {
    try {
      policy.check(headers);
      return undefined;
    } catch (error) {
      return (error as DomainException).status;
    }
  };

  it('accepts allowed hosts with or without a port, and requests that carry no Origin', () => {
    expect(refused({ host: 'localhost' })).toBeUndefined();
    expect(refused({ host: '127.0.0.1:8000' })).toBeUndefined();
    expect(refused({ host: '[::1]:8000' })).toBeUndefined();
    expect(refused({ host: 'MCP.example.com:8443' })).toBeUndefined();
  });

  it('refuses other hosts, a missing Host, and a host allowed only on another port', () => {
    expect(refused({ host: 'evil.example' })).toBe(403);
    expect(refused({ host: 'localhost.evil.example' })).toBe(403);
    expect(refused({})).toBe(403);
    expect(refused({ host: 'mcp.example.com' })).toBe(403);
  });

  it('checks nothing for a list that is `*`', () => {
    const open = new RequestOriginPolicy({ allowedHosts: ['*'], allowedOrigins: ['*'] } as never);
    expect(() => open.check({ host: 'mcp.example.com', origin: 'https://client.example' })).not.toThrow();
  });

  it('accepts listed origins (any port when listed without one) and refuses the rest', () => {
    expect(refused({ host: 'localhost', origin: 'http://localhost:6274' })).toBeUndefined();
    expect(refused({ host: 'localhost', origin: 'https://app.example.com' })).toBeUndefined();
    expect(refused({ host: 'localhost', origin: 'https://localhost' })).toBe(403);
    expect(refused({ host: 'localhost', origin: 'http://evil.example' })).toBe(403);
    expect(refused({ host: 'localhost', origin: 'null' })).toBe(403);
  });
});
