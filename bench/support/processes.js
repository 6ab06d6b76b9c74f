'use strict';
/** Child processes of a benchmark: started with their output kept (for error messages), stopped on exit. */
const { spawn } = require('node:child_process');
const { resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');
const children = new Set();

/** Starts `node ARGS` from the repository root; `env` is added to this process's environment. */
function startChild(name, args, env, { stdin = 'ignore' } = {}) {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: [stdin, 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.name = name;
  child.output = () => tail.trim();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** SIGTERM, then SIGKILL after the grace period. */
async function stopChild(child, graceMs = 10_000) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

module.exports = { children, startChild, stopChild };
