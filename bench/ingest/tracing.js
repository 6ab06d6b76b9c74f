'use strict';
/**
 * bench/ingest/tracing.js: what tracing costs the ingest. Three ingests side by side, measured in alternating
 * rounds in one run (autocannon, full speed, as run.js's phase A): tracing off (no OTEL_* endpoint), on
 * (the ingest's own spans, OTLP/protobuf to a sink in this process that answers 200), on with one trace in
 * ten sampled, and on with the http, express and ioredis auto-instrumentations. Medians of the rounds, and ratios to "off".
 *
 *   npm run build && node bench/ingest/tracing.js [--duration 5] [--rounds 3] [--connections 50]
 */
const http = require('node:http');
const { randomBytes } = require('node:crypto');
const { join } = require('node:path');
const { payloadSource, startChild, stopChild, waitReady, fullSpeed, deletePrefix, median } = require('./run');

function option(name, dflt) {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? Number(process.argv[at + 1]) : dflt;
}

async function main() {
  const duration = option('duration', 5);
  const rounds = option('rounds', 3);
  const connections = option('connections', 50);
  const { findOrStartRedis, freePort } = require('@wab/shared');
  const redis = await findOrStartRedis(process.env.REDIS_URL || undefined);
  const tag = randomBytes(4).toString('hex');
  const secret = randomBytes(24).toString('hex');
  let exported = 0;
  const sink = http.createServer((req, res) => {
    req.on('data', (c) => (exported += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${sink.address().port}`;

  // Each ingest's own key prefix (deletePrefix matches `<prefix>:*`, so each is cleaned by name).
  const prefixOf = (name) => `bench-${tag}-${name.replace(/[^a-z0-9]/gi, '-')}`;
  const modes = {
    off: {},
    on: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint },
    // What a busy deployment would run: one trace in ten kept, decided at the webhook (parent-based after it).
    'on 10%': { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' },
    'on+auto': { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,express,ioredis' },
  };
  const targets = {};
  try {
    for (const [name, otel] of Object.entries(modes)) {
      const port = await freePort();
      const child = startChild(`ingest ${name}`, [join('services', 'ingest', 'dist', 'main.js')], {
        NODE_ENV: 'production',
        PORT: String(port),
        INGEST_METRICS_PORT: String(await freePort()),
        REDIS_URL: redis.url,
        QUEUE_PREFIX: prefixOf(name),
        WEBHOOK_SECRET: secret,
        GHL_LOCATION_ID: 'loc_abc123',
        RATE_LIMIT_PER_IP: '0',
        RATE_LIMIT_PER_PHONE: '0',
        LOG_LEVEL: 'warn',
        SHUTDOWN_TIMEOUT_MS: '500',
        ...otel,
      });
      await waitReady(child, port);
      targets[name] = { port, child };
    }
    const payloads = payloadSource(secret, tag);
    for (const name of Object.keys(modes)) await fullSpeed(`warm-up ${name}`, targets[name], 2, connections, payloads);
    const rps = Object.fromEntries(Object.keys(modes).map((n) => [n, []]));
    for (let round = 1; round <= rounds; round++) {
      for (const name of Object.keys(modes)) {
        await Promise.all(Object.keys(modes).map((n) => deletePrefix(redis.url, prefixOf(n))));
        const r = await fullSpeed(`round ${round} ${name}`, targets[name], duration, connections, payloads);
        rps[name].push(r.rps);
        process.stderr.write(`  round ${round} ${name.padEnd(8)} ${Math.round(r.rps)} req/s  p99 ${r.p99.toFixed(2)} ms\n`);
      }
    }
    const off = median(rps.off);
    process.stdout.write(`\ningest, ${connections} connections, ${duration} s x ${rounds} rounds, medians (exported ${(exported / 1e6).toFixed(1)} MB of spans)\n`);
    for (const name of Object.keys(modes)) {
      const m = median(rps[name]);
      process.stdout.write(`  ${name.padEnd(8)} ${String(Math.round(m)).padStart(6)} req/s  ratio to off ${(m / off).toFixed(2)}  rounds ${rps[name].map(Math.round).join(', ')}\n`);
    }
  } finally {
    await Promise.allSettled(Object.values(targets).map((t) => stopChild(t.child)));
    await Promise.all(Object.keys(modes).map((n) => deletePrefix(redis.url, prefixOf(n)).catch(() => undefined)));
    if (redis.started) await redis.stop();
    sink.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`bench tracing FAILED: ${error.stack ?? error}\n`);
    process.exit(1);
  },
);
