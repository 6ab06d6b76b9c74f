import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import pinoPretty from 'pino-pretty';
import { LOCAL_DEMO_WEBHOOK_SECRET, findOrStartRedis, freePort, type LocalRedis } from '@wab/shared';

/**
 * `npm start`: the whole system on this machine. Finds Redis (REDIS_URL, else 127.0.0.1:6379, else a
 * private redis-server), starts the GHL sandbox when no GHL_API_TOKEN is set, then the ingest and the
 * worker, each its own process configured only by the environment. Ctrl-C stops everything it started.
 * The published demo WEBHOOK_SECRET is used only with the sandbox; a real GHL needs a secret of your own.
 */

const root = join(__dirname, '..', '..', '..');
const children: { name: string; process: ChildProcess }[] = [];
let redis: LocalRedis | null = null;
let stopping = false;

function start(name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, join(root, script)], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  // Readable lines in a terminal, JSON lines otherwise (for log shippers).
  if (process.stdout.isTTY) child.stdout!.pipe(pinoPretty({ colorize: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss' }));
  else child.stdout!.pipe(process.stdout);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(`${name} exited (${signal ?? code}); stopping everything\n`);
      void stop(1);
    }
  });
  children.push({ name, process: child });
  return child;
}

async function waitForHttp(url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

async function stop(code: number): Promise<never> {
  stopping = true;
  await Promise.all(
    children.map(
      ({ process: child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 25_000).unref();
        }),
    ),
  );
  await redis?.stop();
  process.exit(code);
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  // The demo secret is published: with a real GHL it would let anyone forge messages.
  if (process.env.GHL_API_TOKEN && !process.env.WEBHOOK_SECRET?.trim()) {
    process.stderr.write(
      'npm start: GHL_API_TOKEN is set (real GHL) but WEBHOOK_SECRET is not: set WEBHOOK_SECRET to your own secret (at least 24 characters); the demo secret is only for the local sandbox\n',
    );
    process.exit(1);
  }
  redis = await findOrStartRedis(process.env.REDIS_URL || undefined);
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redis.url };
  const port = Number(env.PORT || 8000);

  let sandboxUrl: string | null = null;
  if (!env.GHL_API_TOKEN) {
    const sandboxPort = Number(env.SANDBOX_PORT || (await freePort()));
    sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
    Object.assign(env, {
      SANDBOX_PORT: String(sandboxPort),
      GHL_API_BASE_URL: sandboxUrl,
      GHL_API_TOKEN: 'sandbox',
      GHL_LOCATION_ID: env.GHL_LOCATION_ID || 'loc_sandbox',
      GHL_CALENDAR_ID: env.GHL_CALENDAR_ID || 'cal_sandbox',
      WEBHOOK_SECRET: env.WEBHOOK_SECRET?.trim() || LOCAL_DEMO_WEBHOOK_SECRET,
    });
    // The sandbox also serves the chat page, which delivers its messages to the ingest as signed webhooks.
    start('ghl-sandbox', 'services/ghl-sandbox/dist/main.js', { ...env, INGEST_URL: `http://127.0.0.1:${port}` });
    await waitForHttp(`${sandboxUrl}/_sandbox/appointments`);
  }
  start('ingest', 'services/ingest/dist/main.js', env);
  start('worker', 'services/worker/dist/main.js', env, ['--max-old-space-size=192']); // as compose and k8s run it
  await waitForHttp(`http://127.0.0.1:${port}/readyz`);
  await waitForHttp(`http://127.0.0.1:${Number(env.METRICS_PORT || 9100)}/readyz`);

  const adminPort = Number(env.ADMIN_PORT || 8001);
  const lines = [
    '',
    'WhatsApp booking is running:',
    `  webhook   POST http://127.0.0.1:${port}/webhook`,
    `  status    http://127.0.0.1:${port}/status   health /health   API /openapi.json`,
    `  metrics   ingest http://127.0.0.1:${Number(env.INGEST_METRICS_PORT || 9101)}/metrics   worker http://127.0.0.1:${Number(env.METRICS_PORT || 9100)}/metrics`,
    env.ADMIN_TOKEN
      ? `  admin     http://${env.ADMIN_HOST || '127.0.0.1'}:${adminPort}/admin/queues (ADMIN_TOKEN as the password)   npm run replay -- --since 1h`
      : '  admin     off (set ADMIN_TOKEN to serve it on 127.0.0.1:' + adminPort + ')',
    `  redis     ${redis.started ? 'private redis-server (stopped on exit)' : 'found running'}`,
    sandboxUrl ? `  GHL       sandbox at ${sandboxUrl} (no GHL_API_TOKEN set)` : `  GHL       ${env.GHL_API_BASE_URL ?? 'https://services.leadconnectorhq.com'}`,
    sandboxUrl ? `  chat      ${sandboxUrl}/sandbox` : '',
    env.WEBHOOK_SECRET === LOCAL_DEMO_WEBHOOK_SECRET ? `  signing   WEBHOOK_SECRET is the local demo value from the README` : '',
    'Ctrl-C stops everything.',
    '',
  ];
  process.stderr.write(lines.filter((l) => l !== '').join('\n') + '\n');
}

main().catch(async (error: Error) => {
  process.stderr.write(`npm start failed: ${error.message}\n`);
  await stop(1);
});
