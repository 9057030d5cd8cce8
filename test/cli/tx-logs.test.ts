/**
 * Log reading as real providers allow it: behind a proxy that refuses any eth_getLogs spanning more than 100
 * blocks (with Alchemy's and Infura's words), on a chain of several hundred blocks, GameChain still finds every
 * submission and its inputs, never asking for a range the proxy refuses twice. And reorgs: a submission
 * reorganized away (evm_revert) is forgotten and the one that replaced it is found, without duplicates.
 */
import { parseEther, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANVIL_KEYS, startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { rangeTooLarge, readPaged } from '../../cli/chain/logs.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { HonestClaims } from '../../cli/game/claims.ts';
import { profile } from '../../cli/game/params.ts';
import type { Deployment } from '../../cli/game/types.ts';
import { parseInput } from '../../cli/inputs.ts';
import { prepareModel, type PreparedModel } from '../../models/prepare.ts';
import { logSpan, rpc, startRpcProxy, type RpcProxy } from '../support/rpcProxy.ts';

const LIMIT = 100n;
/** anvil's account #0 */
const ME = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266' as Hex;
let anvil: Anvil;
let proxy: RpcProxy;
let deployment: Deployment;
let model: PreparedModel;
let refused = 0;

/** Post an honest result of mnist-mlp on `input` from a fresh connection (its own nonce manager). */
async function post(input: string, key: Hex = ANVIL_KEYS[0]): Promise<{ id: bigint; finalState: Hex; words: Int32Array }> {
  const chain = await GameChain.connect(deployment, key);
  const claims = new HonestClaims(model.int, parseInput(input, model.int).words);
  const c = claims.commitment;
  await chain.register(c);
  const uploads = [await chain.uploadInput(claims.inputs[0])];
  const finalState = claims.graphState(c.numNodes);
  const id = await chain.submit(c.modelId, uploads, claims.output(), finalState, claims.outputProof(), parseEther('0.1'));
  return { id, finalState, words: claims.inputs[0] };
}

beforeAll(async () => {
  anvil = await startAnvil();
  model = prepareModel('mnist-mlp');
  deployment = await GameChain.deploy(anvil.rpcUrl, ANVIL_KEYS[0], profile('devnet').params);
  proxy = await startRpcProxy(anvil.rpcUrl);
  let alchemy = true;
  proxy.rule = (call) => {
    if (call.method !== 'eth_getLogs') return undefined;
    const head = 1n << 62n;
    const [from, to] = logSpan(call, head);
    if (to - from + 1n <= LIMIT) return undefined;
    refused++;
    alchemy = !alchemy;
    return alchemy
      ? { error: { code: -32602, message: 'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response.' } }
      : { error: { code: -32000, message: 'query returned more than 10000 results. Try with this block range [0x1, 0x64].' } };
  };
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await anvil?.stop();
});

describe('log reads in bounded ranges', () => {
  it('recognizes the words providers use for a range or result count too large', () => {
    for (const m of [
      'Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range',
      'query returned more than 10000 results',
      'block range is too wide',
      'eth_getLogs is limited to a 10,000 range',
      'exceed maximum block range: 50000',
      'query exceeds max results 20000',
      'Block range limit exceeded',
    ]) expect(rangeTooLarge(new Error(m)), m).toBe(true);
    expect(rangeTooLarge(new Error('execution reverted'))).toBe(false);
    expect(rangeTooLarge(new Error('fetch failed'))).toBe(false);
  });

  it('readPaged halves a refused range, keeps the smaller size, and covers every block once', async () => {
    const pager = { range: 1000 };
    const asked: [number, number][] = [];
    const got = await readPaged(
      async (a, b) => {
        if (b - a + 1n > 60n) throw new Error('block range is too wide');
        asked.push([Number(a), Number(b)]);
        return Array.from({ length: Number(b - a + 1n) }, (_, i) => Number(a) + i);
      },
      10n,
      509n,
      pager,
    );
    expect(got).toEqual(Array.from({ length: 500 }, (_, i) => 10 + i));
    expect(pager.range).toBeLessThanOrEqual(60);
    expect(asked.every(([a, b]) => b - a + 1 <= 60)).toBe(true);
    await expect(readPaged(async () => Promise.reject(new Error('execution reverted')), 0n, 10n, { range: 5 })).rejects.toThrow(/reverted/);
  });

  it('finds every submission and its inputs across hundreds of blocks behind a provider capping ranges at 100 blocks', async () => {
    const posted = [];
    for (const input of ['mnist:1', 'mnist:2', 'mnist:3']) {
      posted.push(await post(input));
      await rpc(anvil.rpcUrl, 'anvil_mine', ['0x' + (250).toString(16)]);
    }
    const reader = await GameChain.connect({ ...deployment, rpcUrl: proxy.url });
    expect(await reader.submissionsBy(ME)).toEqual(posted.map((p) => p.id));
    for (const p of posted) expect(Array.from((await reader.submittedInputs(p.id))[0])).toEqual(Array.from(p.words));
    expect(refused).toBeGreaterThan(0);
    expect(reader.pager.range).toBeLessThanOrEqual(Number(LIMIT));
    // every forwarded read fit the cap; the index reads forward from its cursor, not from the deploy block again
    expect(proxy.logRanges.every(([a, b]) => b - a + 1n <= LIMIT)).toBe(true);
    const before = proxy.seen.get('eth_getLogs') ?? 0;
    await rpc(anvil.rpcUrl, 'anvil_mine', ['0x5']);
    expect(await reader.disputesOf(posted[0].id)).toEqual([]);
    expect((proxy.seen.get('eth_getLogs') ?? 0) - before).toBe(1);
  }, 300_000);
});

describe('reorgs', () => {
  it('a submission reorganized away is forgotten, the one that replaced it is found, nothing twice', async () => {
    const reader = await GameChain.connect({ ...deployment, rpcUrl: proxy.url });
    const me = ME;
    const known = await reader.indexed('Submitted', { submitter: me });
    const snapshot = (await rpc(anvil.rpcUrl, 'evm_snapshot')) as string;
    const gone = await post('mnist:5');
    await rpc(anvil.rpcUrl, 'anvil_mine', ['0x3']);
    const seen = await reader.indexed('Submitted', { submitter: me });
    expect(seen.map((l) => l.args.finalState)).toContain(gone.finalState);
    expect(reader.index.reorgs).toBe(0);
    // the reorg: back to the snapshot, then another history of at least the same height
    await rpc(anvil.rpcUrl, 'evm_revert', [snapshot]);
    const kept = await post('mnist:6');
    expect(kept.id).toBe(gone.id); // the same id, another result
    await rpc(anvil.rpcUrl, 'anvil_mine', ['0x8']);
    const after = await reader.indexed('Submitted', { submitter: me });
    expect(reader.index.reorgs).toBe(1);
    expect(after.length).toBe(known.length + 1);
    expect(after.map((l) => l.args.finalState)).not.toContain(gone.finalState);
    expect(after.at(-1)!.args.finalState).toBe(kept.finalState);
    expect(Array.from((await reader.submittedInputs(kept.id))[0])).toEqual(Array.from(kept.words));
    expect(new Set(after.map((l) => `${l.transactionHash}:${l.logIndex}`)).size).toBe(after.length);
  }, 300_000);

  it('anvil_reorg at the same height: the changed cursor block is noticed', async () => {
    const reader = await GameChain.connect({ ...deployment, rpcUrl: proxy.url });
    const me = ME;
    await rpc(anvil.rpcUrl, 'anvil_mine', ['0x2']);
    const before = await reader.indexed('Submitted', { submitter: me });
    const head = (await reader.publicClient.getBlockNumber({ cacheTime: 0 })) as bigint;
    // replacement blocks that differ from the old ones (empty ones could hash the same): a transfer in the first
    await rpc(anvil.rpcUrl, 'anvil_reorg', [2, [[{ from: ME, to: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', value: '0x1' }, 0]]]);
    expect(await reader.publicClient.getBlockNumber({ cacheTime: 0 })).toBe(head);
    const after = await reader.indexed('Submitted', { submitter: me });
    expect(reader.index.reorgs).toBe(1);
    expect(after).toEqual(before);
  }, 120_000);
});
