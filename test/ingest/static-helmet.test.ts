import { once } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { staticHelmet } from '../../services/ingest/src/http/static-helmet';

/** The headers of one GET / to an app with only `security` in front of its answer. */
async function headersWith(security: RequestHandler): Promise<IncomingHttpHeaders> {
  const app = express();
  app.use(security);
  app.get('/', (_req, res) => void res.json({ ok: true }));
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const { port } = server.address() as AddressInfo;
    const res = await new Promise<http.IncomingMessage>((done, fail) => http.get({ host: '127.0.0.1', port, path: '/', agent: false }, done).on('error', fail));
    res.resume();
    const { date: _date, ...headers } = res.headers;
    return headers;
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

describe('staticHelmet', () => {
  it('answers with exactly the headers helmet() sets, X-Powered-By removed', async () => {
    const precomputed = await headersWith(staticHelmet());
    expect(precomputed).toEqual(await headersWith(helmet()));
    expect(precomputed).toHaveProperty('content-security-policy');
    expect(precomputed).toHaveProperty('strict-transport-security');
    expect(precomputed).not.toHaveProperty('x-powered-by');
  });
});
