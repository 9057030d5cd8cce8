/**
 * The whole `opml` CLI in-process (cli/run.ts runCli) for tests that run hundreds of commands, with the checks
 * every failure must pass: an exit code of the documented classes, no "internal error", no stack trace, and a
 * first stderr line that is one line of printable text.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../../cli/run.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run `opml <args>` in this process with `env` set for the run; a run over `timeoutMs` fails the test. */
export async function opmlIn(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 60_000): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const code = await Promise.race([
      runCli(['node', 'opml', ...args], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`opml ${args.join(' ')}: no answer in ${timeoutMs} ms (a hang)`)), timeoutMs);
      }),
    ]);
    return { code, stdout, stderr };
  } finally {
    clearTimeout(timer);
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** Run the real `bin/opml.js` as a subprocess. */
export function opmlProcess(args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 120_000): CliResult {
  const r = spawnSync(process.execPath, [path.resolve('bin/opml.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: timeoutMs });
  if (r.error) throw r.error;
  if (r.status === null) throw new Error(`opml ${args.join(' ')}: killed by ${r.signal} (a hang?)`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Any control character but the newline that ends a line, or an ANSI escape. */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** The checks every run must pass, whatever its input; `expected` (one code or several) when the case determines it. */
export function expectClean(r: CliResult, label: string, expected: number | readonly number[] = [0, 2, 3, 4]): void {
  const want = typeof expected === 'number' ? [expected] : expected;
  const context = `${label}\n--- stderr ---\n${r.stderr}`;
  expect(want, context).toContain(r.code);
  expect(r.stderr, context).not.toMatch(/internal error/);
  expect(r.stderr, context).not.toMatch(/^ {4}at /m);
  expect(r.stderr, context).not.toMatch(UNPRINTABLE);
  if (r.code !== 0) {
    const first = r.stderr.split('\n')[0];
    expect(first, `${context}\n(the first line is not "opml: …" or "error: …")`).toMatch(/^(opml|error): \S/);
    expect(first.length, context).toBeLessThanOrEqual(800);
  }
}

/** The environment without any OPML_* setting of the machine running the tests, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPML_'))), ...extra };
}

/** Run the real `bin/opml.js` in `cwd` (clean OPML_* environment plus `env`); stderr keeps only its `opml:` and `fix:` lines. */
export function opmlAt(cwd: string, args: string[], env: Record<string, string> = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.resolve('bin/opml.js'), ...args], { cwd, encoding: 'utf8', env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => l.startsWith('opml:') || l.startsWith('  fix:')).join('\n') };
}
