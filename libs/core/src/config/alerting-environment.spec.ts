import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alertingConfig } from './configuration.js';
import { ConfigurationError, readEnvironment } from './environment.js';

/** The alerting namespace as the app would read it from `env`. */
function alerting(env: Record<string, string>) {
  const saved = process.env;
  process.env = env;
  try {
    return alertingConfig();
  } finally {
    process.env = saved;
  }
}

describe('alerting settings', () => {
  it('evaluates every 15 s with the default dependency rules, and has no channel until one is configured', () => {
    expect(alerting({})).toMatchObject({
      enabled: true,
      evalIntervalMs: 15_000,
      defaultRules: true,
      dependencyFailures: 3,
      cooldownSeconds: 300,
      delivery: { attempts: 4, backoffMs: 1000, timeoutMs: 5000 },
      channels: { slack: undefined, pagerduty: undefined, webhook: undefined, email: undefined, sms: undefined },
    });
  });

  it('reads each channel from its variables, the SMTP server from its URL', () => {
    const config = alerting({
      ALERT_SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/x',
      ALERT_PAGERDUTY_ROUTING_KEY: 'routing-key',
      ALERT_PAGERDUTY_URL: 'http://127.0.0.1:9999',
      ALERT_WEBHOOK_URL: 'https://hooks.example.com/alerts',
      ALERT_WEBHOOK_SECRET: 'a-webhook-secret-of-length',
      ALERT_SMTP_URL: 'smtps://alerts%40example.com:p%40ss@mail.example.com',
      ALERT_EMAIL_FROM: 'alerts@example.com',
      ALERT_EMAIL_TO: 'a@example.com, b@example.com',
      ALERT_TWILIO_ACCOUNT_SID: 'AC0123456789abcdef',
      ALERT_TWILIO_AUTH_TOKEN: 'token',
      ALERT_TWILIO_FROM: '+15550001111',
      ALERT_SMS_TO: '+15550002222',
      ALERT_SOURCE: 'mcp-prod-eu',
    });
    expect(config.source).toBe('mcp-prod-eu');
    expect(config.channels).toEqual({
      slack: { webhookUrl: 'https://hooks.slack.com/services/T/B/x' },
      pagerduty: { routingKey: 'routing-key', url: 'http://127.0.0.1:9999' },
      webhook: { url: 'https://hooks.example.com/alerts', secret: 'a-webhook-secret-of-length' },
      email: { host: 'mail.example.com', port: 465, secure: true, username: 'alerts@example.com', password: 'p@ss', from: 'alerts@example.com', to: ['a@example.com', 'b@example.com'] },
      sms: { accountSid: 'AC0123456789abcdef', authToken: 'token', from: '+15550001111', to: ['+15550002222'] },
    });
  });

  it.each([
    [{ ALERT_EVAL_INTERVAL_MS: '10' }, 'ALERT_EVAL_INTERVAL_MS must not be less than 50 (got "10")'],
    [{ ALERT_SMS_TO: '555-1234' }, 'ALERT_SMS_TO must be comma-separated phone numbers in E.164 form (+15551234567) (got "555-1234")'],
    [{ ALERT_SMTP_URL: 'smtp://mail.example.com' }, 'ALERT_EMAIL_FROM, ALERT_EMAIL_TO must be set too: ALERT_SMTP_URL configure a channel together with them'],
    [{ ALERT_WEBHOOK_SECRET: 'a-webhook-secret-of-length' }, 'ALERT_WEBHOOK_SECRET is set without ALERT_WEBHOOK_URL'],
    [{ ALERT_TWILIO_ACCOUNT_SID: 'AC0123456789abcdef' }, 'ALERT_TWILIO_AUTH_TOKEN, ALERT_TWILIO_FROM, ALERT_SMS_TO must be set too: ALERT_TWILIO_ACCOUNT_SID configure a channel together with them'],
  ])('names what is wrong with the alerting variables: %j', (env, message) => {
    expect(() => readEnvironment(env)).toThrow(new ConfigurationError(message));
  });

  it('never echoes a channel credential', () => {
    expect(() => readEnvironment({ ALERT_SLACK_WEBHOOK_URL: 'hooks.slack.com/services/s3cret' })).toThrow(/^(?!.*s3cret)/);
    expect(() => readEnvironment({ ALERT_SMTP_URL: 'mail://user:s3cret@host' })).toThrow(/^(?!.*s3cret)/);
  });

  it('takes the alerting variables from APP_CONFIG too', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mcpa-config-')), 'config.json');
    writeFileSync(file, JSON.stringify({ ALERT_EVAL_INTERVAL_MS: 5000, ALERT_DEFAULT_RULES: false }));
    expect(readEnvironment({ APP_CONFIG: file })).toMatchObject({ ALERT_EVAL_INTERVAL_MS: 5000, ALERT_DEFAULT_RULES: false });
  });
});
