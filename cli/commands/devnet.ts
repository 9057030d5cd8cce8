/** `opml devnet` and `opml deploy`: a local chain with the contracts, or the contracts on any chain. */
import { formatEther, parseEther } from 'viem';
import { ExitCode, OpmlError, printable } from '../errors.ts';
import { startAnvil } from '../chain/anvil.ts';
import { GameChain, type GameParams } from '../game/chain.ts';
import { checkParams, profile } from '../game/params.ts';
import type { Deployment } from '../game/types.ts';
import { Output } from '../output.ts';
import { ANVIL_KEYS, checkPrivateKeyVariable, DEFAULT_DEPLOYMENT, loadConfig, resolveSigner, resolveTxOptions, writeDeployment, type ChainOptions } from './connect.ts';

export interface DeployOptions {
  rpcUrl?: string;
  /** l1, l2 or devnet: the defaults below and the block time they assume. */
  profile?: string;
  blockTime?: number;
  minBond?: string;
  challengeBond?: string;
  window?: number;
  clock?: number;
  increment?: number;
  /** k: the parts each post cuts a disputed interval into. */
  arity?: number;
  deployment?: string;
  json?: boolean;
}

/** The profile's parameters with any option over them, refused when a game could not be played under them. */
export function gameParams(opts: DeployOptions, defaultProfile: string): GameParams {
  const p = profile(opts.profile ?? defaultProfile);
  const eth = (v: string | undefined, d: bigint, what: string): bigint => {
    if (v === undefined) return d;
    try {
      return parseEther(v);
    } catch {
      throw new OpmlError(`${what} "${v}" is not an amount of ETH`, ExitCode.USAGE, 'e.g. 0.1');
    }
  };
  const params: GameParams = {
    minBond: eth(opts.minBond, p.params.minBond, '--min-bond'),
    challengeBond: eth(opts.challengeBond, p.params.challengeBond, '--challenge-bond'),
    challengeWindow: opts.window ?? p.params.challengeWindow,
    clockSeconds: opts.clock ?? p.params.clockSeconds,
    moveIncrement: opts.increment ?? p.params.moveIncrement,
    arity: opts.arity ?? p.params.arity,
  };
  checkParams(params, opts.blockTime ?? p.blockTime);
  return params;
}

function print(out: Output, d: Deployment, file: string): void {
  out.result(d);
  out.line(`rpc       ${d.rpcUrl} (chain ${d.chainId})`);
  out.line(`judge     ${d.judge}`);
  out.line(`game      ${d.game}`);
  out.line(`rules     min bond ${formatEther(BigInt(d.minBond))} ETH, challenge bond ${formatEther(BigInt(d.challengeBond))} ETH, challenge window ${d.challengeWindow} s, ${d.clockSeconds} s per side + ${d.moveIncrement} s per move, ${d.arity}-ary dissection`);
  out.line(`written   ${file}`);
}

/**
 * Deploy with the key the chain commands use (--keystore, OPML_PRIVATE_KEY, OPML_KEYSTORE, the config file's
 * keystore; anvil's first test account on chain 31337) or a remote signer, and their fee, confirmation and
 * signer settings.
 */
export async function deploy(opts: DeployOptions & Pick<ChainOptions, 'keystore' | 'passwordFile' | 'config' | 'maxFee' | 'priorityFee' | 'confirmations' | 'signerUrl' | 'signerAddress'> & { rpcUrl: string }, out = new Output(opts)): Promise<Deployment> {
  // Parameters and settings first: a game that could not be played is refused before anything touches the chain.
  const params = gameParams(opts, 'l1');
  const config = loadConfig(opts.config);
  const { tx, signer } = resolveTxOptions(opts, config);
  if (!opts.keystore) checkPrivateKeyVariable();
  const chainId = await fetch(opts.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' })
    .then((r) => r.json() as Promise<{ result: string }>)
    .then((j) => Number(j.result))
    .catch((err: unknown) => {
      throw new OpmlError(`deploying: cannot reach the RPC at ${printable(opts.rpcUrl, 120)} (${printable(err instanceof Error ? err.message : String(err), 80)})`, ExitCode.CHAIN, 'start the node or pass a reachable --rpc-url');
    });
  const key = await resolveSigner({ keystore: opts.keystore, passwordFile: opts.passwordFile }, chainId, config, signer);
  const d = await GameChain.deploy(opts.rpcUrl, key!, params, (what) => out.progress(what), tx);
  const file = opts.deployment ?? DEFAULT_DEPLOYMENT;
  writeDeployment(d, file);
  print(out, d, file);
  return d;
}

export interface DevnetOptions extends DeployOptions {
  /** Seconds between blocks, mined whether or not there are transactions (default 1); 0: a block per transaction only. */
  blockTime?: number;
  /** The RPC port (default: a free one). */
  port?: number;
}

/**
 * Start anvil, deploy, write the deployment file, and keep running until SIGINT or SIGTERM, then stop anvil.
 * Blocks are mined on an interval (default 1 s) so that challenge windows close and timeouts become claimable
 * while nobody sends transactions, as on a real chain.
 */
export async function devnet(opts: DevnetOptions, out = new Output(opts)): Promise<void> {
  const blockTime = opts.blockTime ?? 1;
  if (!Number.isInteger(blockTime) || blockTime < 0) throw new OpmlError(`devnet: --block-time ${blockTime} is not a whole number of seconds`, ExitCode.USAGE, 'e.g. --block-time 1 (0: a block per transaction only)');
  // Parameters are sized for the block time (with blocks per transaction only, for the profile's).
  const params = gameParams({ ...opts, blockTime: blockTime > 0 ? blockTime : undefined }, 'devnet');
  // Listen for the signals before anything starts, so an early Ctrl-C still stops anvil (never an orphan).
  let signalled!: () => void;
  const stopped = new Promise<void>((resolve) => (signalled = resolve));
  const onSignal = () => signalled();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const anvil = await startAnvil({ blockTime, port: opts.port });
  try {
    const deploying = GameChain.deploy(anvil.rpcUrl, ANVIL_KEYS[0], params, (what) => out.progress(what));
    deploying.catch(() => {}); // a deploy cut short by a signal is not an error
    const d = await Promise.race([deploying, stopped.then(() => undefined)]);
    if (d === undefined) return;
    const file = opts.deployment ?? DEFAULT_DEPLOYMENT;
    writeDeployment(d, file);
    print(out, d, file);
    out.line(`anvil     pid ${anvil.pid}, stopped with this process`);
    out.line(`blocks    ${blockTime > 0 ? `one every ${blockTime} s (challenge windows close and timeouts come while idle)` : 'one per transaction only (--block-time 0): chain time stands still while idle'}`);
    out.line(`accounts  submitter = anvil #0, challenger = anvil #1 (override with OPML_PRIVATE_KEY)`);
    out.line(`running   until Ctrl-C`);
    await stopped;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    await anvil.stop();
  }
}
