import { execFileSync } from 'node:child_process';

/**
 * Problems `promtool check metrics` finds in an exposition, leaving out prom-client's default
 * `nodejs_active_*_total` gauges (a known upstream naming quirk).
 */
export function promtoolProblems(exposition: string): string[] {
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
  } catch {
    // Debian's prometheus package brings promtool; .ci/run installs it.
    throw new Error('promtool is not installed (apt-get install prometheus)');
  }
  let output = '';
  try {
    execFileSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (error) {
    output = `${(error as { stdout?: string }).stdout ?? ''}${(error as { stderr?: string }).stderr ?? ''}`;
  }
  return output.split('\n').filter((line) => line.trim() && !/nodejs_active_(handles|requests|resources)_total/.test(line));
}
