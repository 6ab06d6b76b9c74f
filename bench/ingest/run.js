'use strict';
/**
 * bench/ingest: how fast the real ingest accepts signed webhooks, against a bare Express 5 app on the same
 * machine in the same run. A benchmark, not a test: `npm run bench:ingest [-- --duration 10 ...]`.
 *
 *  Phase A "full speed": autocannon, fixed connections, for D seconds per run, round after round of four
 *    targets (R rounds each, after a short warm-up of each); medians of the rounds, ratio ingest/bare:
 *      bare           Express 5 `express.json()` answering 202 (bare-express.js): the goal's baseline
 *      bare-queue     the same plus one BullMQ queue.add (bare-queue.js): what durability alone costs
 *      ingest         the real ingest, rate limits off (0), so its figures compare with the baselines'
 *      ingest-limits  the real ingest with both limits on, too high to be reached: what counting them costs
 *  Phase B "steady": an open-loop generator sending at a fixed rate (default 1,000 requests/s) to the ingest.
 *    Requests leave on a fixed schedule whatever the answers do; latency is counted from each request's
 *    scheduled time (wrk2-style, no coordinated omission) and also from its actual send time.
 *
 * Every request carries the API reference's example message with a unique message.id (so dedupe never
 * short-circuits), signed with HMAC-SHA256 hex over the exact bytes sent (X-GHL-Signature). Every answer
 * must be 202: any other status, error or timeout fails the run (a 503 would mean we measured an outage).
 *
 * Options (flag, or env):  --duration S (BENCH_DURATION, 10)   --connections N (BENCH_CONNECTIONS, 50)
 *   --rounds N (BENCH_ROUNDS, 3, at least 2)   --warmup S (BENCH_WARMUP, 2)   --rate N (BENCH_RATE, 1000)
 *   --steady-duration S (BENCH_STEADY_DURATION, 10)   --no-build   --cpu-prof DIR (profile the ingest)
 *   --ingest-node-args "ARGS" (BENCH_INGEST_NODE_ARGS: extra node flags for the ingest, e.g. --heap-prof)
 *
 * Needs Redis: REDIS_URL, else 127.0.0.1:6379, else a private redis-server it starts and stops. Its keys
 * live under a unique prefix `bench-<random>` and are deleted at the end. Targets 127.0.0.1 only.
 */
const { execFileSync } = require('node:child_process');
const { createHmac, randomBytes } = require('node:crypto');
const http = require('node:http');
const os = require('node:os');
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = resolve(__dirname, '..', '..');
const GOAL_RATIO = 0.8; // issue 12
const GOAL_P99_MS = 10;
/** Phase A's targets, run in this order every round. */
const TARGETS = ['bare', 'bare-queue', 'ingest', 'ingest-limits'];
const TARGET_LABELS = { bare: 'bare Express 5', 'bare-queue': 'bare + queue.add', ingest: 'ingest', 'ingest-limits': 'ingest, limits on' };

// ---------------------------------------------------------------------------------------------- options

