import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { RedisService } from '@app/core';
import { BuiltinToolHandler } from '@app/tools';
import { DataSource } from 'typeorm';
import { AlertEnvironmentSync, webhookSignature } from '@app/observability';
import { HttpReceiver, SmtpReceiver } from './support/alert-receivers.js';
import { ProbeController } from './support/probe.controller.js';
import { TcpProxy } from './support/tcp-proxy.js';
import { createTestApp, onPostgres, resetState, useTestApp } from './support/test-app.js';
import { ADMIN_KEY, bearer, createUser } from './support/users.js';
import { waitFor } from './support/wait-for.js';

type Injected = Awaited<ReturnType<NestFastifyApplication['inject']>>;

const WEBHOOK_SECRET = 'webhook-hmac-secret-7c1d9e';
const SLACK_PATH = '/services/T000/B000/slack-secret-token';
const TWILIO_SID = 'AC0123456789abcdef0123456789abcdef';
const TWILIO_TOKEN = 'twilio-auth-token-5e8a';
const SMTP_PASSWORD = 'smtp-password-91b2';

function body(response: Injected, status: number) {
  expect({ status: response.statusCode, body: response.body }).toMatchObject({ status });
  return status === 204 ? undefined : response.json();
}

function problem(response: Injected, status: number, code: string) {
  expect({ status: response.statusCode, type: response.headers['content-type'] }).toEqual({ status, type: expect.stringMatching(/^application\/problem\+json/) });
  expect(response.json()).toMatchObject({ status, code });
  return response.json();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const receivers = { slack: new HttpReceiver(), pagerduty: new HttpReceiver(202), webhook: new HttpReceiver(), twilio: new HttpReceiver(201) };
const smtp = new SmtpReceiver();
// Listening before the apps are described, as their environment names the receivers.
await Promise.all([...Object.values(receivers).map((receiver) => receiver.start()), smtp.start()]);

afterAll(async () => {
  await Promise.all([...Object.values(receivers).map((receiver) => receiver.close()), smtp.close()]);
});
beforeEach(() => {
  for (const receiver of Object.values(receivers)) receiver.reset();
  smtp.mails.length = 0;
});

describe('alert channels, rules and history: the admin API', () => {
  const app = useTestApp({
    env: { API_KEY: ADMIN_KEY, RATE_LIMIT_MAX: '0', ALERT_EVAL_INTERVAL_MS: '60000', ALERT_DELIVERY_ATTEMPTS: '1', ALERT_DELIVERY_TIMEOUT_MS: '1000' },
  });
  const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, key = ADMIN_KEY) =>
    app().inject({ method, url, headers: bearer(key), ...(payload && { payload }) });

  beforeEach(async () => {
    await resetState(app());
    await app().get(AlertEnvironmentSync).apply();
  });

  it('stores channel credentials encrypted, never returns them, and keeps them when they are sent back masked', async () => {
    const created = body(await inject('POST', '/alerts/channels', { name: 'ops-webhook', kind: 'webhook', config: { url: `${receivers.webhook.url}/hook?token=abc`, secret: WEBHOOK_SECRET } }), 201);
    expect(created).toMatchObject({ name: 'ops-webhook', kind: 'webhook', enabled: true, source: 'api', config: { url: '********', secret: '********' } });
    const [row] = await app().get(DataSource).query(`SELECT config::text AS config FROM alert_channels WHERE id = $1`, [created.id]);
    expect(row.config).not.toContain(WEBHOOK_SECRET);
    expect(row.config).not.toContain('token=abc');
    expect(JSON.parse(row.config)).toEqual({ url: expect.stringMatching(/^enc:v1:/), secret: expect.stringMatching(/^enc:v1:/) });

    // Renamed with the masked config sent back: the credentials stay, as the test delivery shows.
    body(await inject('PATCH', `/alerts/channels/${created.id}`, { name: 'ops-hook', config: created.config }), 200);
    body(await inject('POST', `/alerts/channels/${created.id}/test`), 200);
    expect(receivers.webhook.requests).toHaveLength(1);
    expect(receivers.webhook.requests[0].path).toBe('/hook?token=abc');
    expect(receivers.webhook.requests[0].headers['x-signature-256']).toBe(webhookSignature(WEBHOOK_SECRET, receivers.webhook.requests[0].body));

    const audit = body(await inject('GET', `/audit?targetId=${created.id}`), 200).items;
    expect(audit.map((event: { action: string }) => event.action).sort()).toEqual(['alert_channel.created', 'alert_channel.updated']);
    expect(JSON.stringify(audit)).not.toContain(WEBHOOK_SECRET);
    body(await inject('DELETE', `/alerts/channels/${created.id}`), 204);
    problem(await inject('GET', `/alerts/channels/${created.id}`), 404, 'ALERT_CHANNEL_NOT_FOUND');
  });

  it('answers every bad request with a problem naming what is wrong', async () => {
    const bad = problem(await inject('POST', '/alerts/channels', { name: 'x', kind: 'sms', config: { accountSid: 'nope', authToken: 't', from: '555', to: [] } }), 400, 'VALIDATION_FAILED');
    expect(bad.errors.map((error: { pointer: string }) => error.pointer).sort()).toEqual(['/config/accountSid', '/config/from', '/config/to']);
    problem(await inject('POST', '/alerts/channels', { name: 'x', kind: 'slack', config: { webhookUrl: 'https://hooks.example/x', extra: 1 } }), 400, 'VALIDATION_FAILED');
    problem(await inject('POST', '/alerts/channels', { name: 'has space', kind: 'carrier-pigeon', config: {} }), 400, 'VALIDATION_FAILED');
    problem(await inject('POST', '/alerts/channels', { name: 'x', kind: 'slack', config: { webhookUrl: '********' } }), 400, 'VALIDATION_FAILED');
    problem(await inject('GET', '/alerts/channels/not-a-uuid'), 400, 'VALIDATION_FAILED');
    problem(await inject('POST', '/alerts/rules', { name: 'r', kind: 'dependency_down', threshold: 0.5 }), 400, 'VALIDATION_FAILED');
    problem(await inject('POST', '/alerts/rules', { name: 'r', kind: 'http_error_rate', threshold: 5 }), 400, 'VALIDATION_FAILED');
    problem(await inject('POST', '/alerts/rules', { name: 'r', kind: 'http_error_rate', threshold: 0.1, cooldownSeconds: null }), 400, 'VALIDATION_FAILED');
    const unknownChannel = problem(await inject('POST', '/alerts/rules', { name: 'r', kind: 'http_error_rate', threshold: 0.1, channelIds: ['00000000-0000-4000-8000-000000000000'] }), 400, 'VALIDATION_FAILED');
    expect(unknownChannel.errors).toEqual([{ pointer: '/channelIds/0', message: 'no alert channel has id 00000000-0000-4000-8000-000000000000' }]);
    problem(await inject('GET', '/alerts?state=burning'), 400, 'VALIDATION_FAILED');
    problem(await inject('GET', '/alerts/00000000-0000-4000-8000-000000000000'), 404, 'ALERT_NOT_FOUND');
    body(await inject('POST', '/alerts/rules', { name: 'dup', kind: 'tool_error_rate', threshold: 0.2 }), 201);
    problem(await inject('POST', '/alerts/rules', { name: 'dup', kind: 'tool_error_rate', threshold: 0.2 }), 409, 'ALERT_RULE_NAME_TAKEN');
  });

  it('is for admins only, and for keys with the alerts scopes', async () => {
    const member = await createUser(app());
    problem(await inject('GET', '/alerts', undefined, member.key), 403, 'ROLE_REQUIRED');
    const admin = await createUser(app(), { role: 'admin', scopes: ['alerts:read'] });
    body(await inject('GET', '/alerts/rules', undefined, admin.key), 200);
    problem(await inject('POST', '/alerts/rules', { name: 'nope', kind: 'tool_error_rate', threshold: 0.2 }, admin.key), 403, 'SCOPE_REQUIRED');
  });

  it('fills in rule defaults by kind, and keeps kind-specific fields consistent on change', async () => {
    const rule = body(await inject('POST', '/alerts/rules', { name: 'api-5xx', kind: 'http_error_rate', threshold: 0.05 }), 201);
    expect(rule).toMatchObject({ kind: 'http_error_rate', severity: 'warning', target: null, threshold: 0.05, windowSeconds: 300, minSamples: 10, consecutiveBreaches: 1, cooldownSeconds: 300, channelIds: null, source: 'api', enabled: true });
    const changed = body(await inject('PATCH', `/alerts/rules/${rule.id}`, { windowSeconds: 60, severity: 'critical', channelIds: [] }), 200);
    expect(changed).toMatchObject({ windowSeconds: 60, severity: 'critical', channelIds: [], threshold: 0.05 });
    problem(await inject('PATCH', `/alerts/rules/${rule.id}`, { target: 'database' }), 400, 'VALIDATION_FAILED');
    problem(await inject('PATCH', `/alerts/rules/${rule.id}`, { kind: 'dependency_down' }), 400, 'VALIDATION_FAILED');
    const dependency = body(await inject('POST', '/alerts/rules', { name: 'disk-full', kind: 'dependency_down', target: 'disk' }), 201);
    expect(dependency).toMatchObject({ severity: 'critical', threshold: null, windowSeconds: null, minSamples: null, consecutiveBreaches: 3 });
    body(await inject('DELETE', `/alerts/rules/${dependency.id}`), 204);
    problem(await inject('DELETE', `/alerts/rules/${dependency.id}`), 404, 'ALERT_RULE_NOT_FOUND');
  });

  it('lists the default dependency rules, which only enabled can change', async () => {
    const rules = body(await inject('GET', '/alerts/rules?kind=dependency_down&limit=100'), 200).items.filter((rule: { source: string }) => rule.source === 'environment');
    const names = rules.map((rule: { name: string }) => rule.name).sort();
    expect(names).toEqual(process.env.REDIS_URL ? ['env:database-down', 'env:redis-down'] : ['env:database-down']);
    const database = rules.find((rule: { name: string }) => rule.name === 'env:database-down');
    expect(database).toMatchObject({ target: 'database', consecutiveBreaches: 3, severity: 'critical' });
    problem(await inject('PATCH', `/alerts/rules/${database.id}`, { consecutiveBreaches: 5 }), 409, 'ALERT_MANAGED_BY_ENVIRONMENT');
    problem(await inject('DELETE', `/alerts/rules/${database.id}`), 409, 'ALERT_MANAGED_BY_ENVIRONMENT');
    expect(body(await inject('PATCH', `/alerts/rules/${database.id}`, { enabled: false }), 200)).toMatchObject({ enabled: false });
    body(await inject('PATCH', `/alerts/rules/${database.id}`, { enabled: true }), 200);
  });
});

