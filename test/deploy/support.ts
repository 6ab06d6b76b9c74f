import { execFileSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import * as jsYaml from 'js-yaml';

/** The repository root (deploy files live there). */
export const ROOT = resolve(__dirname, '..', '..');

/**
 * Fails with the Debian package to install when a command-line tool is missing: these tests must never
 * pass by skipping. `.ci/run` installs all of them.
 */
export function requireTool(command: string, aptPackage: string): void {
  const found = (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!found) throw new Error(`${command} is not installed: apt-get install ${aptPackage}`);
}

/** Runs a tool from the repository root; a failure shows the tool's own output. */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string } = {}): string {
  try {
    return execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...options });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? e.message}`);
  }
}

/**
 * Runs a Redis container's command (`sh -c …`) here with a stand-in `redis-server` that records the
 * configuration it got on stdin and its arguments, so the test sees what the real server would get.
 */
export function redisStartup(command: string[], env: Record<string, string>): { stdin: string; args: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'redis-startup-'));
  try {
    writeFileSync(join(dir, 'redis-server'), '#!/bin/sh\ncat > "$OUT/stdin"\nprintf "%s\\n" "$@" > "$OUT/args"\n', { mode: 0o755 });
    const [shell, ...rest] = command;
    run(shell, rest, { env: { PATH: `${dir}${delimiter}${process.env.PATH}`, OUT: dir, ...env } });
    return { stdin: readFileSync(join(dir, 'stdin'), 'utf8'), args: readFileSync(join(dir, 'args'), 'utf8').trim().split('\n') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function parseYaml<T = any>(text: string): T {
  return jsYaml.load(text) as T;
}

export function parseYamlDocuments<T = any>(text: string): T[] {
  return jsYaml.loadAll(text).filter((doc) => doc !== null && doc !== undefined) as T[];
}

const PROMQL_WORDS = new Set([
  'sum', 'min', 'max', 'avg', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile', 'count_values',
  'and', 'or', 'unless', 'bool', 'offset', 'rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'absent',
  'absent_over_time', 'histogram_quantile', 'avg_over_time', 'max_over_time', 'min_over_time', 'sum_over_time',
  'count_over_time', 'last_over_time', 'present_over_time', 'changes', 'resets', 'clamp_min', 'clamp_max',
  'abs', 'ceil', 'floor', 'round', 'scalar', 'vector', 'time', 'label_replace', 'predict_linear', 'sort', 'sort_desc',
  'label_join', 'timestamp', 'sgn', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'clamp', 'quantile_over_time', 'stddev_over_time',
  'histogram_count', 'histogram_sum', 'histogram_fraction', 'histogram_avg', 'inf', 'nan',
  'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
]);

/** Removes quoted strings outside `{…}` (label_replace's arguments), keeping label matchers whole. */
function withoutBareStrings(expr: string): string {
  let out = '';
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (depth === 0 && (c === '"' || c === "'")) {
      const end = expr.indexOf(c, i + 1);
      i = end === -1 ? expr.length : end;
      out += ' ';
      continue;
    }
    out += c;
  }
  return out;
}

export interface Selector {
  metric: string;
  matchers: { label: string; op: string; value: string }[];
}

/** The series selectors of a PromQL expression: metric names and their label matchers. */
export function promqlSelectors(expr: string): Selector[] {
  const stripped = withoutBareStrings(expr)
    .replace(/\$\{?\w+\}?/g, ' ') // Grafana variables ($__rate_interval, ${datasource})
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists, not metrics
    .replace(/\[[^\]]*\]/g, ' ') // range durations
    .replace(/\boffset\s+\w+/g, ' ');
  const selectors: Selector[] = [];
  const token = /([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{([^}]*)\})?(\s*\()?/g;
  for (const m of stripped.matchAll(token)) {
    const [, name, , body, call] = m;
    if (call && !body) continue; // a function call
    if (PROMQL_WORDS.has(name)) continue;
    if (/\d/.test(stripped[(m.index ?? 0) - 1] ?? '')) continue; // the exponent or unit of a number
    const matchers = [...(body ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)].map(([, label, op, value]) => ({ label, op, value }));
    selectors.push({ metric: name, matchers });
  }
  return selectors;
}