function readOptions(argv) {
  const flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split('=', 2);
    if (key === 'no-build' || key === 'help') flags[key] = true;
    else if (inline !== undefined) flags[key] = inline;
    else if (i + 1 < argv.length) flags[key] = argv[++i];
    else throw new Error(`--${key} needs a value`);
  }
  if (flags.help) {
    const source = require('node:fs').readFileSync(__filename, 'utf8');
    process.stdout.write(`${source.slice(source.indexOf('/**'), source.indexOf('*/') + 2)}\n`);
    process.exit(0);
  }
  const known = ['duration', 'connections', 'rounds', 'warmup', 'rate', 'steady-duration', 'no-build', 'cpu-prof', 'ingest-node-args'];
  for (const key of Object.keys(flags)) if (!known.includes(key)) throw new Error(`unknown option --${key}`);
  const num = (key, env, dflt, min) => {
    const raw = flags[key] ?? process.env[env];
    const value = raw === undefined || raw === '' ? dflt : Number(raw);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${key} / ${env} must be a number >= ${min}`);
    return value;
  };
  return {
    duration: num('duration', 'BENCH_DURATION', 10, 1),
    connections: Math.round(num('connections', 'BENCH_CONNECTIONS', 50, 1)),
    rounds: Math.round(num('rounds', 'BENCH_ROUNDS', 3, 2)),
    warmup: num('warmup', 'BENCH_WARMUP', 2, 0),
    rate: Math.round(num('rate', 'BENCH_RATE', 1000, 1)),
    steadyDuration: num('steady-duration', 'BENCH_STEADY_DURATION', 10, 1),
    build: !flags['no-build'],
    cpuProf: flags['cpu-prof'] ? resolve(flags['cpu-prof']) : null,
    ingestNodeArgs: (flags['ingest-node-args'] ?? process.env.BENCH_INGEST_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  };
}

// ---------------------------------------------------------------------------------------------- payloads

/** The API reference's example message (/webhook request body), message.id replaced per request. */
const EXAMPLE = {
  type: 'message',
  contactId: 'contact_123',
  locationId: 'loc_abc123',
  conversationId: 'conv_456',
  message: {
    id: '@@ID@@',
    body: 'Hi, I need help with marketing. My budget is $2000',
    from: '+1234567890',
    to: '+0987654321',
    timestamp: '2024-01-15T10:30:00Z',
  },
  contact: { id: 'contact_123', name: 'John Doe', phone: '+1234567890', email: 'john@example.com' },
};

function payloadSource(secret, tag) {
  const [head, tail] = JSON.stringify(EXAMPLE).split('@@ID@@');
  let n = 0;
  return {
    next() {
      const body = Buffer.from(`${head}msg_${tag}_${(n++).toString(36)}${tail}`);
      return { body, signature: createHmac('sha256', secret).update(body).digest('hex') };
    },
    get count() {
      return n;
    },
  };
}

// ---------------------------------------------------------------------------------------------- processes

const { children, startChild, stopChild } = require('../support/processes');

function getStatus(port, path) {
  return new Promise((done) => {
    const req = http.get({ host: '127.0.0.1', port, path, timeout: 1000, agent: false }, (res) => {
      res.resume();
      res.on('end', () => done(res.statusCode));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(0));
  });
}

async function waitReady(child, port, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${child.name} exited (${child.exitCode}) before it was ready:\n${child.output()}`);
    if ((await getStatus(port, '/readyz')) === 200) return;
    await sleep(100);
  }
  throw new Error(`${child.name} was not ready on port ${port} within ${timeoutMs / 1000} s:\n${child.output()}`);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------- measuring

/** CPU used (in cores, 1 = one core busy) by this process (the load generator) and by a child, over a span. */
function cpuMeter(child) {
  const hz = 100; // USER_HZ, 100 on Linux
  const childTicks = () => {
    try {
      const fields = require('node:fs').readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return Number(fields[11]) + Number(fields[12]); // utime + stime
    } catch {
      return NaN;
    }
  };
  const t0 = performance.now();
  const own0 = process.cpuUsage();
  const child0 = childTicks();
  return () => {
    const wall = (performance.now() - t0) / 1000;
    const own = process.cpuUsage(own0);
    return { generatorCpu: (own.user + own.system) / 1e6 / wall, serverCpu: (childTicks() - child0) / hz / wall };
  };
}

/** Exact percentiles of a sample (milliseconds). */
function summarise(values) {
  const sorted = Float64Array.from(values).sort();
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

class BenchFailure extends Error {}

function checkAnswers(label, codes, errors, expected = 202) {
  const wrong = Object.entries(codes).filter(([code]) => Number(code) !== expected);
  if (wrong.length || errors.total) {
    const parts = [
      ...wrong.map(([code, count]) => `${count} x HTTP ${code}`),
      ...Object.entries(errors.byKind).map(([kind, count]) => `${count} x ${kind}`),
    ];
    throw new BenchFailure(
      `${label}: answers other than ${expected}: ${parts.join(', ')}` +
        (codes[503] ? ' (503 = the ingest could not queue: this run measured an outage, not throughput)' : ''),
    );
  }
}

/** Phase A run: autocannon closed loop, `connections` keep-alive connections, as fast as answers come. */
async function fullSpeed(label, { port, child }, seconds, connections, payloads) {
  const autocannon = require('autocannon');
  const latencies = [];
  const codes = {};
  const instance = autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/webhook',
        setupRequest(req) {
          const { body, signature } = payloads.next();
          req.headers = { ...req.headers, 'content-type': 'application/json', 'x-ghl-signature': signature };
          req.body = body;
          return req;
        },
      },
    ],
  });
  // autocannon's own histogram keeps whole milliseconds; keep the exact times instead.
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    codes[statusCode] = (codes[statusCode] ?? 0) + 1;
    latencies.push(responseTime);
  });
  const cpu = cpuMeter(child);
  const result = await instance;
  const { generatorCpu, serverCpu } = cpu();
  const errors = { total: result.errors + result.timeouts, byKind: {} };
  if (result.errors) errors.byKind['connection errors'] = result.errors;
  if (result.timeouts) errors.byKind.timeouts = result.timeouts;
  checkAnswers(label, codes, errors);
  const answered = Object.values(codes).reduce((a, b) => a + b, 0);
  const rps = answered / ((result.duration ?? seconds) || seconds);
  return { rps, generatorCpu, serverCpu, cpuPerRequestUs: (serverCpu / rps) * 1e6, ...summarise(latencies) };
}

