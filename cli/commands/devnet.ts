/** `opml devnet` and `opml deploy`: a local chain with the contracts, or the contracts on any chain. */
import { parseEther } from 'viem';
import { startAnvil } from '../chain/anvil.ts';
import { GameChain, type GameParams } from '../game/chain.ts';
import type { Deployment } from '../game/types.ts';
import { Output } from '../output.ts';
import { ANVIL_KEYS, DEFAULT_DEPLOYMENT, privateKey, writeDeployment } from './connect.ts';

export interface DeployOptions {
  rpcUrl?: string;
  minBond?: string;
  window?: number;
  clock?: number;
  deployment?: string;
  json?: boolean;
}

function params(opts: DeployOptions): GameParams {
  return { minBond: parseEther(opts.minBond ?? '0.1'), challengeWindow: opts.window ?? 600, clockSeconds: opts.clock ?? 300 };
}

function print(out: Output, d: Deployment, file: string): void {
  out.result(d);
  out.line(`rpc       ${d.rpcUrl} (chain ${d.chainId})`);
  out.line(`judge     ${d.judge}`);
  out.line(`game      ${d.game}`);
  out.line(`rules     min bond ${Number(BigInt(d.minBond)) / 1e18} ETH, challenge window ${d.challengeWindow} s, ${d.clockSeconds} s per side`);
  out.line(`written   ${file}`);
}

export async function deploy(opts: DeployOptions & { rpcUrl: string }, out = new Output(opts)): Promise<Deployment> {
  const chainId = await fetch(opts.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' })
    .then((r) => r.json() as Promise<{ result: string }>)
    .then((j) => Number(j.result))
    .catch(() => 0);
  const d = await GameChain.deploy(opts.rpcUrl, privateKey(chainId), params(opts), () => out.progress('compiling the contracts (first run only) ...'));
  const file = opts.deployment ?? DEFAULT_DEPLOYMENT;
  writeDeployment(d, file);
  print(out, d, file);
  return d;
}

/** Start anvil, deploy, write the deployment file, and keep running until interrupted. */
export async function devnet(opts: DeployOptions, out = new Output(opts)): Promise<void> {
  const anvil = await startAnvil();
  try {
    const d = await GameChain.deploy(anvil.rpcUrl, ANVIL_KEYS[0], params(opts), () => out.progress('compiling the contracts (first run only) ...'));
    const file = opts.deployment ?? DEFAULT_DEPLOYMENT;
    writeDeployment(d, file);
    print(out, d, file);
    out.line(`accounts  submitter = anvil #0, challenger = anvil #1 (override with OPML_PRIVATE_KEY)`);
    out.line(`running   until Ctrl-C`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
  } finally {
    await anvil.stop();
  }
}
