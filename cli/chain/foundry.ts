/**
 * Foundry's native binaries as shipped by the npm packages (@foundry-rs/<tool>-<platform>-<arch>), and
 * compiling the contracts on first use so a fresh clone needs no build step.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

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
 * Make sure contracts/out holds artifacts at least as new as contracts/src: run `forge build` when they are
 * missing or stale. `onBuild` is told before a (slow, first-run) build starts.
 */
export function ensureContractsBuilt(probe = 'DisputeGame', onBuild?: () => void): void {
  const artifact = path.join(REPO_ROOT, 'contracts', 'out', `${probe}.sol`, `${probe}.json`);
  const src = path.join(REPO_ROOT, 'contracts', 'src');
  if (existsSync(artifact) && statSync(artifact).mtimeMs >= newestMtime(src)) return;
  onBuild?.();
  const r = spawnSync(foundryBinary('forge'), ['build'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new FoundryError(`forge build failed:\n${(r.stderr || r.stdout).slice(-2000)}`);
}
