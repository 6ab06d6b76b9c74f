import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort, redisAnswers } from '@wab/shared';

const run = promisify(execFile);

export interface LocalRedisCluster {
  /** REDIS_CLUSTER_NODES for these masters. */
  nodes: string;
  ports: number[];
  stop(): Promise<void>;
}

async function until<T>(what: string, deadlineMs: number, check: () => Promise<T | false>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Redis Cluster: ${what} within ${deadlineMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A real Redis Cluster of `masters` masters (no replicas) on free loopback ports, in a temporary directory,
 * without persistence: `redis-server --cluster-enabled yes` per node, joined by `redis-cli --cluster create`.
 */
export async function startRedisCluster(masters = 3): Promise<LocalRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'wab-cluster-'));
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      // The bus port too: by default port + 10,000, which may be taken, or past 65,535.
      const busPort = await freePort();
      ports.push(port);
      const child = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-port', String(busPort)],
          ...['--cluster-config-file', join(dir, `nodes-${port}.conf`), '--cluster-node-timeout', '5000'],
          ...['--save', '', '--appendonly', 'no', '--dir', dir, '--maxmemory-policy', 'noeviction'],
        ],
        { stdio: 'ignore' },
      );
      children.push(child);
      await until(`node ${port} did not answer`, 10_000, async () => {
        if (child.exitCode !== null) throw new Error(`Redis Cluster: redis-server on ${port} exited (${child.exitCode})`);
        return (await redisAnswers(`redis://127.0.0.1:${port}`, 300)) || false;
      });
    }
    const addresses = ports.map((p) => `127.0.0.1:${p}`);
    await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    // Every node must see the whole cluster (all slots covered) before a client can rely on its slot map.
    for (const port of ports) {
      const node = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await until(`node ${port} did not report cluster_state:ok`, 20_000, async () => {
          const info = (await node.cluster('INFO')) as string;
          return /cluster_state:ok/.test(info) && new RegExp(`cluster_known_nodes:${masters}\\b`).test(info);
        });
      } finally {
        node.disconnect();
      }
    }
    return { nodes: addresses.join(','), ports, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
