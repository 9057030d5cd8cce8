/**
 * The embedded chain: an anvil process (from the npm Foundry package) on a free loopback port, stopped by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { foundryBinary } from './foundry.ts';

/** anvil's default test accounts #0 and #1 (well-known keys of the default mnemonic; local chains only). */
export const ANVIL_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
] as const;

export interface Anvil {
  rpcUrl: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

export class AnvilStartError extends Error {
  constructor(reason: string) {
    super(`could not start anvil: ${reason} (is @foundry-rs/anvil installed? run npm install)`);
    this.name = 'AnvilStartError';
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForRpc(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new AnvilStartError(`it exited with code ${child.exitCode}`);
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new AnvilStartError(`no answer on ${url} within ${timeoutMs} ms`);
}

export interface AnvilOptions {
  blockGasLimit?: bigint;
  timeoutMs?: number;
  /** Mine a block every this many seconds, transactions or not (anvil's --block-time); 0 or absent: a block per transaction only. */
  blockTime?: number;
  /** Listen on this port (default: a free one). */
  port?: number;
  /** The chain id (default: anvil's 31337). */
  chainId?: number;
}

/** Start anvil (on a free port unless one is given); `stop()` kills it by pid. */
export async function startAnvil(options: AnvilOptions = {}): Promise<Anvil> {
  const port = options.port ?? (await freePort());
  const args = ['--port', String(port), '--host', '127.0.0.1', '--silent'];
  if (options.blockGasLimit) args.push('--gas-limit', options.blockGasLimit.toString());
  if (options.chainId !== undefined) args.push('--chain-id', String(options.chainId));
  if (options.blockTime !== undefined && options.blockTime > 0) args.push('--block-time', String(options.blockTime));
  const child = spawn(foundryBinary('anvil'), args, { stdio: 'ignore' });
  const rpcUrl = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  };
  try {
    await waitForRpc(rpcUrl, child, options.timeoutMs ?? 20_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { rpcUrl, port, pid: child.pid ?? -1, stop };
}
