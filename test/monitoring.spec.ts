import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import type { RedisService } from '@app/core';
import type { LegacySessions } from '@app/mcp';
import { Metrics } from '@app/observability';
import type { DataSource } from 'typeorm';
import { DependencyGauges } from '../libs/observability/src/dependency-gauges.js';
import { MetricsController } from '../libs/observability/src/metrics.controller.js';
import { installed } from './support/installed.js';
import { routePath } from './support/routes.js';

const read = (file: string) => loadYaml(readFileSync(`docker/prometheus/${file}`, 'utf8')) as any;
const prometheus = read('prometheus.yml');
const prometheusOnKubernetes = read('prometheus-kubernetes.yml');
const rules = read('alerts.yml').groups.flatMap((group: any) => group.rules) as { alert: string; expr: string; labels: Record<string, string> }[];
const alertmanager = read('alertmanager.yml');

/** Every metric the app can export, with its label names: the registry of a Metrics with every dependency gauge on. */
function registeredMetrics(): Map<string, string[]> {
  const metrics = new Metrics();
  const withPool = { driver: { master: { totalCount: 0, idleCount: 0, waitingCount: 0 } }, query: async () => [] } as unknown as DataSource;
  const redisConfigured = { configured: true, ready: true } as RedisService;
  new DependencyGauges(metrics, withPool, redisConfigured, { localServers: () => [] } as unknown as LegacySessions).onModuleInit();
  return new Map(metrics.registry.getMetricsAsArray().map((metric) => [metric.name, [...((metric as any).labelNames ?? [])]]));
}

/** Labels Prometheus puts on every series it scrapes (the target's), beside the app's own. */
const TARGET_LABELS = ['job', 'instance', 'namespace', 'pod'];

/** The series an expression selects (name and matched labels) and the labels it groups by. */
function parsePromQl(expr: string): { selectors: { name: string; labels: string[] }[]; grouping: string[] } {
  const grouping: string[] = [];
  const bare = expr
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g, (_, labels: string) => {
      grouping.push(...labels.split(',').map((label) => label.trim()).filter(Boolean));
      return ' ';
    })
    .replace(/\[[^\]]*\]/g, ' ');
  const selectors: { name: string; labels: string[] }[] = [];
  for (const [, name, next] of bare.matchAll(/(?<![\w.:])([a-zA-Z_:][\w:]*)\s*(\(|\{[^}]*\})?/g)) {
    if (next === '(' || ['and', 'or', 'unless', 'bool', 'offset'].includes(name)) continue;
    selectors.push({ name, labels: next ? [...next.matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)].map((match) => match[1]) : [] });
  }
  return { selectors, grouping };
}

/** The label names a selected series has: its metric's, `le` on a histogram's buckets, or undefined when the app exports no such series. */
function seriesLabels(metrics: Map<string, string[]>, name: string): string[] | undefined {
  // `up` is Prometheus' own series for every target: it says a scrape failed, when the app's metrics can't.
  if (name === 'up') return [];
  if (metrics.has(name)) return metrics.get(name);
  const histogram = /^(.+)_(bucket|sum|count)$/.exec(name);
  const labels = histogram && metrics.get(histogram[1]);
  if (!labels) return undefined;
  return histogram[2] === 'bucket' ? [...labels, 'le'] : labels;
}

describe('docker/prometheus/alerts.yml', () => {
  const metrics = registeredMetrics();

  it('has the dependency, HTTP error, latency and tool error alerts, each with a severity the routes know', () => {
    expect(rules.map((rule) => rule.alert).sort()).toEqual(
      ['McpaDatabaseDown', 'McpaHttpErrorRate', 'McpaHttpLatencyHigh', 'McpaInstanceDown', 'McpaRedisDown', 'McpaToolErrorRate'],
    );
    for (const rule of rules) expect(['critical', 'warning']).toContain(rule.labels.severity);
  });

  it.each(rules.map((rule) => [rule.alert, rule.expr]))('%s selects only series the app exports, by labels they have', (_, expr) => {
    const { selectors, grouping } = parsePromQl(expr);
    expect(selectors.length).toBeGreaterThan(0);
    const available = new Set(TARGET_LABELS);
    for (const { name, labels } of selectors) {
      const known = seriesLabels(metrics, name);
      expect({ name, exported: known !== undefined }).toEqual({ name, exported: true });
      for (const label of labels) expect({ name, label, known: [...known!, ...TARGET_LABELS].includes(label) }).toEqual({ name, label, known: true });
      known!.forEach((label) => available.add(label));
    }
    for (const label of grouping) expect({ grouping: label, known: available.has(label) }).toEqual({ grouping: label, known: true });
  });

  (installed('promtool') ? it : it.skip)('passes promtool', () => {
    execFileSync('promtool', ['check', 'rules', 'docker/prometheus/alerts.yml'], { stdio: 'pipe' });
    execFileSync('promtool', ['check', 'config', '--syntax-only', 'docker/prometheus/prometheus.yml'], { stdio: 'pipe' });
  });
});