/** The form fields of a form-encoded body. */
const form = (raw: string) => Object.fromEntries(new URLSearchParams(raw));

describe('alert delivery and evaluation', () => {
  const app = useTestApp({
    controllers: [ProbeController],
    env: {
      API_KEY: ADMIN_KEY,
      RATE_LIMIT_MAX: '0',
      ALERT_EVAL_INTERVAL_MS: '100',
      ALERT_DELIVERY_ATTEMPTS: '3',
      ALERT_DELIVERY_BACKOFF_MS: '50',
      ALERT_DELIVERY_TIMEOUT_MS: '2000',
      ALERT_SOURCE: 'mcpa-e2e',
      // Every channel from the environment, each to a receiver of this test on loopback.
      ALERT_SLACK_WEBHOOK_URL: `${receivers.slack.url}${SLACK_PATH}`,
      ALERT_PAGERDUTY_ROUTING_KEY: 'routing-key-of-the-service',
      ALERT_PAGERDUTY_URL: receivers.pagerduty.url,
      ALERT_WEBHOOK_URL: `${receivers.webhook.url}/alerts`,
      ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      ALERT_SMTP_URL: `smtp://alerts:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}`,
      ALERT_EMAIL_FROM: 'MCP Assistant <alerts@example.com>',
      ALERT_EMAIL_TO: 'oncall@example.com,lead@example.com',
      ALERT_TWILIO_ACCOUNT_SID: TWILIO_SID,
      ALERT_TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      ALERT_TWILIO_FROM: '+15550001111',
      ALERT_SMS_TO: '+15550002222',
      ALERT_TWILIO_BASE_URL: receivers.twilio.url,
    },
  });
  const inject = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    app().inject({ method, url, headers: bearer(ADMIN_KEY), ...(payload && { payload }) });
  const channel = async (name: string) => (body(await inject('GET', '/alerts/channels?limit=100'), 200).items as { id: string; name: string }[]).find((item) => item.name === name)!;
  const alerts = async (ruleId: string) =>
    (await app().get(DataSource).query(`SELECT * FROM alerts WHERE rule_id = $1 ORDER BY started_at`, [ruleId])) as Record<string, any>[];
  const boom = (times: number) => Promise.all(Array.from({ length: times }, () => app().inject({ method: 'GET', url: '/probe/boom' })));

  beforeAll(async () => {
    await resetState(app());
    await app().get(AlertEnvironmentSync).apply();
    await app().get(BuiltinToolHandler).onApplicationBootstrap();
  });

  it('mirrors the environment channels, credentials masked, and delivers a test through each in its own shape', async () => {
    const listed = body(await inject('GET', '/alerts/channels?limit=100'), 200).items;
    expect(listed.map((item: { name: string }) => item.name).sort()).toEqual(['env:email', 'env:pagerduty', 'env:slack', 'env:sms', 'env:webhook']);
    expect(listed.find((item: { kind: string }) => item.kind === 'sms').config).toEqual({ accountSid: TWILIO_SID, authToken: '********', from: '+15550001111', to: ['+15550002222'], baseUrl: receivers.twilio.url });
    expect(JSON.stringify(listed)).not.toMatch(new RegExp(`${SMTP_PASSWORD}|${TWILIO_TOKEN}|${WEBHOOK_SECRET}|slack-secret-token|routing-key-of`));

    for (const name of ['env:slack', 'env:pagerduty', 'env:webhook', 'env:email', 'env:sms']) {
      expect(body(await inject('POST', `/alerts/channels/${(await channel(name)).id}/test`), 200)).toMatchObject({ delivered: true });
    }
    const slack = receivers.slack.requests;
    expect(slack).toHaveLength(1);
    expect(slack[0]).toMatchObject({ method: 'POST', path: SLACK_PATH, headers: { 'content-type': 'application/json' } });
    expect(receivers.slack.json(0)).toEqual({ text: expect.stringContaining('[TEST] test'), blocks: expect.arrayContaining([expect.objectContaining({ type: 'section' })]) });

    // A test opens a PagerDuty incident and closes it at once, under one dedup key.
    expect(receivers.pagerduty.requests.map((request) => request.path)).toEqual(['/v2/enqueue', '/v2/enqueue']);
    const [trigger, resolve] = [receivers.pagerduty.json(0), receivers.pagerduty.json(1)];
    expect(trigger).toMatchObject({ routing_key: 'routing-key-of-the-service', event_action: 'trigger', payload: { severity: 'info', source: 'mcpa-e2e', summary: expect.any(String) } });
    expect(resolve).toMatchObject({ event_action: 'resolve', dedup_key: trigger.dedup_key });

    const hook = receivers.webhook.requests[0];
    expect(hook.path).toBe('/alerts');
    expect(hook.headers['x-signature-256']).toBe(webhookSignature(WEBHOOK_SECRET, hook.body));
    expect(JSON.parse(hook.body)).toMatchObject({ event: 'test', alert: { ruleName: 'test', severity: 'info', source: 'mcpa-e2e' } });

    expect(smtp.mails).toHaveLength(1);
    expect(smtp.mails[0]).toMatchObject({ from: 'alerts@example.com', to: ['oncall@example.com', 'lead@example.com'], user: 'alerts', password: SMTP_PASSWORD });
    expect(smtp.mails[0].data).toMatch(/^Subject: \[TEST\] test$/m);

    const sms = receivers.twilio.requests[0];
    expect(sms).toMatchObject({ method: 'POST', path: `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(sms.headers.authorization).toBe(`Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`);
    expect(form(sms.body)).toEqual({ To: '+15550002222', From: '+15550001111', Body: expect.stringMatching(/^\[TEST\] test: /) });
  });

  it('answers 502 when a channel refuses the test, saying what it answered', async () => {
    receivers.slack.failNext(1, 500);
    const refused = problem(await inject('POST', `/alerts/channels/${(await channel('env:slack')).id}/test`), 502, 'ALERT_CHANNEL_TEST_FAILED');
    expect(refused.detail).toContain('HTTP 500');
    expect(refused.detail).not.toContain('slack-secret-token');
  });

  it('notifies every channel once when a rule fires and once when it resolves, and not again within the cooldown', async () => {
    const rule = body(await inject('POST', '/alerts/rules', { name: 'api-5xx', kind: 'http_error_rate', threshold: 0.5, windowSeconds: 2, minSamples: 5, cooldownSeconds: 2, severity: 'error' }), 201);
    await boom(30);
    await waitFor(async () => receivers.webhook.requests.length >= 1 && smtp.mails.length >= 1 && receivers.twilio.requests.length >= 1);
    // Evaluations go on every 100 ms while the errors stay in the window: still one notification each.
    await sleep(400);
    for (const receiver of Object.values(receivers)) expect(receiver.requests).toHaveLength(1);
    expect(smtp.mails).toHaveLength(1);

    const fired = receivers.webhook.json(0);
    expect(fired).toMatchObject({ event: 'firing', alert: { ruleName: 'api-5xx', ruleKind: 'http_error_rate', severity: 'error', threshold: 0.5, summary: expect.stringMatching(/^HTTP 5xx rate \d+\.\d% over the last 2 s/) } });
    expect(receivers.pagerduty.json(0)).toMatchObject({ event_action: 'trigger', dedup_key: fired.alert.dedupKey, payload: { severity: 'error', source: 'mcpa-e2e' } });
    expect(receivers.slack.json(0).text).toContain('[FIRING] api-5xx');
    expect(smtp.mails[0].data).toMatch(/^Subject: \[FIRING\] api-5xx$/m);
    expect(form(receivers.twilio.requests[0].body).Body).toMatch(/^\[FIRING\] api-5xx: HTTP 5xx rate/);

    // The errors age out of the 2 s window: the rule resolves, once, under the same dedup key.
    await waitFor(async () => receivers.webhook.requests.length >= 2 && smtp.mails.length >= 2 && receivers.twilio.requests.length >= 2);
    await sleep(300);
    for (const receiver of Object.values(receivers)) expect(receiver.requests).toHaveLength(2);
    expect(receivers.webhook.json(1)).toMatchObject({ event: 'resolved', alert: { alertId: fired.alert.alertId, resolvedAt: expect.any(String) } });
    expect(receivers.pagerduty.json(1)).toMatchObject({ event_action: 'resolve', dedup_key: fired.alert.dedupKey });
    const [first] = await alerts(rule.id);
    expect(first).toMatchObject({ state: 'resolved', severity: 'error', dedup_key: fired.alert.dedupKey });
    await waitFor(async () => (await alerts(rule.id))[0].notifications.filter((n: { status: string }) => n.status === 'delivered').length === 10);

    // Errors again right away: within the cooldown nothing fires; past it, the rule fires again.
    const deadline = Date.now() + 6000;
    while (receivers.webhook.requests.length < 3 && Date.now() < deadline) {
      await boom(10);
      await sleep(150);
    }
    const incidents = await alerts(rule.id);
    expect(incidents).toHaveLength(2);
    expect(new Date(incidents[1].started_at).getTime() - new Date(incidents[0].resolved_at).getTime()).toBeGreaterThanOrEqual(2000);
    body(await inject('DELETE', `/alerts/rules/${rule.id}`), 204);
  });

  it('retries a channel that answers 500 with backoff, records each attempt, and never slows requests down', async () => {
    const flaky = new HttpReceiver();
    const broken = new HttpReceiver(400);
    await Promise.all([flaky.start(), broken.start()]);
    try {
      // Two slow 500s, then a 200; the other channel refuses for good (a 4xx is not retried).
      flaky.failNext(2, 500, 400);
      const flakyChannel = body(await inject('POST', '/alerts/channels', { name: 'flaky', kind: 'webhook', config: { url: flaky.url } }), 201);
      const brokenChannel = body(await inject('POST', '/alerts/channels', { name: 'broken', kind: 'slack', config: { webhookUrl: broken.url } }), 201);
      const rule = body(await inject('POST', '/alerts/rules', { name: 'tool-errors', kind: 'tool_error_rate', threshold: 0.4, windowSeconds: 30, minSamples: 3, channelIds: [flakyChannel.id, brokenChannel.id] }), 201);
      // minSamples 3: an evaluation between the calls can't fire on two of them.
      for (let i = 0; i < 3; i++) await inject('POST', '/tools/calculator/invoke', { arguments: { expression: '1 +' } });

      await waitFor(async () => flaky.requests.length >= 1);
      // The channel is holding its first attempt open; the API answers meanwhile.
      const response = await app().inject({ method: 'GET', url: '/probe/list' });
      expect(response.statusCode).toBe(200);
      expect(Date.now()).toBeLessThan(flaky.requests[0].at + 400);

      const settled = async () => (await alerts(rule.id))[0]?.notifications.filter((n: { status: string }) => n.status !== 'pending').length === 2;
      await waitFor(settled, 10_000);
      const [incident] = await alerts(rule.id);
      expect(incident).toMatchObject({ subject: 'calculator', rule_kind: 'tool_error_rate' });
      expect(incident.summary).toMatch(/^tool calculator error rate 100\.0% over the last 30 s \(3 of 3 calls; threshold 40\.0%\)/);
      const byChannel = Object.fromEntries(incident.notifications.map((n: { channelName: string }) => [n.channelName, n]));
      expect(byChannel.flaky).toMatchObject({ event: 'firing', status: 'delivered', attempts: 3, lastError: expect.stringContaining('HTTP 500'), deliveredAt: expect.any(String) });
      expect(byChannel.broken).toMatchObject({ event: 'firing', status: 'failed', attempts: 1, lastError: expect.stringContaining('HTTP 400') });
      expect(flaky.requests).toHaveLength(3);
      // The backoff doubles: 50 ms, then 100 ms, counted from each answer (comparing whole gaps, 400 ms answers
      // included, left 50 ms for a loaded machine's jitter: too little in one full run). 1 ms for timer rounding.
      const waited = [1, 2].map((i) => flaky.requests[i].at - flaky.requests[i - 1].answeredAt!);
      expect(waited[0]).toBeGreaterThanOrEqual(49);
      expect(waited[1]).toBeGreaterThanOrEqual(99);

      const listed = body(await inject('GET', `/alerts?ruleId=${rule.id}`), 200).items;
      expect(listed).toEqual([expect.objectContaining({ id: incident.id, ruleName: 'tool-errors', subject: 'calculator', notifications: expect.arrayContaining([expect.objectContaining({ channelName: 'flaky', attempts: 3 })]) })]);
      body(await inject('DELETE', `/alerts/rules/${rule.id}`), 204);
    } finally {
      await Promise.all([flaky.close(), broken.close()]);
    }
  });

  it('fires on p95 latency above its threshold, and resolves with notice when the rule is disabled', async () => {
    const webhook = await channel('env:webhook');
    const rule = body(await inject('POST', '/alerts/rules', { name: 'slow-api', kind: 'http_latency_p95', threshold: 100, windowSeconds: 60, minSamples: 3, channelIds: [webhook.id] }), 201);
    // Slow requests, enough of them (over 5 %) to lift the p95 of the minute above 100 ms.
    await Promise.all(Array.from({ length: 40 }, () => app().inject({ method: 'GET', url: '/probe/slow?ms=200' })));
    await waitFor(async () => receivers.webhook.requests.length === 1);
    const fired = receivers.webhook.json(0).alert;
    expect(fired).toMatchObject({ ruleKind: 'http_latency_p95', severity: 'warning', threshold: 100, summary: expect.stringMatching(/^HTTP p95 latency \d+ ms over the last 60 s \(\d+ requests; threshold 100 ms\)/) });
    expect(fired.value).toBeGreaterThan(100);
    body(await inject('PATCH', `/alerts/rules/${rule.id}`, { enabled: false }), 200);
    await waitFor(async () => receivers.webhook.requests.length === 2);
    expect(receivers.webhook.json(1)).toMatchObject({ event: 'resolved', alert: { alertId: fired.alertId, summary: expect.stringMatching(/^resolved \(rule disabled\)/) } });
    await waitFor(async () => (await alerts(rule.id))[0].state === 'resolved');
    body(await inject('DELETE', `/alerts/rules/${rule.id}`), 204);
  });
});

/**
 * An app whose Redis or Postgres (`variable`) is reached through a proxy the test can cut, evaluating every
 * `intervalMs`, with an environment webhook channel to `receiver` and the default rules firing after 2 failures.
 */
function useAppBehindProxy(variable: 'REDIS_URL' | 'DATABASE_URL', intervalMs: number) {
  const defaultPort = variable === 'REDIS_URL' ? 6379 : 5432;
  // Read while describing, which happens in embedded mode too (where the block is skipped and the variable unset).
  const target = new URL(process.env[variable] ?? `tcp://127.0.0.1:${defaultPort}`);
  const proxy = new TcpProxy({ host: target.hostname, port: Number(target.port || defaultPort) });
  const receiver = new HttpReceiver();
  let app: NestFastifyApplication | undefined;

  beforeAll(async () => {
    await receiver.start();
    const viaProxy = new URL(target);
    viaProxy.port = String(await proxy.start());
    app = await createTestApp({
      env: {
        API_KEY: ADMIN_KEY,
        [variable]: viaProxy.toString(),
        ALERT_EVAL_INTERVAL_MS: String(intervalMs),
        ALERT_DEPENDENCY_FAILURES: '2',
        ALERT_DELIVERY_BACKOFF_MS: '50',
        ALERT_WEBHOOK_URL: receiver.url,
        ALERT_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
    });
    const redis = app.get(RedisService);
    await waitFor(async () => redis.ready);
    await resetState(app);
    await app.get(AlertEnvironmentSync).apply();
  });
  afterAll(async () => {
    await app?.close();
    await proxy.cut();
    await receiver.close();
  });
  return { app: () => app!, proxy, receiver };
}

(onPostgres ? describe : describe.skip)('with Redis going away (postgres mode)', () => {
  const { app, proxy, receiver } = useAppBehindProxy('REDIS_URL', 100);
  const events = () => receiver.requests.map((request) => JSON.parse(request.body) as { event: string; alert: Record<string, any> });

  it('fires the Redis alert once while it is away and resolves it once when it is back; nothing hangs meanwhile', async () => {
    await proxy.cut();
    await waitFor(async () => events().some((event) => event.event === 'firing'));
    await sleep(500);
    expect(events().map((event) => [event.event, event.alert.ruleName])).toEqual([['firing', 'env:redis-down']]);
    const firing = events()[0].alert;
    expect(firing).toMatchObject({ ruleKind: 'dependency_down', severity: 'critical', value: 2, threshold: 2, summary: expect.stringMatching(/^redis is down \(its readiness check fails/) });
    // Without Redis the database picked the evaluating instance.
    expect(await app().get(DataSource).query(`SELECT name FROM alert_evaluation_leases`)).toEqual([{ name: 'alert-evaluation' }]);
    // A dead Redis holds no request up: the history answers, and shows the incident.
    const listed = body(await app().inject({ method: 'GET', url: '/alerts?state=firing', headers: bearer(ADMIN_KEY) }), 200).items;
    expect(listed).toEqual([expect.objectContaining({ id: firing.alertId, ruleName: 'env:redis-down', state: 'firing' })]);

    await proxy.start();
    await waitFor(async () => events().some((event) => event.event === 'resolved'), 10_000);
    await sleep(500);
    expect(events().map((event) => [event.event, event.alert.alertId])).toEqual([['firing', firing.alertId], ['resolved', firing.alertId]]);
    for (const request of receiver.requests) expect(request.headers['x-signature-256']).toBe(webhookSignature(WEBHOOK_SECRET, request.body));
    await waitFor(async () => {
      const [alert] = await app().get(DataSource).query(`SELECT state, notifications FROM alerts WHERE id = $1`, [firing.alertId]);
      return alert.state === 'resolved' && alert.notifications.filter((n: { status: string }) => n.status === 'delivered').length === 2;
    });
  });
});

(onPostgres ? describe : describe.skip)('with Postgres going away (postgres mode)', () => {
  const { app, proxy, receiver } = useAppBehindProxy('DATABASE_URL', 200);

  beforeAll(async () => {
    // A few evaluations with the database up, so the rules and channels are known before it goes.
    await sleep(600);
  });

  it('still alerts when the database is what is down, and writes the history once it is back', async () => {
    await proxy.cut();
    await waitFor(async () => receiver.requests.length >= 1, 15_000);
    const firing = receiver.json(0);
    expect(firing).toMatchObject({ event: 'firing', alert: { ruleName: 'env:database-down', summary: expect.stringMatching(/^database is down/) } });

    await proxy.start();
    await waitFor(async () => receiver.requests.length >= 2, 15_000);
    expect(receiver.json(1)).toMatchObject({ event: 'resolved', alert: { alertId: firing.alert.alertId } });
    await waitFor(async () => {
      const rows = await app().get(DataSource).query(`SELECT state, notifications FROM alerts WHERE id = $1`, [firing.alert.alertId]).catch(() => []);
      return rows[0]?.state === 'resolved' && rows[0].notifications.filter((n: { status: string }) => n.status === 'delivered').length === 2;
    }, 10_000);
    expect(receiver.requests).toHaveLength(2);
  });
});
