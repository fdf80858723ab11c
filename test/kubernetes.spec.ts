import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAll } from 'js-yaml';
import { Environment, readEnvironment } from '@app/core';
import { HealthController } from '../libs/health/src/health.controller.js';
import { MetricsController } from '../libs/observability/src/metrics.controller.js';
import { installed } from './support/installed.js';
import { routePath } from './support/routes.js';

const FOLDER = 'docker/k8s';
const files = readdirSync(FOLDER).filter((file) => /\.ya?ml$/.test(file));
const documents = files.flatMap((file) => loadAll(readFileSync(join(FOLDER, file), 'utf8')).filter(Boolean) as any[]);
const only = (kind: string) => {
  const found = documents.filter((document) => document.kind === kind);
  expect(found).toHaveLength(1);
  return found[0];
};

const deployment = only('Deployment');
const pod = deployment.spec.template.spec;
const [server] = pod.containers;
const job = only('Job');
const [migrate] = job.spec.template.spec.containers;
const configMap = only('ConfigMap');
const secret = only('Secret');
const defaults = new Environment();
/** The configuration the pods get, as the app reads it (it throws on anything it would refuse at boot). */
const configured = readEnvironment({ ...configMap.data, ...secret.stringData });
const mebibytes = (quantity: string) => {
  const [, amount, unit] = /^(\d+)(Mi|Gi)$/.exec(quantity)!;
  return Number(amount) * (unit === 'Gi' ? 1024 : 1);
};