describe('docker/prometheus/prometheus*.yml', () => {
  it('scrapes the app at its metrics route with the METRICS_TOKEN file as the bearer token, and loads the alert rules', () => {
    for (const config of [prometheus, prometheusOnKubernetes]) {
      const [job] = config.scrape_configs;
      expect(job.job_name).toBe('mcp-assistant');
      expect(job.authorization).toEqual({ type: 'Bearer', credentials_file: expect.stringMatching(/^\/.+/) });
      expect(config.rule_files).toEqual(['alerts.yml']);
      expect(config.alerting.alertmanagers[0].static_configs[0].targets).toEqual([expect.stringMatching(/^alertmanager[\w.]*:9093$/)]);
    }
    expect(prometheus.scrape_configs[0].metrics_path).toBe(routePath(MetricsController, 'scrape'));
    expect(prometheus.scrape_configs[0].static_configs[0].targets).toEqual(['mcp-server:8000']);
  });

  it('on Kubernetes, keeps only the app pods that ask to be scraped and takes path and port from their annotations', () => {
    const [job] = prometheusOnKubernetes.scrape_configs;
    expect(job.kubernetes_sd_configs).toEqual([expect.objectContaining({ role: 'pod' })]);
    const sources = job.relabel_configs.map((rule: any) => rule.source_labels.join(','));
    expect(sources).toEqual(expect.arrayContaining([
      '__meta_kubernetes_pod_annotation_prometheus_io_scrape',
      '__meta_kubernetes_pod_annotation_prometheus_io_path',
      '__address__,__meta_kubernetes_pod_annotation_prometheus_io_port',
    ]));
  });
});

describe('docker/prometheus/alertmanager.yml', () => {
  const receivers = new Map<string, any>(alertmanager.receivers.map((receiver: any) => [receiver.name, receiver]));

  /** The route tree, depth first. */
  const routes = (route: any): any[] => [route, ...(route.routes ?? []).flatMap(routes)];

  it('sends every route to a receiver it defines, and every receiver is used', () => {
    const used = routes(alertmanager.route).map((route) => route.receiver).filter(Boolean);
    for (const name of used) expect({ receiver: name, defined: receivers.has(name) }).toEqual({ receiver: name, defined: true });
    expect(new Set(used)).toEqual(new Set(receivers.keys()));
  });

  it('has Slack, PagerDuty, webhook and email receivers, with their secrets in files', () => {
    const kinds = (kind: string) => alertmanager.receivers.flatMap((receiver: any) => receiver[kind] ?? []);
    expect(kinds('slack_configs')).toEqual([expect.objectContaining({ api_url_file: expect.any(String), channel: expect.any(String) })]);
    expect(kinds('pagerduty_configs')).toEqual([expect.objectContaining({ routing_key_file: expect.any(String) })]);
    expect(kinds('webhook_configs').map((config: any) => config.url)).toEqual(expect.arrayContaining([expect.stringMatching(/^https?:\/\//)]));
    expect(kinds('email_configs')).toEqual([expect.objectContaining({ to: expect.stringContaining('@') })]);
    const smarthost = kinds('email_configs')[0].smarthost ?? alertmanager.global.smtp_smarthost;
    expect(smarthost).toMatch(/^[\w.-]+:\d+$/);
  });

  it('pages (PagerDuty and SMS) on critical alerts only', () => {
    const paging = alertmanager.route.routes.filter((route: any) => ['pagerduty', 'sms'].includes(route.receiver));
    expect(paging).toHaveLength(2);
    for (const route of paging) expect(route).toMatchObject({ matchers: ['severity="critical"'], continue: true });
  });

  it('inhibits only alerts the rules define', () => {
    const alerts = rules.map((rule) => rule.alert);
    for (const rule of alertmanager.inhibit_rules) {
      const named = [...rule.source_matchers, ...rule.target_matchers].flatMap((matcher: string) =>
        /^alertname=~?"(.+)"$/.exec(matcher)?.[1].split('|') ?? [],
      );
      for (const alert of named) expect(alerts).toContain(alert);
    }
  });

  (installed('amtool') ? it : it.skip)('passes amtool', () => {
    execFileSync('amtool', ['check-config', 'docker/prometheus/alertmanager.yml'], { stdio: 'pipe' });
  });
});
