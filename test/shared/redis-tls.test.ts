import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, INBOUND_QUEUE, createRedis, loadConfig, type RedisTarget } from '@wab/shared';
import { startPrivateRedis, type LocalRedis } from '../../shared/src/redis/local-server';
import { requireTool } from '../deploy/support';
import { startIngest, referenceMessage, type Ingest } from '../support/ingest-harness';
import { eventually } from '../support/redis';

/**
 * REDIS_URL=rediss://… with REDIS_TLS_CA_FILE, end to end: a TLS-only redis-server on loopback, with a
 * certificate from a CA made here (nothing committed), and a password. The ingest's own wiring queues a
 * message and writes its run record through it; clients without the CA, or without TLS, are refused.
 */
const dir = mkdtempSync(join(tmpdir(), 'redis-tls-'));
const file = (name: string) => join(dir, name);
const password = randomBytes(16).toString('hex');
let server: LocalRedis;
let tlsPort: number;
let ingest: Ingest | undefined;

const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });

beforeAll(async () => {
  requireTool('openssl', 'openssl');
  // A CA, and a server certificate it signs for 127.0.0.1 (EC keys: fast to make), valid for a day.
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl(['req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=wab test CA']);
  openssl(['req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1']);
  writeFileSync(file('server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext']);

  server = await startPrivateRedis({
    stdinConfig: `user default off\nuser app on >${password} ~* &* +@all\n`,
    tlsArgs: ['--tls-cert-file', file('server.crt'), '--tls-key-file', file('server.key'), '--tls-ca-cert-file', file('ca.crt'), '--tls-auth-clients', 'no'],
    urlFor: (port) => `rediss://app:${password}@127.0.0.1:${port}`,
    clientOptions: { tls: { ca: readFileSync(file('ca.crt'), 'utf8') } },
  });
  tlsPort = Number(new URL(server.url).port);
}, 30_000);

afterAll(async () => {
  await ingest?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Connects once (no retries, a short deadline) and PINGs; resolves with the reply or rejects with what went
 * wrong (ioredis's own rejection only says the connection closed; the cause is in its `error` events).
 */
async function pingOnce(target: RedisTarget): Promise<string> {
  const client = createRedis(target, 'worker', { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  const causes: string[] = [];
  client.on('error', (error: Error) => causes.push(error.message));
  try {
    await client.connect();
    return await client.ping();
  } catch (error) {
    throw new Error([...causes, (error as Error).message].join('; '));
  } finally {
    client.disconnect();
  }
}

it('the ingest queues a message, answers /runs and /health, and RunStore writes over rediss:// with REDIS_TLS_CA_FILE', async () => {
  ingest = await startIngest({ REDIS_URL: server.url, REDIS_TLS_CA_FILE: file('ca.crt') });
  expect(ingest.config.REDIS_URL).toMatch(/^rediss:\/\//);
  const accepted = await ingest.post(referenceMessage());
  expect(accepted.status).toBe(202);
  const runId = accepted.body!.workflow_run_id as string;

  // The job is in BullMQ's keys on the TLS server; /runs reads it back from there.
  const job = await ingest.queue.getJob(runId);
  expect(job?.queueName).toBe(INBOUND_QUEUE);
  const run = await eventually(async () => {
    const r = await ingest!.get(`/runs/${runId}`);
    expect(r.status).toBe(200);
    return r.body;
  });
  expect(run).toMatchObject({ workflow_run_id: runId, final_state: 'queued' });
  // A RunStore write and read over the same connections (what the worker's records and /status use).
  await ingest.runStore.recordError('TLS_CHECK', 'written over rediss://');
  expect((await ingest.runStore.counters()).last_error).toMatchObject({ code: 'TLS_CHECK' });
  expect(await ingest.get('/health')).toMatchObject({ status: 200 });
});

it('refuses a certificate no trusted CA signed (no REDIS_TLS_CA_FILE: Node verifies against public CAs)', async () => {
  await expect(pingOnce(server.url)).rejects.toThrow(/certificate/i);
  // The same URL with the CA answers, so the refusal is the certificate's, not the server's.
  expect(await pingOnce(loadConfig({ REDIS_URL: server.url, REDIS_TLS_CA_FILE: file('ca.crt') }))).toBe('PONG');
});

it('refuses plain redis:// to the TLS port, and the right CA without the password', async () => {
  await expect(pingOnce(`redis://app:${password}@127.0.0.1:${tlsPort}`)).rejects.toThrow();
  const noPassword = loadConfig({ REDIS_URL: `rediss://127.0.0.1:${tlsPort}`, REDIS_TLS_CA_FILE: file('ca.crt') });
  await expect(pingOnce(noPassword)).rejects.toThrow(/NOAUTH/);
});

it('REDIS_TLS_CA_FILE is read once at start: a missing file, a non-PEM file or a redis:// URL stop the service', () => {
  const message = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('loadConfig accepted the environment');
  };
  expect(message({ REDIS_URL: server.url, REDIS_TLS_CA_FILE: file('missing.crt') })).toMatch(/REDIS_TLS_CA_FILE: cannot be read/);
  expect(message({ REDIS_URL: server.url, REDIS_TLS_CA_FILE: file('server.ext') })).toMatch(/REDIS_TLS_CA_FILE: must be a PEM file/);
  expect(message({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_TLS_CA_FILE: file('ca.crt') })).toMatch(/REDIS_TLS_CA_FILE: needs a rediss:\/\/ REDIS_URL/);
  expect(message({ REDIS_URL: 'http://127.0.0.1:6379' })).toMatch(/REDIS_URL: must start with redis:\/\/ or rediss:\/\//);
});
