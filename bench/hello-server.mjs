// Reference: a bare Fastify server (the same fastify the API runs on). `node bench/hello-server.mjs PORT`
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: Number(process.argv[2]), host: '127.0.0.1' });
