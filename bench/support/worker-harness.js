'use strict';
/**
 * What the benchmarks that run the real worker share (bench/worker, bench/long-message's answer phase):
 * a session (Redis found or started, the loopback GHL/OpenAI doubles of bench/worker/doubles.js, a unique
 * key prefix deleted at the end, a watchdog, SIGINT/SIGTERM handling), job data exactly as the ingest
 * queues it, the worker's config, and createWorker started in this process.
 */
const { randomBytes } = require('node:crypto');
const { execFileSync } = require('node:child_process');
const os = require('node:os');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');
const shared = require(join(ROOT, 'shared', 'dist'));
const { createWorker } = require(join(ROOT, 'services', 'worker', 'dist', 'worker.js'));
const pino = require('pino');
const { referencePayload } = require('../worker/common');
const { children, startChild, stopChild } = require('./processes');

class BenchFailure extends Error {}

/** A Redis connection for the bench's own use (queue producer, admin); errors surface through the commands. */
const benchRedis = (url) => {
  const redis = shared.createRedis(url, 'worker');
  redis.on('error', () => undefined);
  return redis;
};
const GHL = { GHL_API_TOKEN: 'pit-bench', GHL_LOCATION_ID: 'loc_abc123', GHL_CALENDAR_ID: 'cal_bench' };


async function deletePrefix(redis, prefix) {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 2000);
    cursor = next;
    if (keys.length) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}


