'use strict';
/**
 * bench/worker: how fast the real worker answers queued messages, against the bare booking graph on the
 * same machine in the same run. A benchmark, not a test: `npm run bench:worker [-- --n 2000 ...]`
 * (builds first; `node bench/worker/run.js` uses the existing dist/).
 *
 *  Probe "as shipped": the worker process with default settings (`node services/worker/dist/main.js`),
 *    zero-latency doubles, for a few seconds: shows what GHL's rate budget (GHL_RATE_LIMIT_PER_10S, default
 *    100 requests / 10 s per location, GHL's own limit) lets through.
 *  Phase A "zero latency": N queued reference messages (one contact each, BURST_WINDOW_MS=0) drained by
 *    createWorker in this process at each concurrency, alternating with the bare graph
 *    (buildBookingGraph(ports), no checkpointer, in-memory ports answering at once) invoked in a loop on the
 *    same messages. R rounds, order alternating; medians, ratio worker/bare.
 *  Phase B "latency": the model 800 ms (OpenAI understander against the loopback double; messages the
 *    heuristic is not sure of, so every turn calls the model) and GHL 150 ms per call. The worker runs as a
 *    process (node services/worker/dist/main.js): per-job latency at concurrency 1 (enqueue -> completed),
 *    then, in a fresh process warmed by one wave of C jobs (not counted), a backlog at concurrency C:
 *    throughput (whole drain, and steady without the first and last wave) vs C / latency, and the
 *    process's RSS sampled from /proc/<pid>/status.
 *  Phases "calls" and "burst" (bench/worker/ghl-calls.js): GHL calls per first-turn booking, per turn that
 *    only asks a question, per message of mixed traffic; and 200 messages for one location at once under the
 *    default budget, against the floor that budget sets.
 *  Phases A and B set GHL_RATE_LIMIT_PER_10S very high (--ghl-rate-limit), or they would measure only the
 *  budget; the budget's Redis script still runs on every GHL call.
 *
 * Doubles (bench/worker/doubles.js, a process of its own): GHL as an in-memory loopback HTTP server
 * (stateless: every slot free, every call succeeds, no rate-limit headers) and an OpenAI-compatible
 * /v1/chat/completions. Not the GHL sandbox: it keeps state in Redis (extra Redis work on the same 2
 * cores) and its slots run out over thousands of bookings, which would change the conversation mid-run.
 *
 * Options (flag, or env):
 *   --n N (BENCH_N, 2000)  --rounds R (BENCH_ROUNDS, 3)  --concurrency LIST (BENCH_CONCURRENCY, "20,50")
 *   --warmup N (BENCH_WARMUP, 200)  --log-level L (BENCH_LOG_LEVEL, info; worker logs go to /dev/null)
 *   --b-concurrency C (BENCH_B_CONCURRENCY, 50)  --b-jobs N (BENCH_B_JOBS, 10 x C)  --b-latency-jobs N (5)
 *   --model-ms MS (800)  --ghl-ms MS (150)  --probe-seconds S (BENCH_PROBE_SECONDS, 21; 0 = skip)
 *   --worker-node-args "ARGS" (BENCH_WORKER_NODE_ARGS: extra node flags for the Phase B worker processes)
 *   --ghl-rate-limit N (BENCH_GHL_RATE_LIMIT, 1000000000: GHL_RATE_LIMIT_PER_10S in Phases A/B; 100 = as shipped)
 *   --calls-n N (BENCH_CALLS_N, 60: conversations of each kind)  --burst-n N (BENCH_BURST_N, 200)
 *   --phases LIST (probe,calls,a,b,burst)  --cpu-prof DIR (profiles the worker: in-process rounds of the last
 *   Phase A round via node:inspector, and the Phase B worker process via --cpu-prof; prints the hot spots)
 *
 * Needs Redis: REDIS_URL, else 127.0.0.1:6379, else a private redis-server it starts and stops. Keys live
 * under a unique prefix `bw-<random>` and are deleted at the end. Loopback only; stops by itself.
 */
const fs = require('node:fs');
const { join, resolve } = require('node:path');
const { performance } = require('node:perf_hooks');

const ROOT = resolve(__dirname, '..', '..');
const dist = (...p) => join(ROOT, ...p);
const shared = require(dist('shared', 'dist'));
const { buildBookingGraph } = require(dist('services', 'worker', 'dist', 'workflow', 'graph.js'));
const { turnInput } = require(dist('services', 'worker', 'dist', 'workflow', 'state.js'));
const { HeuristicUnderstander } = require(dist('services', 'worker', 'dist', 'understanding', 'heuristic.js'));
const { Queue, QueueEvents } = require('bullmq');
const { freeSlots, REFERENCE_BODY, UNSURE_BODY } = require('./common');
const { callsPhase, burstPhase } = require('./ghl-calls');
const { BenchFailure, GHL, benchRedis, readFlags, configFor, enqueue, jobsFor, openSession, startInProcessWorker, tally } = require('../support/worker-harness');

const GOAL_RATIO = 0.6;
const GOAL_SCALING = 0.9;
const GOAL_RSS_MB = 250;
const GOAL_CALLS = { firstTurnBooking: 4, questionTurn: 1, mixed: 1.5 };