/**
 * Phase B: open loop. Request i is due at t0 + i/rate and leaves then (or as soon as the event loop lets
 * it), whatever the earlier answers did. Latency from the due time counts queueing at the server and any
 * lag of this generator (no coordinated omission); latency from the actual send is the service time.
 */
function steady(label, port, rate, seconds, payloads) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const fromDue = [];
  const fromSend = [];
  const codes = {};
  const errors = { total: 0, byKind: {} };
  let finished = 0;
  let next = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  let maxLag = 0;
  let lastEnd = 0;
  const t0 = performance.now() + 50;

  return new Promise((done) => {
    const settle = () => {
      inFlight--;
      if (++finished === total) {
        agent.destroy();
        const wall = (lastEnd - t0) / 1000;
        done({ label, codes, errors, sent: total, achievedRate: total / wall, maxInFlight, maxLagMs: maxLag, fromDue, fromSend });
      }
    };
    const fire = (due) => {
      const { body, signature } = payloads.next();
      const sentAt = performance.now();
      maxLag = Math.max(maxLag, sentAt - due);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      let settled = false;
      const req = http.request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/webhook',
          agent,
          timeout: 10_000,
          headers: { 'content-type': 'application/json', 'content-length': body.length, 'x-ghl-signature': signature },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (settled) return;
            settled = true;
            const end = performance.now();
            lastEnd = Math.max(lastEnd, end);
            codes[res.statusCode] = (codes[res.statusCode] ?? 0) + 1;
            fromDue.push(end - due);
            fromSend.push(end - sentAt);
            settle();
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (error) => {
        if (settled) return;
        settled = true;
        lastEnd = Math.max(lastEnd, performance.now());
        const kind = error.message === 'timeout' ? 'timeouts' : `errors (${error.code ?? error.message})`;
        errors.total++;
        errors.byKind[kind] = (errors.byKind[kind] ?? 0) + 1;
        settle();
      });
      req.end(body);
    };
    const tick = () => {
      const now = performance.now();
      while (next < total && t0 + next * interval <= now) {
        fire(t0 + next * interval);
        next++;
      }
      if (next < total) setTimeout(tick, Math.max(0, t0 + next * interval - performance.now()));
    };
    setTimeout(tick, 50);
  });
}

// ---------------------------------------------------------------------------------------------- redis

/** Redis's own CPU time so far (seconds), from INFO; null where INFO is refused. */
async function redisCpuSeconds(redisUrl) {
  const { Redis } = require('ioredis');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  try {
    const info = await redis.info('cpu');
    const read = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
    const total = read('used_cpu_sys') + read('used_cpu_user');
    return Number.isFinite(total) ? total : null;
  } catch {
    return null;
  } finally {
    redis.disconnect();
  }
}

async function deletePrefix(redisUrl, prefix) {
  const { Redis } = require('ioredis');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 2000, retryStrategy: () => null });
  redis.on('error', () => undefined);
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 2000);
      cursor = nextCursor;
      if (keys.length) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

// ---------------------------------------------------------------------------------------------- report

