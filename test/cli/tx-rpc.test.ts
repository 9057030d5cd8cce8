/**
 * Transient RPC failures and remote signers.
 * - Through a proxy answering 503 or dropping the connection a couple of times, reads, log reads and sends
 *   are retried with backoff and the work gets done; a node that keeps failing ends in one line and exit 4.
 * - A second anvil acts as the remote signer (it answers eth_signTransaction for its unlocked accounts) while
 *   the game lives on the first: a submit signed there lands; a signer that is down, lacks the account or
 *   refuses to sign is one line and exit 4.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANVIL_KEYS, startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { writeDeployment } from '../../cli/commands/connect.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { profile } from '../../cli/game/params.ts';
import type { Deployment } from '../../cli/game/types.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { prepareModel } from '../../models/prepare.ts';
import { startRpcProxy, type RpcProxy } from '../support/rpcProxy.ts';

const BIN = path.resolve('bin/opml.js');
/** anvil's account #2: unlocked on the signer anvil, funded on the game's anvil (the same mnemonic) */
const SIGNER_ACCOUNT = '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC';
let anvil: Anvil;
let signerAnvil: Anvil;
let proxy: RpcProxy;
let dir: string;
let deployment: Deployment;
let depFile: string;

function opml(args: string[], env: Record<string, string> = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPML_')));
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('opml:') || l.startsWith('  fix:'));
  return { code: r.status, stdout: r.stdout, stderr: lines.join('\n'), all: r.stderr };
}

/** As `opml`, without blocking this process (for servers the test itself runs). */
function opmlAsync(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPML_')));
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: clean, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c) => (err += c));
    child.on('close', (code) => resolve({ code, stderr: err.split('\n').filter((l) => l.startsWith('opml:') || l.startsWith('  fix:')).join('\n') }));
  });
}

