// The reference: plain Fastify answering the same JSON the app answers, nothing else: its liveness body, and the
// tools page the app served to the benchmark's member (BENCH_TOOLS_PAGE, a file), serialized on every request too.
import { readFileSync } from 'node:fs';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const LIVE = { status: 'ok', info: {}, error: {}, details: {} };
app.get('/health/live', async () => LIVE);
if (process.env.BENCH_TOOLS_PAGE) {
  const page = JSON.parse(readFileSync(process.env.BENCH_TOOLS_PAGE, 'utf8'));
  app.get('/tools', async () => page);
}
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port} \n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
