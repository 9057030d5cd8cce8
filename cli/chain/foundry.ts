/**
 * Foundry's native binaries as shipped by the npm packages (@foundry-rs/<tool>-<platform>-<arch>), and
 * compiling the contracts when their artifacts are missing or stale (`npm install` compiles them once, through
 * scripts/build.mjs; this covers edited sources and installs that skipped the build).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { REPO_ROOT } from '../../models/repoRoot.ts';

export { REPO_ROOT };

export class FoundryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FoundryError';
  }
}

/** Path of the native `anvil`, `forge` or `cast` binary for this platform. */
export function foundryBinary(tool: 'anvil' | 'forge' | 'cast'): string {
  const require = createRequire(import.meta.url);
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  const pkg = `@foundry-rs/${tool}-${process.platform}-${arch}`;
  try {
    const dir = path.dirname(require.resolve(`${pkg}/package.json`));
    return path.join(dir, 'bin', process.platform === 'win32' ? `${tool}.exe` : tool);
  } catch {
    throw new FoundryError(`the package ${pkg} is missing for this platform: run npm install`);
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Make sure contracts/out holds artifacts at least as new as the sources: run `forge build` when they are
 * missing or stale. A probe from contracts/src (the CLI's contracts) compiles contracts/src alone (`--skip`
 * the tests: ~10 s with solc-js on 2 cores, against ~60 s with the tests, which `forge test` compiles itself);
 * a probe that only contracts/test defines (a test helper) compiles everything. `onBuild` is told, before a
 * build starts, what is compiled and roughly how long it takes; forge's own progress then goes to stderr when
 * stderr is a terminal.
 */
export function ensureContractsBuilt(probe = 'DisputeGame', onBuild?: (what: string) => void): void {
  const artifact = path.join(REPO_ROOT, 'contracts', 'out', `${probe}.sol`, `${probe}.json`);
  const src = path.join(REPO_ROOT, 'contracts', 'src');
  const test = path.join(REPO_ROOT, 'contracts', 'test');
  const srcOnly = existsSync(path.join(src, `${probe}.sol`));
  const newest = srcOnly ? newestMtime(src) : Math.max(newestMtime(src), existsSync(test) ? newestMtime(test) : 0);
  if (existsSync(artifact) && statSync(artifact).mtimeMs >= newest) return;
  const sources = readdirSync(src).filter((f) => f.endsWith('.sol')).length;
  onBuild?.(
    srcOnly
      ? `compiling the ${sources} contract sources of contracts/src with solc-js (once per clone, ~10 s) ...`
      : 'compiling the contracts and their tests with solc-js (once per clone, about a minute) ...',
  );
  const args = srcOnly ? ['build', '--skip', 'contracts/test/**'] : ['build'];
  // forge's stdout (its progress: "Compiling 18 files with Solc ...", a spinner on a terminal) goes to our stderr
  // for a person watching; stdout stays the command's own.
  const show = onBuild !== undefined && process.stderr.isTTY === true;
  const r = spawnSync(foundryBinary('forge'), args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', show ? 2 : 'pipe', 'pipe'] });
  if (r.status !== 0) throw new FoundryError(`forge ${args.join(' ')} failed:\n${(r.stderr || r.stdout || '').slice(-2000)}`);
  // forge leaves an unchanged artifact alone; mark this one current so the next check does not build again.
  if (existsSync(artifact)) {
    const now = new Date();
    utimesSync(artifact, now, now);
  }
}