beforeAll(async () => {
  [anvil, signerAnvil] = await Promise.all([startAnvil(), startAnvil()]);
  dir = mkdtempSync(path.join(tmpdir(), 'opml-txrpc-'));
  deployment = await GameChain.deploy(anvil.rpcUrl, ANVIL_KEYS[0], profile('devnet').params);
  depFile = path.join(dir, 'deployment.json');
  writeDeployment(deployment, depFile);
  proxy = await startRpcProxy(anvil.rpcUrl);
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await Promise.all([anvil?.stop(), signerAnvil?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('transient RPC failures', () => {
  it('503s and dropped connections on reads, log reads and sends are retried and the work gets done', async () => {
    const failures = new Map<string, number>([
      ['eth_call', 2],
      ['eth_getLogs', 2],
      ['eth_sendRawTransaction', 2],
      ['eth_fillTransaction', 1], // viem estimates (and fills) with it where the node has it
    ]);
    let flip = false;
    proxy.rule = (call) => {
      const left = failures.get(call.method) ?? 0;
      if (left === 0) return undefined;
      failures.set(call.method, left - 1);
      flip = !flip;
      return flip ? { status: 503 } : 'drop';
    };
    try {
      const chain = await GameChain.connect({ ...deployment, rpcUrl: proxy.url }, ANVIL_KEYS[0] as Hex);
      const c = modelCommitment(prepareModel('mnist-mlp').int);
      await chain.register(c); // eth_call (isRegistered), eth_fillTransaction, eth_sendRawTransaction
      expect(await chain.isRegistered(c.modelId)).toBe(true);
      expect(await chain.submissionsBy(chain.address)).toEqual([]); // eth_getLogs
      expect(Object.fromEntries(failures)).toEqual({ eth_call: 0, eth_getLogs: 0, eth_sendRawTransaction: 0, eth_fillTransaction: 0 });
      // one register transaction, not two: a send refused before it reached the node is sent once more
      expect(await chain.publicClient.getTransactionCount({ address: chain.address })).toBe(3);
    } finally {
      proxy.rule = () => undefined;
    }
  }, 120_000);

  it('a node that keeps failing: one line and exit 4, no hang', async () => {
    proxy.rule = (call) => (call.method === 'eth_chainId' ? undefined : { status: 503 });
    try {
      const r = await opmlAsync(['status', '0', '--deployment', depFile, '--rpc-url', proxy.url]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^opml: .*cannot reach the RPC at http:\/\/127\.0\.0\.1:\d+\n {2}fix: /);
    } finally {
      proxy.rule = () => undefined;
    }
    proxy.rule = (call) => (call.method === 'eth_sendRawTransaction' ? 'drop' : undefined);
    try {
      const r = await opmlAsync(['register', 'mnist-cnn', '--deployment', depFile, '--rpc-url', proxy.url]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(/^opml: register: cannot reach the RPC at /);
    } finally {
      proxy.rule = () => undefined;
    }
  }, 120_000);
});

describe('a remote signer', () => {
  it('a submit signed by the remote signer lands, from its account', async () => {
    const state = path.join(dir, 'signer-sub.json');
    const r = opml(['submit', 'mnist-mlp', '--input', 'mnist:4', '--deployment', depFile, '--state', state, '--signer-url', signerAnvil.rpcUrl, '--signer-address', SIGNER_ACCOUNT, '--json']);
    expect(r.code, r.all).toBe(0);
    const { id } = JSON.parse(r.stdout) as { id: string };
    const chain = await GameChain.connect(deployment);
    expect((await chain.submission(BigInt(id))).submitter.toLowerCase()).toBe(SIGNER_ACCOUNT.toLowerCase());
    // the signer's chain saw no transaction: it only signed
    const signerChain = await fetch(signerAnvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_getTransactionCount', params: [SIGNER_ACCOUNT, 'latest'] }) }).then((x) => x.json() as Promise<{ result: Hex }>);
    expect(BigInt(signerChain.result)).toBe(0n);
    // through the environment, without an address: the signer's first account (anvil #0)
    const r2 = opml(['register', 'mnist-cnn', '--deployment', depFile], { OPML_SIGNER_URL: signerAnvil.rpcUrl });
    expect(r2.code, r2.all).toBe(0);
  }, 180_000);

  it('a signer that is down, lacks the account or refuses: one line, exit 4', async () => {
    const down = opml(['register', 'tiny-transformer', '--deployment', depFile, '--signer-url', 'http://127.0.0.1:9']);
    expect(down.code).toBe(4);
    expect(down.stderr).toMatch(/^opml: the remote signer at http:\/\/127\.0\.0\.1:9: cannot reach it \(eth_accounts\)\n {2}fix: start the signer/);
    const lacks = opml(['register', 'tiny-transformer', '--deployment', depFile, '--signer-url', signerAnvil.rpcUrl, '--signer-address', '0x' + '12'.repeat(20)]);
    expect(lacks.code).toBe(4);
    expect(lacks.stderr).toMatch(/^opml: the remote signer at .* does not hold 0x1212/);
    // a signer that lists the account and refuses every transaction (as Clef does when its rules say no)
    const refuser: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const { id, method } = JSON.parse(body) as { id: number; method: string };
        const answer = method === 'eth_accounts' ? { result: [SIGNER_ACCOUNT] } : { error: { code: -32000, message: 'Request denied' } };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', id, ...answer }));
      });
    });
    await new Promise<void>((r) => refuser.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(refuser.address() as AddressInfo).port}`;
      const refused = await opmlAsync(['register', 'tiny-transformer', '--deployment', depFile, '--signer-url', url]);
      expect(refused.code).toBe(4);
      expect(refused.stderr).toMatch(/^opml: the remote signer at http:\/\/127\.0\.0\.1:\d+ refused eth_signTransaction: Request denied\n {2}fix: /);
    } finally {
      refuser.close();
    }
  }, 180_000);
});