describe('docker/k8s', () => {
  it('lists every manifest of the folder in kustomization.yaml, and nothing else', () => {
    const kustomization = only('Kustomization');
    expect([...kustomization.resources].sort()).toEqual(files.filter((file) => file !== 'kustomization.yaml').sort());
  });

  it('sets only variables the app reads, and a configuration it accepts', () => {
    const known = new Set(Object.keys(defaults));
    expect(known).toContain('DATABASE_URL'); // optional keys are there too, or this test would prove nothing
    const set = [...Object.keys(configMap.data), ...Object.keys(secret.stringData), ...[server, migrate].flatMap((container) => (container.env ?? []).map((env: any) => env.name))];
    for (const name of set) expect({ name, known: known.has(name) }).toEqual({ name, known: true });
    expect(Object.keys(secret.stringData).sort()).toEqual(['API_KEY', 'APP_SECRET', 'DATABASE_URL', 'METRICS_TOKEN', 'REDIS_URL']);
    for (const value of Object.values(secret.stringData)) expect(value).toContain('CHANGE-ME');
    expect(configured).toMatchObject({ NODE_ENV: 'production', MIGRATIONS_RUN: false });
  });

  it('gives the server and the migration Job the ConfigMap and the Secret, and the same image', () => {
    const sources = [{ configMapRef: { name: configMap.metadata.name } }, { secretRef: { name: secret.metadata.name } }];
    expect(server.envFrom).toEqual(sources);
    expect(migrate.envFrom).toEqual(sources);
    expect(migrate.image).toBe(server.image);
  });

  it('serves on the app default port, through the Service, and is scraped at the metrics route', () => {
    expect(server.ports).toEqual([{ name: 'http', containerPort: defaults.PORT }]);
    expect(configured.PORT).toBe(defaults.PORT);
    expect(only('Service').spec.ports).toEqual([expect.objectContaining({ targetPort: 'http' })]);
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'prometheus.io/scrape': 'true',
      'prometheus.io/path': routePath(MetricsController, 'scrape'),
      'prometheus.io/port': String(defaults.PORT),
    });
  });

  it('probes liveness and startup at the liveness route and readiness at the readiness route', () => {
    const probe = (name: string) => ({ path: server[name].httpGet.path, port: server[name].httpGet.port });
    expect(probe('startupProbe')).toEqual({ path: routePath(HealthController, 'live'), port: 'http' });
    expect(probe('livenessProbe')).toEqual({ path: routePath(HealthController, 'live'), port: 'http' });
    expect(probe('readinessProbe')).toEqual({ path: routePath(HealthController, 'ready'), port: 'http' });
  });

  it('gives a stopping pod more time than the app takes to drain and close', () => {
    const graceMs = pod.terminationGracePeriodSeconds * 1000;
    const preStopMs = (server.lifecycle?.preStop?.sleep?.seconds ?? 0) * 1000;
    expect(configured.SHUTDOWN_DRAIN_DELAY_MS).toBeGreaterThan(0);
    expect(configured.SHUTDOWN_DRAIN_DELAY_MS).toBeLessThan(configured.SHUTDOWN_TIMEOUT_MS);
    expect(graceMs).toBeGreaterThan(preStopMs + configured.SHUTDOWN_TIMEOUT_MS);
    expect(graceMs).toBeGreaterThan(defaults.SHUTDOWN_TIMEOUT_MS);
  });

  it('limits resources, with readiness failing on memory before the limit kills the pod', () => {
    expect(server.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(mebibytes(server.resources.limits.memory)).toBeGreaterThan(configured.HEALTH_RSS_MAX_MB);
    expect(configured.HEALTH_RSS_MAX_MB).toBeGreaterThan(configured.HEALTH_HEAP_MAX_MB);
  });

  it("runs as the image's non-root user on a read-only root filesystem, with /tmp writable", () => {
    expect(readFileSync('docker/Dockerfile', 'utf8')).toMatch(/^USER node$/m);
    for (const spec of [pod, job.spec.template.spec]) expect(spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    for (const container of [server, migrate]) {
      expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
    }
    expect(server.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(pod.volumes).toEqual([expect.objectContaining({ name: 'tmp', emptyDir: expect.any(Object) })]);
  });

  it('selects the server pods (never the migration pod) in the Service and the disruption budget, and scales the Deployment on CPU', () => {
    const serverLabels = deployment.spec.template.metadata.labels;
    const jobLabels = job.spec.template.metadata.labels;
    const matches = (selector: Record<string, string>, labels: Record<string, string>) => Object.entries(selector).every(([key, value]) => labels[key] === value);
    for (const selector of [deployment.spec.selector.matchLabels, only('Service').spec.selector, only('PodDisruptionBudget').spec.selector.matchLabels]) {
      expect(matches(selector, serverLabels)).toBe(true);
      expect(matches(selector, jobLabels)).toBe(false);
    }
    const hpa = only('HorizontalPodAutoscaler');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics).toEqual([expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) })]);
    expect(deployment.spec.replicas).toBeUndefined();
  });

  it('migrates in the Job with `npm run migration:run` minus its build step, from files the image holds', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    const [, ...args] = pkg.scripts['migration:run'].split('&&').at(-1).trim().split(/\s+/); // typeorm migration:run -d dist/ormconfig.js
    const typeorm = JSON.parse(readFileSync('node_modules/typeorm/package.json', 'utf8'));
    const cli = join('node_modules/typeorm', typeorm.bin.typeorm);
    expect(migrate.command).toEqual(['node', cli, ...args]);
    expect(pkg.dependencies).toHaveProperty('typeorm'); // so it survives `npm prune --omit=dev` in the image
    expect(existsSync(cli)).toBe(true);
    // dist/ormconfig.js is the build of ormconfig.ts, which the image's build stage copies in.
    expect(args).toEqual(['migration:run', '-d', 'dist/ormconfig.js']);
    expect(JSON.parse(readFileSync('tsconfig.build.json', 'utf8')).include).toContain('ormconfig.ts');
    expect(readFileSync('docker/Dockerfile', 'utf8')).toMatch(/^COPY .*\bormconfig\.ts\b/m);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
  });

  (installed('kubectl') ? it : it.skip)('renders with kubectl kustomize, every object in the namespace', () => {
    const rendered = loadAll(execFileSync('kubectl', ['kustomize', FOLDER], { encoding: 'utf8' })) as any[];
    const kinds = documents.filter((document) => document.kind !== 'Kustomization').map((document) => document.kind).sort();
    expect(rendered.map((document) => document.kind).sort()).toEqual(kinds);
    for (const document of rendered.filter((document) => document.kind !== 'Namespace')) expect(document.metadata.namespace).toBe('mcp-assistant');
  });
});