const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(2)} ms` : '-');
const { median } = require('../support/stats');

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r, n) => {
    const line = r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
    return n === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
  }).join('\n');
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  let opts;
  try {
    opts = readOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench:ingest: ${error.message} (see --help)\n`);
    process.exit(2);
  }
  const budgetMs =
    (opts.build ? 180_000 : 0) + 90_000 + opts.rounds * 2 * (opts.duration + 15) * 1000 + 2 * (opts.warmup + 5) * 1000 +
    (opts.steadyDuration + 30) * 1000;
  const watchdog = setTimeout(() => {
    process.stderr.write(`\nbench:ingest: over its time budget (${Math.round(budgetMs / 1000)} s); stopping\n`);
    void cleanup().finally(() => process.exit(1));
  }, budgetMs);

  let redisHandle = null;
  let prefix = null;
  let cleaning = null;
  async function cleanup() {
    cleaning ??= (async () => {
      await Promise.allSettled([...children].map((c) => stopChild(c)));
      if (redisHandle && prefix) {
        try {
          const n = await deletePrefix(redisHandle.url, prefix);
          log(`cleanup: deleted ${n} keys under ${prefix}:*`);
        } catch (error) {
          process.stderr.write(`cleanup: could not delete ${prefix}:* keys: ${error.message}\n`);
        }
      }
      if (redisHandle?.started) {
        await redisHandle.stop().catch(() => undefined);
        log('cleanup: stopped the private redis-server');
      }
    })();
    return cleaning;
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      process.stderr.write(`\nbench:ingest: ${signal}, cleaning up\n`);
      void cleanup().finally(() => process.exit(130));
    });
  }
  process.once('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });

  try {
    if (opts.build) {
      log('building (tsc -b services/ingest) ...');
      execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b', 'services/ingest'], { cwd: ROOT, stdio: 'inherit' });
    }
    const { findOrStartRedis, freePort } = require('@wab/shared');
    redisHandle = await findOrStartRedis(process.env.REDIS_URL || undefined);
    const tag = randomBytes(4).toString('hex');
    prefix = `bench-${tag}`;
    const secret = randomBytes(24).toString('hex');
    log(`redis: ${redisHandle.url}${redisHandle.started ? ' (private, started for this run)' : ''}; key prefix ${prefix}`);

    const ingestEnv = {
      NODE_ENV: 'production',
      REDIS_URL: redisHandle.url,
      QUEUE_PREFIX: prefix,
      WEBHOOK_SECRET: secret,
      GHL_LOCATION_ID: 'loc_abc123', // the location its bodies carry
      RATE_LIMIT_PER_IP: '0',
      RATE_LIMIT_PER_PHONE: '0',
      LOG_LEVEL: 'warn',
      SHUTDOWN_TIMEOUT_MS: '500',
    };
    const ingestArgs = (name) => [
      ...opts.ingestNodeArgs,
      ...(opts.cpuProf && name === 'ingest' ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf] : []),
      join('services', 'ingest', 'dist', 'main.js'),
    ];
    const targets = {};
    for (const name of TARGETS) {
      const port = await freePort();
      // Every ingest gets metrics and admin ports of its own (two run side by side).
      const env = { ...ingestEnv, PORT: String(port), INGEST_METRICS_PORT: String(await freePort()), ADMIN_PORT: String(await freePort()) };
      const child =
        name === 'bare'
          ? startChild(name, [join(__dirname, 'bare-express.js')], { NODE_ENV: 'production', PORT: String(port) })
          : name === 'bare-queue'
            ? startChild(name, [join(__dirname, 'bare-queue.js')], env)
            : name === 'ingest'
              ? startChild(name, ingestArgs(name), env)
              : // Limits on, as in production, set high enough that none is reached: what counting them costs.
                startChild(name, ingestArgs(name), { ...env, RATE_LIMIT_PER_IP: '1000000000', RATE_LIMIT_PER_PHONE: '1000000000' });
      targets[name] = { port, child };
    }
    await Promise.all(Object.values(targets).map(({ child, port }) => waitReady(child, port)));
    const ingestPort = targets.ingest.port;
    const payloads = payloadSource(secret, tag);
    const alive = () => {
      for (const { child } of Object.values(targets)) {
        if (child.exitCode !== null || child.signalCode !== null) throw new BenchFailure(`${child.name} died:\n${child.output()}`);
      }
    };

    const loadBefore = os.loadavg()[0];
    log(`phase A: ${opts.connections} connections, ${opts.duration} s per run, ${opts.rounds} rounds of ${TARGETS.join(', ')}` +
      (opts.warmup ? ` (after ${opts.warmup} s warm-up each)` : ''));
    if (opts.warmup) {
      for (const name of TARGETS) await fullSpeed(`warm-up ${name}`, targets[name], opts.warmup, opts.connections, payloads);
    }
    const runs = Object.fromEntries(TARGETS.map((name) => [name, []]));
    for (let round = 1; round <= opts.rounds; round++) {
      for (const name of TARGETS) {
        alive();
        if (name !== 'bare') await deletePrefix(redisHandle.url, `${prefix}`); // every queueing run starts from an empty queue
        await sleep(500);
        const redisCpu0 = await redisCpuSeconds(redisHandle.url);
        const r = await fullSpeed(`phase A round ${round} ${name}`, targets[name], opts.duration, opts.connections, payloads);
        const redisCpu1 = await redisCpuSeconds(redisHandle.url);
        r.redisCpu = redisCpu0 === null || redisCpu1 === null ? NaN : (redisCpu1 - redisCpu0) / opts.duration;
        runs[name].push(r);
        log(`  round ${round} ${name.padEnd(13)} ${Math.round(r.rps).toString().padStart(6)} req/s  p50 ${ms(r.p50)}  p99 ${ms(r.p99)}  (${r.count} answers, all 202; CPU: server ${r.serverCpu.toFixed(2)}, generator ${r.generatorCpu.toFixed(2)}, redis ${r.redisCpu.toFixed(2)} cores)`);
      }
    }

    alive();
    await deletePrefix(redisHandle.url, prefix);
    await sleep(500);
    log(`phase B: ${opts.rate} requests/s for ${opts.steadyDuration} s against the ingest (open loop)`);
    const s = await steady('phase B steady', ingestPort, opts.rate, opts.steadyDuration, payloads);
    checkAnswers('phase B steady', s.codes, s.errors);
    const due = summarise(s.fromDue);
    const send = summarise(s.fromSend);
    alive();

    // ------------------------------------------------------------------ results
    const med = (name, key) => median(runs[name].map((r) => r[key]));
    const bareRps = med('bare', 'rps');
    const ingestRps = med('ingest', 'rps');
    const ratio = ingestRps / bareRps;
    out('');
    out(`Phase A, full speed: ${opts.connections} connections, ${opts.duration} s x ${opts.rounds} rounds each, medians`);
    out(table([
      ['target', 'req/s', 'p50', 'p99', 'server CPU', 'CPU/request', 'rounds (req/s)'],
      ...TARGETS.map((name) => [
        TARGET_LABELS[name],
        Math.round(med(name, 'rps')),
        ms(med(name, 'p50')),
        ms(med(name, 'p99')),
        `${med(name, 'serverCpu').toFixed(2)} cores`,
        `${Math.round(med(name, 'cpuPerRequestUs'))} us`,
        runs[name].map((r) => Math.round(r.rps)).join(', '),
      ]),
    ]));
    out(`ratio ingest/bare: ${ratio.toFixed(2)}x (by CPU per request: ${(med('bare', 'cpuPerRequestUs') / med('ingest', 'cpuPerRequestUs')).toFixed(2)}x)`);
    out(`ratio bare+queue.add/bare: ${(med('bare-queue', 'rps') / bareRps).toFixed(2)}x (the durable write alone); ingest/bare+queue.add: ${(ingestRps / med('bare-queue', 'rps')).toFixed(2)}x (the ingest's checks on top of it)`);
    out(`ratio ingest with limits/ingest: ${(med('ingest-limits', 'rps') / ingestRps).toFixed(2)}x (counting the per-IP and per-phone limits, as production does)`);
    out(`host load average ${loadBefore.toFixed(2)} before, ${os.loadavg()[0].toFixed(2)} after, on ${os.cpus().length} CPUs` +
      (Math.min(...TARGETS.map((name) => med(name, 'serverCpu'))) < 0.9
        ? '; a server got under 0.9 of a core: other processes were competing, so its figures are low'
        : ''));
    out('');
    out(`Phase B, steady: ${opts.rate} req/s for ${opts.steadyDuration} s against the ingest, ${s.sent} requests, ` +
      `achieved ${Math.round(s.achievedRate)} req/s, errors ${s.errors.total}, non-2xx 0, max in flight ${s.maxInFlight}, max send lag ${ms(s.maxLagMs)}`);
    out(table([
      ['latency', 'p50', 'p90', 'p99', 'max'],
      ['from scheduled time', ms(due.p50), ms(due.p90), ms(due.p99), ms(due.max)],
      ['from actual send', ms(send.p50), ms(send.p90), ms(send.p99), ms(send.max)],
    ]));
    out('');
    const okRatio = ratio >= GOAL_RATIO;
    const okP99 = due.p99 <= GOAL_P99_MS;
    out(`VERDICT: throughput ${ratio.toFixed(2)}x bare (goal >= ${GOAL_RATIO}x) ${okRatio ? 'MET' : 'MISSED'}; ` +
      `p99 ${due.p99.toFixed(2)} ms at ${opts.rate} req/s (goal <= ${GOAL_P99_MS} ms) ${okP99 ? 'MET' : 'MISSED'}` +
      ' (2-core host shared with the load generator and Redis)');
    clearTimeout(watchdog);
    await cleanup();
    process.exit(0);
  } catch (error) {
    clearTimeout(watchdog);
    process.stderr.write(`\nbench:ingest FAILED: ${error instanceof BenchFailure ? error.message : error.stack ?? error}\n`);
    await cleanup();
    process.exit(1);
  }
}

function log(line) {
  process.stderr.write(`${line}\n`);
}
function out(line) {
  process.stdout.write(`${line}\n`);
}

if (require.main === module) main();
module.exports = { payloadSource, startChild, stopChild, waitReady, fullSpeed, steady, summarise, deletePrefix, redisCpuSeconds, median };
