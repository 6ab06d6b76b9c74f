'use strict';
/**
 * The baseline for `bench/ingest`: Express 5 with `express.json()` and a handler that answers 202, nothing
 * else. It reads the same signed bodies the ingest gets, so the ratio ingest/bare is what the ingest's own
 * work (signature, schema, dedupe, queue) costs. Started as a child process by `run.js`: PORT from env,
 * listens on 127.0.0.1 only, stops on SIGTERM/SIGINT.
 */
const express = require('express');

const port = Number(process.env.PORT);
if (!Number.isInteger(port) || port <= 0) {
  process.stderr.write('bare-express: PORT must be set\n');
  process.exit(1);
}

const app = express();
app.use(express.json());
app.get('/readyz', (_req, res) => void res.json({ status: 'ready' }));
app.post('/webhook', (_req, res) => void res.status(202).json({ status: 'accepted' }));

const server = app.listen(port, '127.0.0.1');
server.keepAliveTimeout = 65_000; // as the ingest sets it
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
