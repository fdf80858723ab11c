import { readFileSync } from 'node:fs';
import { load as loadYaml } from 'js-yaml';
import { Environment } from '@app/core';

const compose = loadYaml(readFileSync('docker-compose.yml', 'utf8')) as any;
const dockerfile = readFileSync('docker/Dockerfile', 'utf8');
const defaults = new Environment();

describe('docker-compose.yml', () => {
  it('runs the server, Postgres and Redis on mcp-network, and Prometheus and Alertmanager in the monitoring profile', () => {
    const inProfile = (profile?: string) =>
      Object.entries(compose.services).filter(([, service]: [string, any]) => service.profiles?.[0] === profile).map(([name]) => name).sort();
    expect(inProfile(undefined)).toEqual(['mcp-server', 'postgres', 'redis']);
    expect(inProfile('monitoring')).toEqual(['alertmanager', 'prometheus']);
    for (const service of Object.values(compose.services) as any[]) expect(service.networks).toEqual(['mcp-network']);
    expect(compose.networks).toHaveProperty('mcp-network');
  });

  it('publishes the server port and points it at the compose Postgres and Redis', () => {
    const server = compose.services['mcp-server'];
    expect(server.ports).toEqual([`${defaults.PORT}:${defaults.PORT}`]);
    expect(server.build.dockerfile).toBe('docker/Dockerfile');
    expect(server.environment.DATABASE_URL).toMatch(/^postgres:\/\/mcp:.*@postgres:5432\/mcp_assistant$/);
    expect(server.environment.REDIS_URL).toBe('redis://redis:6379');
    expect(server.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
  });

  it('gives every service a health check, and the server one on its readiness route', () => {
    const server = compose.services['mcp-server'];
    expect(server.healthcheck.test.join(' ')).toContain(`http://127.0.0.1:${defaults.PORT}/health/ready`);
    expect(compose.services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(compose.services.redis.healthcheck.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(compose.services.redis.image).toBe('redis:7-alpine');
  });

  it('keeps Postgres and Redis data in volumes', () => {
    expect(compose.services.postgres.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(compose.services.redis.volumes).toEqual(['redis-data:/data']);
    expect(Object.keys(compose.volumes).sort()).toEqual(['postgres-data', 'prometheus-data', 'redis-data']);
  });

  it('gives the server more time to stop than its own shutdown timeout', () => {
    const server = compose.services['mcp-server'];
    expect(Number.parseInt(server.stop_grace_period, 10) * 1000).toBeGreaterThan(Number(server.environment.SHUTDOWN_TIMEOUT_MS));
  });

  it('mounts the Prometheus and Alertmanager configs and gives them their secrets as files', () => {
    const { prometheus, alertmanager } = compose.services;
    expect(prometheus.volumes).toEqual(expect.arrayContaining(['./docker/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro', './docker/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro']));
    expect(alertmanager.volumes).toEqual(['./docker/prometheus/alertmanager.yml:/etc/alertmanager/alertmanager.yml:ro']);
    const prometheusConfig = loadYaml(readFileSync('docker/prometheus/prometheus.yml', 'utf8')) as any;
    const alertmanagerConfig = readFileSync('docker/prometheus/alertmanager.yml', 'utf8');
    const secretFiles = (service: any) => service.secrets.map((name: string) => `/run/secrets/${name}`);
    expect(secretFiles(prometheus)).toEqual([prometheusConfig.scrape_configs[0].authorization.credentials_file]);
    for (const file of secretFiles(alertmanager)) expect(alertmanagerConfig).toContain(file);
    expect(compose.secrets.metrics_token).toEqual({ environment: 'METRICS_TOKEN' });
    expect(compose.services['mcp-server'].environment.METRICS_TOKEN).toBe('${METRICS_TOKEN:-}');
  });
});

describe('docker/Dockerfile', () => {
  it('builds in one stage and runs the built server as a non-root user in another', () => {
    expect(dockerfile.match(/^FROM node:\d+-alpine AS \w+/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^RUN npm ci/m);
    expect(dockerfile).toMatch(/npm run build/);
    expect(dockerfile).toMatch(/^USER node$/m);
    // The image runs the server exactly as `npm run start:prod` does, V8 flags included.
    const command = JSON.parse(/^CMD (\[.*\])$/m.exec(dockerfile)![1]) as string[];
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(command).toEqual(pkg.scripts['start:prod'].split(' '));
    expect(command).toEqual(['node', expect.stringMatching(/^--max-semi-space-size=\d+$/), 'dist/apps/server/src/main.js']);
  });

  it('checks health on the liveness route and exposes the server port', () => {
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${defaults.PORT}$`, 'm'));
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*http:\/\/127\.0\.0\.1:8000\/health /);
  });
});
