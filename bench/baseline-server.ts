import Fastify from 'fastify';

/**
 * The HTTP ceiling: a bare Fastify route that returns a JSON body of a given size, with no
 * database and no logging. Scenario throughput is reported as a ratio to this.
 */
const app = Fastify({ logger: false });
const bodies = new Map<number, string>();

app.get('/readyz', async () => ({ status: 'ready' }));
app.all('/json/:size', async (request, reply) => {
  const size = Math.min(Number((request.params as { size: string }).size) || 100, 1_000_000);
  let body = bodies.get(size);
  if (!body) {
    const skeleton = JSON.stringify({ statusCode: 200, errorCode: 0, pad: '' });
    body = JSON.stringify({ statusCode: 200, errorCode: 0, pad: 'x'.repeat(Math.max(0, size - skeleton.length)) });
    bodies.set(size, body);
  }
  reply.header('content-type', 'application/json; charset=utf-8');
  return body;
});

await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) });
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => app.close().then(() => process.exit(0)));