// ---------------------------------------------------------------------------------------------- options

function readOptions(argv) {
  const flags = readFlags(argv, {
    known: ['n', 'rounds', 'concurrency', 'warmup', 'log-level', 'b-concurrency', 'b-jobs', 'b-latency-jobs', 'model-ms', 'ghl-ms', 'probe-seconds', 'phases', 'cpu-prof', 'worker-node-args', 'ghl-rate-limit', 'calls-n', 'burst-n'],
    script: __filename,
  });
  const num = (key, env, dflt, min) => {
    const raw = flags[key] ?? (env ? process.env[env] : undefined);
    const value = raw === undefined || raw === '' ? dflt : Number(raw);
    if (!Number.isFinite(value) || value < min) throw new BenchFailure(`--${key}${env ? ` / ${env}` : ''} must be a number >= ${min}`);
    return Math.round(value);
  };
  const list = (raw) => String(raw).split(',').map((s) => s.trim()).filter(Boolean);
  const concurrency = list(flags.concurrency ?? process.env.BENCH_CONCURRENCY ?? '20,50').map(Number);
  if (!concurrency.length || concurrency.some((c) => !Number.isInteger(c) || c < 1 || c > 1000)) throw new BenchFailure('--concurrency: integers 1..1000, comma-separated');
  const bConcurrency = num('b-concurrency', 'BENCH_B_CONCURRENCY', 50, 1);
  const phases = list(flags.phases ?? process.env.BENCH_PHASES ?? 'probe,calls,a,b,burst');
  for (const p of phases) if (!['probe', 'calls', 'a', 'b', 'burst'].includes(p)) throw new BenchFailure(`--phases: unknown phase ${p} (probe, calls, a, b, burst)`);
  return {
    n: num('n', 'BENCH_N', 2000, 1),
    rounds: num('rounds', 'BENCH_ROUNDS', 3, 1),
    concurrency,
    warmup: num('warmup', 'BENCH_WARMUP', 200, 0),
    logLevel: flags['log-level'] ?? process.env.BENCH_LOG_LEVEL ?? 'info',
    bConcurrency,
    bJobs: num('b-jobs', 'BENCH_B_JOBS', 10 * bConcurrency, 1),
    bLatencyJobs: num('b-latency-jobs', null, 5, 1),
    modelMs: num('model-ms', null, 800, 0),
    ghlMs: num('ghl-ms', null, 150, 0),
    probeSeconds: num('probe-seconds', 'BENCH_PROBE_SECONDS', 21, 0),
    callsN: num('calls-n', 'BENCH_CALLS_N', 60, 2),
    burstN: num('burst-n', 'BENCH_BURST_N', 200, 1),
    phases: new Set(phases),
    ghlRateLimit: num('ghl-rate-limit', 'BENCH_GHL_RATE_LIMIT', 1_000_000_000, 1),
    cpuProf: flags['cpu-prof'] ? resolve(flags['cpu-prof']) : null,
    workerNodeArgs: (flags['worker-node-args'] ?? process.env.BENCH_WORKER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
  };
}

// ---------------------------------------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (line) => process.stdout.write(`${line}\n`);
const { median } = require('../support/stats');
const fmt = (v, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '-');

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows
    .map((r, n) => {
      const line = r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
      return n === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

/** CPU seconds (user+system) of a process, from /proc; NaN when unreadable. */
function procCpuSeconds(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** VmRSS and VmHWM (peak) of a process in MB, from /proc/<pid>/status. */
function procMemoryMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, hwm: NaN };
  }
}

async function redisCpuSeconds(redis) {
  try {
    const info = await redis.info('cpu');
    const read = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
    return read('used_cpu_sys') + read('used_cpu_user');
  } catch {
    return NaN;
  }
}

/** CPU in cores (1 = one core busy) of this process, the doubles and Redis, over a span. */
async function cpuMeter(ctx, workerPid = null) {
  const t0 = performance.now();
  const own0 = process.cpuUsage();
  const dbl0 = procCpuSeconds(ctx.doubles.child.pid);
  const wk0 = workerPid ? procCpuSeconds(workerPid) : NaN;
  const redis0 = await redisCpuSeconds(ctx.admin);
  return async () => {
    const wall = (performance.now() - t0) / 1000;
    const own = process.cpuUsage(own0);
    return {
      bench: (own.user + own.system) / 1e6 / wall,
      benchSeconds: (own.user + own.system) / 1e6,
      worker: workerPid ? (procCpuSeconds(workerPid) - wk0) / wall : (own.user + own.system) / 1e6 / wall,
      doubles: (procCpuSeconds(ctx.doubles.child.pid) - dbl0) / wall,
      redis: ((await redisCpuSeconds(ctx.admin)) - redis0) / wall,
    };
  };
}

// ---------------------------------------------------------------------------------------------- processes

const { startChild, stopChild } = require('../support/processes');

/** Environment for a worker process: nothing of the caller's product settings, only ours. */
function workerEnv(ctx, extra) {
  const env = { ...process.env };
  for (const key of Object.keys(shared.configSchema.shape)) delete env[key];
  delete env.NODE_OPTIONS;
  return { ...env, REDIS_URL: ctx.redisUrl, GHL_API_BASE_URL: ctx.doubles.url, ...GHL, BURST_WINDOW_MS: '0', LOG_LEVEL: ctx.opts.logLevel, SHUTDOWN_TIMEOUT_MS: '3000', ...extra };
}

async function startWorkerProcess(ctx, name, env, nodeArgs = []) {
  const port = await shared.freePort();
  const child = startChild(name, [...nodeArgs, dist('services', 'worker', 'dist', 'main.js')], { ...env, METRICS_PORT: String(port) });
  child.stdout.removeAllListeners('data'); // worker logs: keep only stderr and the last lines
  let tail = '';
  child.stdout.on('data', (chunk) => (tail = (tail + chunk.toString()).slice(-2000)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new BenchFailure(`${name} exited (${child.exitCode}): ${child.output()} ${tail}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new BenchFailure(`${name} not ready after 20 s: ${child.output()} ${tail}`);
    await sleep(100);
  }
  return child;
}

// ---------------------------------------------------------------------------------------------- jobs


// ---------------------------------------------------------------------------------------------- profiling

async function startProfile() {
  const inspector = require('node:inspector');
  const session = new inspector.Session();
  session.connect();
  const post = (method, params) => new Promise((res, rej) => session.post(method, params, (e, r) => (e ? rej(e) : res(r))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return async (file) => {
    const { profile } = await post('Profiler.stop');
    session.disconnect();
    fs.mkdirSync(require('node:path').dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(profile));
    return file;
  };
}

/**
 * From a .cpuprofile: self time by package and by function, and the product's own functions by inclusive
 * time (synchronous frames only: time an async function spends awaiting is not in its stack). Percentages
 * are of busy (non-idle) samples.
 */
function hotSpots(file, top = 12) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const counts = new Map();
  for (const id of profile.samples) counts.set(id, (counts.get(id) ?? 0) + 1);
  const frame = (id) => {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const short = url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    return { name: functionName || '(anonymous)', short, key: `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim() };
  };
  const fns = new Map();
  const pkgs = new Map();
  const inclusive = new Map();
  let idle = 0;
  for (const [id, hits] of counts) {
    const { name, short, key } = frame(id);
    if (name === '(idle)') {
      idle += hits;
      continue;
    }
    fns.set(key, (fns.get(key) ?? 0) + hits);
    const pkg =
      /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(short)?.[1] ??
      (/^(services\/[^/]+|shared)\/dist\//.test(short) ? short.replace(/\/[^/]+\.js$/, '') : null) ??
      (short.startsWith('node:') ? 'node: (core)' : name.startsWith('(') ? name : short ? 'other' : '(native/V8)');
    pkgs.set(pkg, (pkgs.get(pkg) ?? 0) + hits);
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = frame(cur);
      if (!/^(services\/[^/]+|shared)\/dist\//.test(f.short) || seen.has(f.key)) continue;
      seen.add(f.key);
      inclusive.set(f.key, (inclusive.get(f.key) ?? 0) + hits);
    }
  }
  const busy = profile.samples.length - idle || 1;
  const rank = (m, n = top) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `${fmt((100 * v) / busy).padStart(5)}%  ${k}`);
  return { idle: (100 * idle) / (profile.samples.length || 1), functions: rank(fns), packages: rank(pkgs), product: rank(inclusive, 15) };
}

// ---------------------------------------------------------------------------------------------- phase A

function memoryPorts(rules) {
  let seq = 0;
  const contact = { name: 'John Doe', email: 'john@example.com', timezone: null };
  return {
    understander: new HeuristicUnderstander(),
    rules,
    calendar: {
      slotMinutes: async () => 30,
      freeSlots: async (fromMs, toMs) => freeSlots(fromMs, toMs),
      bookedInTurn: async () => null,
      book: async ({ startTime }) => ({ ok: true, appointmentId: `appt_${++seq}`, startTime }),
    },
    contacts: {
      describe: async () => contact,
      ensureContact: async ({ contactId }) => contactId ?? `ct_new_${++seq}`,
      addTags: async () => undefined,
      removeTags: async () => undefined,
    },
  };
}

function rulesOf(config) {
  return {
    minBudget: config.MIN_BUDGET,
    services: config.SERVICES,
    minNoticeMinutes: config.MIN_NOTICE_MINUTES,
    maxDaysAhead: config.MAX_DAYS_AHEAD,
    timeZone: config.BUSINESS_TIMEZONE,
    currency: config.BUDGET_CURRENCY,
  };
}

/** The bare graph: one invoke per message, in a loop, no queue, no checkpointer, ports answering at once. */
async function bareRound(ctx, tag, n, profileFile) {
  const graph = buildBookingGraph(memoryPorts(rulesOf(configFor(ctx, 'unused', 1))));
  const jobs = jobsFor(tag, n, REFERENCE_BODY);
  const outcomes = {};
  const meter = await cpuMeter(ctx);
  const stop = profileFile ? await startProfile() : null;
  const t0 = performance.now();
  for (const job of jobs) {
    const e = job.event;
    const state = await graph.invoke(
      turnInput({
        turnId: job.runId,
        message: e.body,
        now: new Date(),
        contact: { contactId: e.contactId, phone: e.phone, name: e.name, email: e.email, timezone: e.timezone },
        booking: null,
        optedOut: false,
        pausedUntil: null,
      }),
      { configurable: { thread_id: job.contactKey } },
    );
    tally(outcomes, state.outcome ?? 'completed', state.booking?.appointmentId);
  }
  const seconds = (performance.now() - t0) / 1000;
  if (stop) await stop(profileFile);
  const cpu = await meter();
  return { jobsPerSec: n / seconds, seconds, outcomes, cpu, cpuMsPerJob: (cpu.benchSeconds * 1000) / n };
}

/** createWorker in this process draining N queued jobs. */
async function workerRound(ctx, tag, n, concurrency, profileFile) {
  const prefix = `${ctx.prefix}-${tag}`;
  const config = configFor(ctx, prefix, concurrency);
  const producer = benchRedis(ctx.redisUrl);
  const queue = new Queue(shared.INBOUND_QUEUE, { connection: producer, prefix });
  await enqueue(queue, config, jobsFor(tag, n, REFERENCE_BODY));

  const { worker, close } = await startInProcessWorker(ctx, config, { autorun: false });
  const outcomes = {};
  let failures = 0;
  let lastError = null;
  let done = 0;
  const finished = new Promise((resolveDone, reject) => {
    worker.on('completed', (_job, result) => {
      tally(outcomes, result.final_state, result.booking_id);
      if (++done === n) resolveDone();
    });
    worker.on('failed', (_job, error) => {
      failures++;
      lastError = error.message;
    });
    setTimeout(() => reject(new BenchFailure(`worker round ${tag}: ${done}/${n} done after 180 s (${failures} failures, last: ${lastError})`)), 180_000).unref();
  });
  await ctx.doubles.reset();
  const meter = await cpuMeter(ctx);
  const stop = profileFile ? await startProfile() : null;
  const t0 = performance.now();
  const running = worker.run().catch((error) => error);
  await finished;
  const seconds = (performance.now() - t0) / 1000;
  if (stop) await stop(profileFile);
  const cpu = await meter();
  const ghlCalls = Object.entries(await ctx.doubles.stats()).reduce((sum, [k, v]) => sum + (k === 'openai' ? 0 : v), 0);
  await close();
  await running;
  await queue.close();
  producer.disconnect();
  return { jobsPerSec: n / seconds, seconds, outcomes, failures, cpu, cpuMsPerJob: (cpu.benchSeconds * 1000) / n, ghlPerJob: ghlCalls / n };
}

async function phaseA(ctx) {
  const { opts } = ctx;
  await ctx.doubles.configure({ ghlMs: 0, modelMs: 0 });
  log(`\nPhase A: zero-latency doubles, N=${opts.n} queued reference messages (one contact each), BURST_WINDOW_MS=0, heuristic understander, ${opts.rounds} rounds`);
  if (opts.warmup > 0) {
    log(`  warm-up: ${opts.warmup} jobs each (not counted)`);
    await bareRound(ctx, 'wb', opts.warmup);
    for (const c of opts.concurrency) await workerRound(ctx, `ww${c}`, opts.warmup, c);
  }
  const kinds = ['bare', ...opts.concurrency.map((c) => `worker c=${c}`)];
  const results = Object.fromEntries(kinds.map((k) => [k, []]));
  for (let r = 1; r <= opts.rounds; r++) {
    const order = r % 2 ? kinds : [...kinds].reverse();
    const last = r === opts.rounds && opts.cpuProf;
    const line = [];
    for (const kind of order) {
      const profile = last ? join(opts.cpuProf, `phaseA-${kind.replace(/[ =]/g, '')}.cpuprofile`) : null;
      const res = kind === 'bare' ? await bareRound(ctx, `b${r}`, opts.n, profile) : await workerRound(ctx, `a${r}c${kind.split('=')[1]}`, opts.n, Number(kind.split('=')[1]), profile);
      results[kind].push(res);
      line.push(`${kind} ${fmt(res.jobsPerSec)}/s`);
    }
    log(`  round ${r}${last ? ' (profiled: slower)' : ''}: ${line.join(', ')}`);
  }
  return results;
}

// ---------------------------------------------------------------------------------------------- probe

/** The worker exactly as built (GHL budget 100/10 s), zero latency: how far GHL's budget lets it go. */
async function probe(ctx) {
  const { opts } = ctx;
  const concurrency = opts.concurrency[0];
  const prefix = `${ctx.prefix}-probe`;
  const config = configFor(ctx, prefix, concurrency, { GHL_RATE_LIMIT_PER_10S: '' }); // '' = unset: the default
  await ctx.doubles.configure({ ghlMs: 0, modelMs: 0 });
  await ctx.doubles.reset();
  const producer = benchRedis(ctx.redisUrl);
  const queue = new Queue(shared.INBOUND_QUEUE, { connection: producer, prefix });
  const backlog = Math.max(200, 20 * opts.probeSeconds);
  await enqueue(queue, config, jobsFor('probe', backlog, REFERENCE_BODY));
  log(`\nProbe: worker process with default settings (node services/worker/dist/main.js, GHL_RATE_LIMIT_PER_10S ${config.GHL_RATE_LIMIT_PER_10S}), c=${concurrency}, zero latency, ${opts.probeSeconds} s`);
  const child = await startWorkerProcess(ctx, 'worker-probe', workerEnv(ctx, { QUEUE_PREFIX: prefix, WORKER_CONCURRENCY: String(concurrency) }));
  const t0 = performance.now();
  const half = opts.probeSeconds / 2;
  await sleep(half * 1000);
  const mid = (await queue.getJobCounts('completed')).completed;
  const ghlMid = Object.values(await ctx.doubles.stats()).reduce((a, b) => a + b, 0);
  await sleep(half * 1000);
  const end = (await queue.getJobCounts('completed')).completed;
  const ghlEnd = Object.values(await ctx.doubles.stats()).reduce((a, b) => a + b, 0);
  const seconds = (performance.now() - t0) / 1000;
  await stopChild(child);
  const done = await queue.getJobs(['completed'], 0, -1);
  const jobMs = median(done.map((j) => j.finishedOn - j.processedOn));
  await queue.close();
  producer.disconnect();
  const res = { completed: end, seconds, overall: end / seconds, steady: (end - mid) / half, ghlPerSec: ghlEnd / seconds, jobMs };
  log(`  ${end} jobs in ${fmt(seconds)} s: ${fmt(res.overall, 2)} jobs/s at ${fmt(res.ghlPerSec, 1)} GHL calls/s; median job time ${fmt(jobMs / 1000, 1)} s (the 100 calls of a window go in a burst, then all wait for it to slide)`);
  return res;
}

// ---------------------------------------------------------------------------------------------- phase B

async function phaseB(ctx) {
  const { opts } = ctx;
  const C = opts.bConcurrency;
  await ctx.doubles.configure({ ghlMs: opts.ghlMs, modelMs: opts.modelMs });
  const nodeArgs = opts.workerNodeArgs;
  const lift = { GHL_RATE_LIMIT_PER_10S: String(opts.ghlRateLimit) };
  const openai = { OPENAI_API_KEY: 'sk-bench-not-a-key', OPENAI_BASE_URL: ctx.doubles.openaiUrl };
  log(`\nPhase B: model ${opts.modelMs} ms (OpenAI understander, loopback double; every message needs the model), GHL ${opts.ghlMs} ms per call; worker as a process`);

  // 1. Per-job latency at concurrency 1, end to end (queue.add -> completed event).
  const prefix1 = `${ctx.prefix}-b1`;
  const config1 = configFor(ctx, prefix1, 1);
  const producer = benchRedis(ctx.redisUrl);
  const q1 = new Queue(shared.INBOUND_QUEUE, { connection: producer, prefix: prefix1 });
  const eventsConnection = benchRedis(ctx.redisUrl);
  const events = new QueueEvents(shared.INBOUND_QUEUE, { connection: eventsConnection, prefix: prefix1 });
  await events.waitUntilReady();
  const c1 = await startWorkerProcess(ctx, 'worker-c1', workerEnv(ctx, { QUEUE_PREFIX: prefix1, WORKER_CONCURRENCY: '1', ...openai, ...lift }), nodeArgs);
  await ctx.doubles.reset();
  const latencies = [];
  const jobs1 = jobsFor('b1', opts.bLatencyJobs + 1, UNSURE_BODY);
  const outcomes1 = {};
  for (let i = 0; i < jobs1.length; i++) {
    const t = performance.now();
    await enqueue(q1, config1, [jobs1[i]]);
    const job = await q1.getJob(jobs1[i].runId);
    const result = await job.waitUntilFinished(events, 30_000);
    if (i > 0) latencies.push(performance.now() - t); // the first one opens connections: not counted
    tally(outcomes1, result.final_state, result.booking_id);
  }
  const stats1 = await ctx.doubles.stats();
  await stopChild(c1);
  await events.close();
  eventsConnection.disconnect();
  await q1.close();
  const latencyMs = median(latencies);
  log(`  concurrency 1: per-job latency median ${fmt(latencyMs, 0)} ms (${latencies.map((v) => fmt(v, 0)).join(', ')}); model calls ${stats1.openai ?? 0}/${jobs1.length}`);

  // 2. A backlog at concurrency C, in a warm process (one wave of C jobs first, not counted); throughput from
  //    the jobs' own timestamps (first start -> last finish), and steady state without the first and last wave.
  const prefixC = `${ctx.prefix}-bc`;
  const configC = configFor(ctx, prefixC, C);
  const qC = new Queue(shared.INBOUND_QUEUE, { connection: producer, prefix: prefixC });
  const profArgs = opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf, '--cpu-prof-name', 'phaseB-worker.cpuprofile'] : [];
  const child = await startWorkerProcess(ctx, `worker-c${C}`, workerEnv(ctx, { QUEUE_PREFIX: prefixC, WORKER_CONCURRENCY: String(C), ...openai, ...lift }), [...nodeArgs, ...profArgs]);
  const idle = procMemoryMb(child.pid);
  const drain = async (total, deadlineMs) => {
    const deadline = Date.now() + deadlineMs;
    let peak = 0;
    for (;;) {
      peak = Math.max(peak, procMemoryMb(child.pid).rss);
      const counts = await qC.getJobCounts('completed', 'failed');
      if (counts.completed + counts.failed >= total) return { counts, peak };
      if (child.exitCode !== null) throw new BenchFailure(`worker-c${C} exited: ${child.output()}`);
      if (Date.now() > deadline) throw new BenchFailure(`Phase B: ${counts.completed}/${total} done before the deadline (failed ${counts.failed})`);
      await sleep(200);
    }
  };
  await enqueue(qC, configC, jobsFor('bw', C, UNSURE_BODY));
  await drain(C, 60_000);
  await ctx.doubles.reset();
  const meter = await cpuMeter(ctx, child.pid);
  await enqueue(qC, configC, jobsFor('bc', opts.bJobs, UNSURE_BODY));
  const { counts: allCounts, peak } = await drain(C + opts.bJobs, Math.max(60_000, (opts.bJobs / C) * latencyMs * 4));
  const counts = { completed: allCounts.completed - C, failed: allCounts.failed };
  const cpu = await meter();
  const mem = procMemoryMb(child.pid);
  const peakRss = Math.max(peak, mem.rss);
  const stats = await ctx.doubles.stats();
  await stopChild(child);
  const done = (await qC.getJobs(['completed'], 0, -1)).filter((j) => j.id.startsWith('run_bc_'));
  await qC.close();
  producer.disconnect();
  const outcomes = {};
  for (const j of done) tally(outcomes, j.returnvalue?.final_state, j.returnvalue?.booking_id);
  const started = Math.min(...done.map((j) => j.processedOn));
  const finished = Math.max(...done.map((j) => j.finishedOn));
  const seconds = (finished - started) / 1000;
  const jobsPerSec = done.length / seconds;
  // Steady state: from the end of the first wave (C-th completion) to the start of the last (N-C-th), so the
  // ramp-up and the tail are left out; needs at least 4 waves.
  const ends = done.map((j) => j.finishedOn).sort((a, b) => a - b);
  const lo = C - 1;
  const hi = ends.length - C - 1;
  const steadyPerSec = hi - lo >= 2 * C && ends[hi] > ends[lo] ? (hi - lo) / ((ends[hi] - ends[lo]) / 1000) : NaN;
  const durations = done.map((j) => j.finishedOn - j.processedOn).sort((a, b) => a - b);
  const pct = (q) => durations[Math.min(durations.length - 1, Math.ceil(q * durations.length) - 1)];
  const expected = C / (latencyMs / 1000);
  const ghlCalls = Object.entries(stats).reduce((sum, [k, v]) => sum + (k === 'openai' ? 0 : v), 0);
  log(`  concurrency ${C}: ${done.length} jobs (${counts.failed} failed) in ${fmt(seconds, 2)} s = ${fmt(jobsPerSec)} jobs/s (steady, without first and last wave: ${fmt(steadyPerSec)}); expected C/latency = ${fmt(expected)} jobs/s; job time p50/p90/max ${pct(0.5)}/${pct(0.9)}/${durations.at(-1)} ms`);
  return {
    latencyMs,
    latencies,
    outcomes1,
    jobsPerSec,
    steadyPerSec,
    expected,
    seconds,
    failed: counts.failed,
    outcomes,
    modelCalls: stats.openai ?? 0,
    ghlPerJob: ghlCalls / done.length,
    jobMs: { p50: pct(0.5), p90: pct(0.9), max: durations.at(-1) },
    rss: { idle: idle.rss, peak: peakRss, end: mem.rss, hwm: mem.hwm },
    cpu,
  };
}

// ---------------------------------------------------------------------------------------------- main

async function main() {
  const opts = readOptions(process.argv.slice(2));
  const watchdogMs = 60_000 + (opts.phases.has('probe') ? (opts.probeSeconds + 30) * 1000 : 0) + (opts.phases.has('a') ? opts.rounds * (opts.concurrency.length + 1) * (opts.n / 40 + 10) * 1000 : 0) + (opts.phases.has('b') ? 240_000 : 0) + (opts.phases.has('calls') ? 180_000 : 0) + (opts.phases.has('burst') ? 60_000 + opts.burstN * 2000 : 0);
  const startedAt = performance.now();
  const ctx = await openSession({ name: 'bench:worker', stem: 'bw', opts, watchdogMs });
  try {
    log(`bench:worker  ${ctx.describe()}`);
    log(`doubles: GHL + OpenAI in-memory on ${ctx.doubles.url} (separate process); Phases A/B with GHL_RATE_LIMIT_PER_10S=${opts.ghlRateLimit}`);

    const out = {};
    if (opts.phases.has('probe') && opts.probeSeconds > 0) out.probe = await probe(ctx);
    if (opts.phases.has('calls')) out.calls = await callsPhase(ctx, { log, fmt, n: opts.callsN });
    if (opts.phases.has('a')) out.a = await phaseA(ctx);
    if (opts.phases.has('b')) out.b = await phaseB(ctx);
    if (opts.phases.has('burst')) out.burst = await burstPhase(ctx, { log, fmt, n: opts.burstN });
    report(ctx, out);
    if (opts.cpuProf) {
      const files = fs.existsSync(opts.cpuProf) ? fs.readdirSync(opts.cpuProf).filter((f) => f.endsWith('.cpuprofile')) : [];
      for (const f of files) {
        const { idle, functions, packages, product } = hotSpots(join(opts.cpuProf, f));
        log(
          `\nCPU profile ${join(opts.cpuProf, f)}: idle ${fmt(idle)}% of samples; below, % of busy samples` +
            `\n  self time by package:\n    ${packages.join('\n    ')}\n  self time by function:\n    ${functions.join('\n    ')}` +
            `\n  product functions, inclusive (synchronous part):\n    ${product.join('\n    ')}`,
        );
      }
    }
    log(`\ntotal ${fmt((performance.now() - startedAt) / 1000, 0)} s`);
  } finally {
    await ctx.close();
  }
}

function report(ctx, out) {
  const { opts } = ctx;
  log('\n================================================ results');
  const verdicts = [];
  const pass = (ok) => (ok ? 'PASS' : 'MISS');
  const lifted = ` [GHL_RATE_LIMIT_PER_10S=${opts.ghlRateLimit}]`;
  if (out.probe) {
    const p = out.probe;
    log(`Default settings (GHL_RATE_LIMIT_PER_10S=100), c=${opts.concurrency[0]}, zero latency: ${fmt(p.overall, 2)} jobs/s over ${fmt(p.seconds, 0)} s, ${fmt(p.ghlPerSec, 1)} GHL calls/s, median job time ${fmt(p.jobMs / 1000, 1)} s`);
  }
  if (out.a) {
    const bare = median(out.a.bare.map((r) => r.jobsPerSec));
    const bareCpu = median(out.a.bare.map((r) => r.cpuMsPerJob));
    const rows = [['Phase A (zero latency)', 'median jobs/s', 'rounds', 'vs bare', 'CPU ms/job', 'cores: worker', 'redis', 'doubles', 'GHL calls/job', 'outcomes (last round)']];
    for (const [kind, runs] of Object.entries(out.a)) {
      const m = median(runs.map((r) => r.jobsPerSec));
      const last = runs[runs.length - 1];
      rows.push([
        kind,
        fmt(m),
        runs.map((r) => fmt(r.jobsPerSec, 0)).join(' / '),
        kind === 'bare' ? '1.00' : fmt(m / bare, 2),
        `${fmt(median(runs.map((r) => r.cpuMsPerJob)), 2)}${kind === 'bare' ? '' : ` (${fmt(median(runs.map((r) => r.cpuMsPerJob)) / bareCpu, 1)}x)`}`,
        fmt(median(runs.map((r) => r.cpu.worker)), 2),
        fmt(median(runs.map((r) => r.cpu.redis)), 2),
        fmt(median(runs.map((r) => r.cpu.doubles)), 2),
        kind === 'bare' ? '-' : fmt(last.ghlPerJob, 2),
        Object.entries(last.outcomes).map(([k, v]) => `${k} ${v}`).join(', ') + (last.failures ? `; ${last.failures} failed attempts` : ''),
      ]);
    }
    log(table(rows));
    for (const c of opts.concurrency) {
      const runs = out.a[`worker c=${c}`];
      const ratio = median(runs.map((r) => r.jobsPerSec)) / bare;
      const perRound = runs.map((r, i) => r.jobsPerSec / out.a.bare[i].jobsPerSec);
      verdicts.push(`${pass(ratio >= GOAL_RATIO)}  A  worker c=${c} / bare graph = ${fmt(ratio, 2)}x (per round ${perRound.map((v) => fmt(v, 2)).join(', ')}; goal >= ${GOAL_RATIO}x)${lifted}`);
    }
  }
  if (out.b) {
    const b = out.b;
    const rows = [
      ['Phase B (model ' + opts.modelMs + ' ms, GHL ' + opts.ghlMs + ' ms)', 'value'],
      ['per-job latency, c=1 (median)', `${fmt(b.latencyMs, 0)} ms`],
      [`throughput, c=${opts.bConcurrency}: whole drain / steady`, `${fmt(b.jobsPerSec)} / ${fmt(b.steadyPerSec)} jobs/s`],
      [`expected c/latency`, `${fmt(b.expected)} jobs/s`],
      ['achieved / expected: whole / steady', `${fmt(b.jobsPerSec / b.expected, 2)} / ${fmt(b.steadyPerSec / b.expected, 2)}`],
      [`job time at c=${opts.bConcurrency} p50 / p90 / max`, `${b.jobMs.p50} / ${b.jobMs.p90} / ${b.jobMs.max} ms`],
      ['model calls / GHL calls per job', `${fmt(b.modelCalls / (b.outcomes ? Object.values(b.outcomes).reduce((a, v) => a + v, 0) : 1), 2)} / ${fmt(b.ghlPerJob, 2)}`],
      ['worker RSS idle / peak / end (VmHWM)', `${fmt(b.rss.idle, 0)} / ${fmt(b.rss.peak, 0)} / ${fmt(b.rss.end, 0)} MB (${fmt(b.rss.hwm, 0)})`],
      ['cpu (cores): worker / redis / doubles', `${fmt(b.cpu.worker, 2)} / ${fmt(b.cpu.redis, 2)} / ${fmt(b.cpu.doubles, 2)}`],
      ['outcomes', Object.entries(b.outcomes).map(([k, v]) => `${k} ${v}`).join(', ') + (b.failed ? `; ${b.failed} failed` : '')],
    ];
    log(`\n${table(rows)}`);
    verdicts.push(
      `${pass((Number.isFinite(b.steadyPerSec) ? b.steadyPerSec : b.jobsPerSec) >= GOAL_SCALING * b.expected)}  B  throughput at c=${opts.bConcurrency} = ${fmt((100 * b.steadyPerSec) / b.expected, 0)}% of c/latency steady, ${fmt((100 * b.jobsPerSec) / b.expected, 0)}% over the whole drain (${fmt(b.steadyPerSec)} / ${fmt(b.jobsPerSec)} of ${fmt(b.expected)} jobs/s; goal >= ${GOAL_SCALING * 100}%)${lifted}`,
    );
    verdicts.push(`${pass(b.rss.peak <= GOAL_RSS_MB)}  B  worker process RSS at c=${opts.bConcurrency}: peak ${fmt(b.rss.peak, 0)} MB (goal <= ${GOAL_RSS_MB} MB)`);
  }
  if (out.calls) {
    const k = out.calls.kinds;
    const one = k['one-turn booking'];
    const three = k['three-turn booking'];
    const rows = [['GHL calls', 'per message', 'by turn']];
    for (const [kind, res] of Object.entries(k)) rows.push([kind, fmt(res.perMessage, 2), res.perTurn.map((t) => fmt(t.calls / t.messages, 2)).join(' / ')]);
    rows.push(['mixed (a third each: one-turn, three-turn, refusal+spam)', fmt(out.calls.mixed.perMessage, 2), '']);
    log(`\n${table(rows)}`);
    if (one) {
      const v = one.perMessage;
      verdicts.push(`${pass(v <= GOAL_CALLS.firstTurnBooking)}  calls  first-turn booking: ${fmt(v, 2)} GHL calls (goal <= ${GOAL_CALLS.firstTurnBooking}; ${Object.entries(one.perTurn[0].stats).map(([e, c]) => `${e} ${fmt(c / one.messages, 2)}`).join(', ')})`);
    }
    if (three) {
      const later = three.perTurn[1].calls / three.perTurn[1].messages;
      const first = three.perTurn[0].calls / three.perTurn[0].messages;
      verdicts.push(`${pass(later <= GOAL_CALLS.questionTurn)}  calls  a turn that only asks a question: ${fmt(later, 2)} GHL calls on a later turn, ${fmt(first, 2)} on a first turn (the GET of the contact) (goal <= ${GOAL_CALLS.questionTurn})`);
    }
    verdicts.push(`${pass(out.calls.mixed.perMessage <= GOAL_CALLS.mixed)}  calls  mixed traffic: ${fmt(out.calls.mixed.perMessage, 2)} GHL calls a message over ${out.calls.mixed.messages} messages, ${fmt(out.calls.mixed.alone, 2)} for the same conversations kind by kind (goal <= ${GOAL_CALLS.mixed})`);
  }
  if (out.burst) {
    const b = out.burst;
    verdicts.push(`note   burst: ${b.n} messages for one location at once, default budget: ${fmt(b.seconds)} s to answer all vs the floor ${fmt(b.floor)} s (${b.calls} GHL calls / 10 per s) = ${fmt(b.ratio, 2)}x`);
  }
  if (out.probe) {
    const p = out.probe;
    const perJob = out.a ? out.a[`worker c=${opts.concurrency[0]}`].at(-1).ghlPerJob : out.b?.ghlPerJob ?? 5;
    verdicts.push(
      `note  default GHL_RATE_LIMIT_PER_10S=100 (GHL's own per-location limit) caps one location at 10 GHL calls/s = ~${fmt(10 / perJob, 1)} jobs/s (${fmt(perJob, 1)} calls a turn); measured ${fmt(p.overall, 2)} jobs/s, ${fmt(p.jobMs / 1000, 1)} s a job`,
    );
  }
  log(`\nverdicts:\n  ${verdicts.join('\n  ')}`);
}

process.on('unhandledRejection', (error) => process.stderr.write(`unhandled rejection: ${error?.message ?? error}\n`));

main().catch((error) => {
  process.stderr.write(`\nbench:worker failed: ${error instanceof BenchFailure ? error.message : error.stack}\n`);
  process.exitCode = 1;
});
