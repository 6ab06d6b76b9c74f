import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis, type Cluster } from 'ioredis';
import { keysFor } from '@wab/shared';
import { referenceMessage, startIngest } from '../support/ingest-harness';
import { startRedisCluster, type LocalRedisCluster } from '../support/redis-cluster';
import { eventually, testPrefix } from '../support/redis';
import { finishedRun, seededCustomer, startSystem, type System } from '../support/system';

/**
 * The product on a real 3-master Redis Cluster (REDIS_CLUSTER_NODES): every multi-key command and script has
 * to stay in one slot, or the cluster answers CROSSSLOT and the flow fails. GHL's double keeps its own state
 * on the ordinary test Redis: it stands for GHL, not for our Redis.
 */
let cluster: LocalRedisCluster;
let system: System;
let env: Record<string, string>;

beforeAll(async () => {
  cluster = await startRedisCluster(3);
  env = { REDIS_CLUSTER_NODES: cluster.nodes };
  system = await startSystem({ env: { ...env, BURST_WINDOW_MS: '400' } });
}, 60_000);

afterAll(async () => {
  await system?.close();
  await cluster?.stop();
});

const finished = (runId: string) => finishedRun(system, runId);

const slot = (key: string) => (system.ingest.redis as Cluster).cluster('KEYSLOT', key) as Promise<number>;

it('runs on three masters, with each key family that changes together in one slot and contacts spread over slots', async () => {
  const redis = system.ingest.redis as Cluster;
  expect(redis.isCluster).toBe(true);
  expect(redis.nodes('master')).toHaveLength(3);

  const keys = keysFor(system.prefix, redis);
  expect(keys.queuePrefix).toBe(`{${system.prefix}}`);
  const contact = (id: string) => Object.values(keys.forContact(id));
  for (const id of ['c_1', 'a}b', '}', '{x}', '']) expect(new Set(await Promise.all(contact(id).map(slot))).size).toBe(1);
  expect(new Set(await Promise.all(Object.values(keys.forLocation('loc_1')).map(slot))).size).toBe(1);
  expect(new Set(await Promise.all(Object.values(keys.conversation.thread('c_1')).map(slot))).size).toBe(1);
  expect(new Set(await Promise.all(['wh_1', 'msg_1', 'body:ab'].map((id) => slot(keys.dedupe(id))))).size).toBe(1);
  const contactSlots = new Set(await Promise.all(['c_1', 'c_2', 'c_3', 'c_4', 'c_5'].map((id) => slot(keys.forContact(id).lock))));
  expect(contactSlots.size).toBeGreaterThan(1);
});

it('books the API reference example end to end, and /status counts it', async () => {
  await system.ghl.seedContact({ id: 'contact_123', name: 'John Doe', phone: '+1234567890' });
  const res = await system.ingest.post(referenceMessage({ id: 'cluster-ref-1' }));
  expect(res.status).toBe(202);
  const run = await finished(res.body!.workflow_run_id);
  expect(run).toMatchObject({
    final_state: 'completed',
    nodes_executed: ['triage', 'collect', 'validate', 'book'],
    result: { booking_created: true, customer: { name: 'John Doe', budget: 2000 } },
  });
  expect(await system.ghl.appointments()).toHaveLength(1);
  expect(await eventually(async () => {
    const sent = await system.ghl.sentMessages('contact_123');
    if (sent.length === 0) throw new Error('no reply yet');
    return sent;
  })).toHaveLength(1);
  // A repeat of the delivery is a duplicate (the dedupe script), with the original run.
  const repeat = await system.ingest.post(referenceMessage({ id: 'cluster-ref-1' }));
  expect(repeat.body).toMatchObject({ workflow_run_id: res.body!.workflow_run_id });
  expect((await system.ingest.get('/status')).body).toMatchObject({ successful_bookings: 1, processed_messages: 1, queue_length: 0, workers: 1 });
});

it('answers ?wait with the booking once the run finished', async () => {
  const c = await seededCustomer(system, 'Wanda');
  const res = await c.post('I need marketing, budget $3000, tomorrow at 11am', '?wait=25');
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({ status: 'success', final_state: 'completed', booking_id: (await c.appointments())[0].id });
});

