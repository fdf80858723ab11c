// The reference: plain Fastify answering the same JSON the app's liveness route answers, nothing else.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
const LIVE = { status: 'ok', info: {}, error: {}, details: {} };
app.get('/health/live', async () => LIVE);
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`listening on http://127.0.0.1:${app.server.address().port} \n`);
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
