/**
 * Where a chain command connects: `--rpc-url` and `--deployment <file>` (default .opml/deployment.json, as
 * written by `opml devnet` or `opml deploy`), with the key from OPML_PRIVATE_KEY (on a local anvil, chain
 * 31337, anvil's first test account is the default).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Hex } from 'viem';
import { ANVIL_KEYS } from '../chain/anvil.ts';
import { GameChain } from '../game/chain.ts';
import type { Deployment } from '../game/types.ts';
import { ExitCode, OpmlError } from '../errors.ts';

export const DEFAULT_DEPLOYMENT = path.join('.opml', 'deployment.json');
export { ANVIL_KEYS };

export interface ChainOptions {
  rpcUrl?: string;
  deployment?: string;
  /** which anvil test account to default to on a local chain (0 submitter, 1 challenger) */
  account?: number;
}

export function readDeployment(file = DEFAULT_DEPLOYMENT): Deployment {
  if (!existsSync(file)) throw new OpmlError(`no deployment file at ${file}`, ExitCode.CHAIN, 'start `opml devnet` in another terminal, or run `opml deploy --rpc-url <url>`');
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Deployment;
  } catch {
    throw new OpmlError(`the deployment file ${file} is not valid JSON`, ExitCode.CHAIN, 'deploy again');
  }
}

export function writeDeployment(d: Deployment, file = DEFAULT_DEPLOYMENT): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(d, null, 2)}\n`);
}

export function privateKey(chainId: number, account = 0): Hex {
  const k = process.env.OPML_PRIVATE_KEY;
  if (k) {
    if (!/^0x[0-9a-fA-F]{64}$/.test(k)) throw new OpmlError('OPML_PRIVATE_KEY is not a 32-byte hex key', ExitCode.USAGE, 'set it to 0x followed by 64 hex digits');
    return k as Hex;
  }
  if (chainId === 31337) return ANVIL_KEYS[account] ?? ANVIL_KEYS[0];
  throw new OpmlError(`no key for chain ${chainId}`, ExitCode.USAGE, 'set OPML_PRIVATE_KEY to the key that pays for the transactions');
}

export async function connect(opts: ChainOptions): Promise<GameChain> {
  const d = readDeployment(opts.deployment);
  const deployment = opts.rpcUrl ? { ...d, rpcUrl: opts.rpcUrl } : d;
  return GameChain.connect(deployment, privateKey(deployment.chainId, opts.account));
}