it('answers two messages 400 ms apart as one turn, with one booking', async () => {
  const c = await seededCustomer(system, 'Bea');
  const first = await c.post('I need help with marketing, budget 2500', '');
  await new Promise((r) => setTimeout(r, 50)); // the customer's own pace, not a wait for the system
  const second = await c.post('tomorrow at 4pm please', '');
  const [a, b] = await Promise.all([finished(first.body!.workflow_run_id), finished(second.body!.workflow_run_id)]);
  expect(a.final_state).toBe('completed');
  expect(b).toMatchObject({ final_state: 'completed', result: a.result });
  expect(await c.replies()).toHaveLength(1);
  expect(await c.appointments()).toHaveLength(1);
});

it('recovers from lost GHL answers without booking or replying twice (the effect ledger)', async () => {
  const c = await seededCustomer(system, 'Lola');
  await system.ghl.injectFaults({ endpoint: 'createAppointment', responses: ['drop-after-effect'] });
  await system.ghl.injectFaults({ endpoint: 'sendMessage', responses: ['drop-after-effect'] });
  const res = await c.post('I need SEO, budget $3000, tomorrow at 1pm', '');
  const run = await finished(res.body!.workflow_run_id);
  expect(run.final_state).toBe('completed');
  expect(await c.appointments()).toHaveLength(1);
  expect(await c.replies()).toHaveLength(1);
});

it('counts the backlog for /status and the KEDA gauge from the queue’s own keys', async () => {
  const ingest = await startIngest({ ...env, RATE_LIMIT_PER_IP: '0' }, { prefix: testPrefix('cluster-backlog') });
  try {
    for (let i = 0; i < 3; i++) expect((await ingest.post(referenceMessage({ id: `backlog-${i}` }))).status).toBe(202);
    await ingest.queue.add('x', {}, { delay: 60_000 });
    expect((await ingest.get('/status')).body).toMatchObject({ queue_length: 4, delayed: 1, workers: 0 });
    const scraped = await ingest.scrape();
    expect(scraped).toMatch(/queue_jobs\{state="waiting"\} 3\b/);
    expect(scraped).toMatch(/queue_jobs\{state="delayed"\} 1\b/);
  } finally {
    await ingest.close();
  }
});

it('shares the rate limits across ingest replicas, per IP and per phone', async () => {
  const prefix = testPrefix('cluster-limits');
  const limits = { ...env, RATE_LIMIT_PER_IP: '4', RATE_LIMIT_PER_PHONE: '2' };
  const a = await startIngest(limits, { prefix });
  const b = await startIngest(limits, { prefix });
  let n = 0;
  const message = (from: string) => referenceMessage({ id: `cluster-rl-${++n}`, from });
  try {
    expect((await a.post(message('+15550000011'))).status).toBe(202);
    expect((await b.post(message('+15550000011'))).status).toBe(202);
    const limited = await a.post(message('+15550000011'));
    expect(limited.status).toBe(429);
    expect(limited.body!.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 2 } });
    expect((await b.post(message('+15550000012'))).status).toBe(202); // another phone, the fourth from this address
    const byIp = await a.post(message('+15550000013'));
    expect(byIp.status).toBe(429);
    expect(byIp.body!.error).toMatchObject({ code: 'RATE_LIMITED', details: { limit: 4 } });
  } finally {
    await a.close();
    await b.close();
  }
});

it('the worker service refuses a cluster where any master may evict keys', async () => {
  const last = new Redis(cluster.ports[2], '127.0.0.1');
  await last.config('SET', 'maxmemory-policy', 'allkeys-lru');
  try {
    const worker = join(__dirname, '..', '..', 'services', 'worker', 'dist', 'main.js');
    const failure = await promisify(execFile)(process.execPath, [worker], { env: { ...process.env, ...system.env, METRICS_PORT: '0', LOG_LEVEL: 'silent' }, timeout: 15_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(/maxmemory-policy is allkeys-lru/);
  } finally {
    await last.config('SET', 'maxmemory-policy', 'noeviction');
    last.disconnect();
  }
});