async function startDoubles() {
  const child = startChild('doubles', [join(__dirname, '..', 'worker', 'doubles.js')], { PATH: process.env.PATH ?? '' }, { stdin: 'pipe' });
  const port = await new Promise((resolvePort, reject) => {
    let buf = '';
    const onData = (chunk) => {
      buf += chunk.toString();
      const line = buf.split('\n')[0];
      if (buf.includes('\n')) {
        child.stdout.off('data', onData);
        try {
          resolvePort(JSON.parse(line).port);
        } catch (error) {
          reject(error);
        }
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new BenchFailure(`doubles exited (${code}): ${child.output()}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const control = async (method, path, body) => {
    const res = await fetch(`${url}/_bench/${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw new BenchFailure(`doubles /_bench/${path}: HTTP ${res.status}`);
    return res.json();
  };
  return {
    child,
    url,
    openaiUrl: `${url}/v1`,
    configure: (latency) => control('POST', 'config', latency),
    stats: () => control('GET', 'stats'),
    reset: () => control('POST', 'reset'),
  };
}


/** Job data exactly as the ingest queues it, from the API reference's payload through the product's normaliser. */
function jobsFor(tag, n, body) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const normalised = shared.normaliseWebhook(referencePayload(tag, i, body), { acceptedChannels: ['whatsapp'] });
    if (normalised.outcome !== 'event') throw new Error('reference payload not accepted');
    out.push(shared.toJobData(normalised, { runId: `run_${tag}_${i}`, requestId: `req_${tag}_${i}` }));
  }
  return out;
}

/** Adds the jobs as the ingest does (its job options, jobId = runId); returns the BullMQ Jobs. */
async function enqueue(queue, config, jobs) {
  const options = shared.inboundJobOptions(config);
  const added = [];
  for (let i = 0; i < jobs.length; i += 500) {
    added.push(...(await queue.addBulk(jobs.slice(i, i + 500).map((data) => ({ name: data.eventType, data, opts: { ...options, jobId: data.runId } })))));
  }
  return added;
}

function configFor(ctx, prefix, concurrency, extra = {}) {
  return shared.loadConfig({
    GHL_RATE_LIMIT_PER_10S: String(ctx.opts.ghlRateLimit),
    REDIS_URL: ctx.redisUrl,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: ctx.opts.logLevel,
    GHL_API_BASE_URL: ctx.doubles.url,
    ...GHL,
    WORKER_CONCURRENCY: String(concurrency),
    BURST_WINDOW_MS: '0',
    ...extra,
  });
}

function tally(into, finalState, bookingId) {
  const key = `${finalState}${bookingId ? '+booked' : ''}`;
  into[key] = (into[key] ?? 0) + 1;
}

/** createWorker in this process (its BullMQ Worker, effect ledger, checkpointer), logs to /dev/null. */
async function startInProcessWorker(ctx, config, { autorun = true } = {}) {
  const connection = benchRedis(ctx.redisUrl);
  const redis = shared.createRedis(ctx.redisUrl, 'worker', { enableAutoPipelining: true }); // as services/worker/src/main.ts
  redis.on('error', () => undefined);
  const logger = pino({ level: config.LOG_LEVEL, base: { service: 'worker' } }, pino.destination({ dest: '/dev/null', sync: false }));
  const { worker } = createWorker({ config, connection, redis, logger, autorun });
  await worker.waitUntilReady();
  const close = async () => {
    await worker.close();
    for (const c of [connection, redis]) c.disconnect();
    logger.flush?.();
  };
  return { worker, close };
}

/** `git rev-parse --short HEAD`, with "+changes" when the tree differs from it. */
function commitOf() {
  const git = (...args) => execFileSync('git', ['-C', ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return `${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain', '--untracked-files=no') ? '+changes' : ''}`;
  } catch {
    return '? (not a git checkout)';
  }
}

/**
 * Redis (REDIS_URL, else 127.0.0.1:6379, else a private redis-server), an admin connection, the doubles and
 * a unique prefix `<stem>-<random>`. `close()` stops the children, deletes the prefix's keys and a private
 * Redis; the watchdog and the signals do the same before exiting, so the bench always stops by itself.
 */
async function openSession({ name, stem, opts, watchdogMs }) {
  const ctx = { opts, prefix: `${stem}-${randomBytes(4).toString('hex')}`, redisUrl: null, admin: null, doubles: null, redisHandle: null };
  let cleaning = null;
  const log = (line) => process.stdout.write(`${line}\n`);
  const cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.allSettled([...children].map((c) => stopChild(c, 5000)));
      if (ctx.admin) {
        try {
          const n = await deletePrefix(ctx.admin, ctx.prefix);
          log(`cleanup: deleted ${n} keys under ${ctx.prefix}*`);
        } catch (error) {
          process.stderr.write(`cleanup: could not delete ${ctx.prefix}* keys: ${error.message}\n`);
        }
        ctx.admin.disconnect();
      }
      if (ctx.redisHandle?.started) await ctx.redisHandle.stop();
    })());
  const watchdog = setTimeout(() => {
    process.stderr.write(`\n${name}: over its time budget (${Math.round(watchdogMs / 1000)} s); stopping\n`);
    void cleanup().finally(() => process.exit(1));
  }, watchdogMs);
  watchdog.unref();
  const onSignal = () => void cleanup().finally(() => process.exit(130));
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, onSignal);
  ctx.close = async () => {
    await cleanup();
    clearTimeout(watchdog);
    for (const signal of ['SIGINT', 'SIGTERM']) process.off(signal, onSignal);
  };
  try {
    ctx.redisHandle = await shared.findOrStartRedis(process.env.REDIS_URL || undefined);
    ctx.redisUrl = ctx.redisHandle.url;
    ctx.admin = benchRedis(ctx.redisUrl);
    ctx.doubles = await startDoubles();
  } catch (error) {
    await ctx.close();
    throw error;
  }
  ctx.describe = () =>
    `commit ${commitOf()}, node ${process.version}, ${os.cpus().length} cores, Redis ${ctx.redisUrl}${ctx.redisHandle.started ? ' (private, started by the bench)' : ''}, key prefix ${ctx.prefix}`;
  return ctx;
}


/**
 * Command-line flags: `--key value`, `--key=value`, booleans named in `booleans`; `--help` prints the
 * script's header comment (`script`: its __filename) and exits; an unknown flag is a BenchFailure.
 */
function readFlags(argv, { booleans = [], known = [], script }) {
  const flags = {};
  const all = ['help', ...booleans];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new BenchFailure(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split('=', 2);
    if (all.includes(key)) flags[key] = true;
    else if (inline !== undefined) flags[key] = inline;
    else if (i + 1 < argv.length) flags[key] = argv[++i];
    else throw new BenchFailure(`--${key} needs a value`);
  }
  if (flags.help) {
    process.stdout.write(`${require('node:fs').readFileSync(script, 'utf8').split('*/')[0]}*/\n`);
    process.exit(0);
  }
  for (const key of Object.keys(flags)) if (![...known, ...all].includes(key)) throw new BenchFailure(`unknown option --${key} (see --help)`);
  return flags;
}

module.exports = { readFlags, BenchFailure, GHL, benchRedis, commitOf, configFor, deletePrefix, enqueue, jobsFor, openSession, startDoubles, startInProcessWorker, tally };
