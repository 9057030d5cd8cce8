/**
 * An ImageNet-sized input (a 224×224×3 float image, 150,528 int32 words once quantized) goes through the
 * whole game on a real anvil: the submitter publishes it in CHUNK_WORDS-word chunks (one transaction each,
 * each under the forced-move gas cap), the honest challenger reads it back from the InputChunk events alone,
 * re-executes, catches a lie at the last node and wins. GameChain's own gas log of the same upload agrees. The model is small on purpose (a strided conv stem,
 * an average pool, a linear head) so the dispute itself stays quick; the input is the point.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPublicClient, decodeEventLog, http, toFunctionSelector, type Hex, type PublicClient } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANVIL_KEYS, startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { loadArtifact } from '../../cli/chain/artifacts.ts';
import { CHUNK_WORDS, GameChain } from '../../cli/game/chain.ts';
import { profile } from '../../cli/game/params.ts';
import { replay } from '../../cli/game/replay.ts';
import { FORCED_MOVE_GAS } from '../../cli/game/forcedMoves.ts';
import { scenario } from '../../cli/game/scenarios.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { elementCount } from '../../models/int/graph.ts';
import { writeOnnx } from '../../models/onnx/writer.ts';
import { prepareModel, type PreparedModel } from '../../models/prepare.ts';
import { quantizeInput } from '../../models/quantize/quantize.ts';
import type { Feeds } from '../../models/float/evaluate.ts';
import { Rng } from '../support/rng.ts';

const IMAGE_DIMS = [1, 3, 224, 224];
const IMAGE_WORDS = 3 * 224 * 224; // 150,528
/** ceil(150,528 / 8,192): 18 full chunks and one of 3,072 words. */
const CHUNKS = 19;
/** What one chunk transaction may cost: the forced-move cap, so a publisher is never priced out on any chain. */
const CHUNK_GAS_CAP = BigInt(FORCED_MOVE_GAS);

let anvil: Anvil;
let dir: string;
let client: PublicClient;

beforeAll(async () => {
  anvil = await startAnvil();
  client = createPublicClient({ transport: http(anvil.rpcUrl) }) as PublicClient;
  dir = mkdtempSync(path.join(tmpdir(), 'opml-large-'));
}, 300_000);

afterAll(async () => {
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** x[1,3,224,224] → Conv 3→4, 8×8 stride 8 (+ReLU) → [1,4,28,28] → AveragePool 4×4 → [1,4,7,7] → Flatten → Gemm → 10 logits. */
function imageModel(rng: Rng): Uint8Array {
  const f = (n: number, s: number) => Float32Array.from({ length: n }, () => ((rng.u32() / 2 ** 32) * 2 - 1) * s);
  return writeOnnx({
    inputs: [{ name: 'image', dims: IMAGE_DIMS }],
    outputs: [{ name: 'logits', dims: [1, 10] }],
    initializers: [
      { name: 'wc', dims: [4, 3, 8, 8], data: f(4 * 3 * 8 * 8, 0.1) },
      { name: 'bc', dims: [4], data: f(4, 0.1) },
      { name: 'wf', dims: [10, 196], data: f(10 * 196, 0.2) },
      { name: 'bf', dims: [10], data: f(10, 0.1) },
    ],
    nodes: [
      { op: 'Conv', name: 'stem', inputs: ['image', 'wc', 'bc'], outputs: ['c'], attrs: { kernel_shape: { ints: [8, 8] }, strides: { ints: [8, 8] } } },
      { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
      { op: 'AveragePool', name: 'pool', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: { ints: [4, 4] }, strides: { ints: [4, 4] } } },
      { op: 'Flatten', name: 'flat', inputs: ['p'], outputs: ['v'] },
      { op: 'Gemm', name: 'head', inputs: ['v', 'wf', 'bf'], outputs: ['logits'], attrs: { transB: { int: 1 } } },
    ],
  });
}

/** A random "photo": every channel value uniform in [0, 1). */
function randomImage(rng: Rng): { dims: number[]; data: Float32Array } {
  return { dims: IMAGE_DIMS, data: Float32Array.from({ length: IMAGE_WORDS }, () => rng.u32() / 2 ** 32) };
}

/** Every upload transaction on the chain, oldest first: its function, gas used and calldata bytes. */
async function uploadTransactions(): Promise<{ fn: string; gas: bigint; calldata: number; hash: Hex }[]> {
  const selectors = new Map([
    [toFunctionSelector('beginInput(bytes)'), 'beginInput'],
    [toFunctionSelector('appendInput(uint256,bytes)'), 'appendInput'],
  ]);
  const out: { fn: string; gas: bigint; calldata: number; hash: Hex }[] = [];
  const latest = await client.getBlockNumber();
  for (let b = 0n; b <= latest; b++) {
    const block = await client.getBlock({ blockNumber: b, includeTransactions: true });
    for (const tx of block.transactions) {
      const fn = selectors.get(tx.input.slice(0, 10) as Hex);
      if (!fn) continue;
      const receipt = await client.getTransactionReceipt({ hash: tx.hash });
      expect(receipt.status, `${fn} in block ${b}`).toBe('success');
      out.push({ fn, gas: receipt.gasUsed, calldata: (tx.input.length - 2) / 2, hash: tx.hash });
    }
  }
  return out;
}

describe('large inputs on anvil', () => {
  it('a 224×224×3 image input is submittable and disputable', async () => {
    const rng = new Rng(224);
    const file = path.join(dir, 'image-model.onnx');
    writeFileSync(file, imageModel(rng));
    const prepared: PreparedModel = prepareModel(file, Array.from({ length: 8 }, (): Feeds => ({ image: randomImage(rng) })));
    const g = prepared.int;
    expect(g.inputs).toHaveLength(1);
    const info = g.tensors[g.inputs[0]];
    expect(info.dims).toEqual(IMAGE_DIMS);
    expect(elementCount(info.dims)).toBe(150_528);
    const commitment = modelCommitment(g);
    expect(commitment.inputWords).toEqual([150_528]);
    // The lie goes on the last node (the head); its VM run must stay cheap for the dispute to be quick.
    expect(commitment.nodes.at(-1)!.steps).toBeLessThan(100_000);

    const input = [quantizeInput(randomImage(rng).data, info.scale, false)];
    expect(input[0]).toHaveLength(150_528);
    // A real image, not a constant: a chunk mix-up would change the root, so a wrong read-back cannot pass.
    expect(new Set(input[0]).size).toBeGreaterThan(100);

    const lines: string[] = [];
    const started = performance.now();
    const r = await replay(scenario('wrong-last-node')!, { model: prepared, input, inputLabel: 'random image', commitment, rpcUrl: anvil.rpcUrl, log: (l) => lines.push(l) });
    const seconds = (performance.now() - started) / 1000;
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.submissionStatus).toBe('rejected');
    expect(r.disputes).toHaveLength(1);
    expect(r.disputes[0]).toMatchObject({ challenger: 0, winner: 'challenger', reason: 'step', node: commitment.numNodes - 1 });
    expect(r.fundsOk).toBe(true);
    // The honest challenger re-executed from the chain: it challenged rather than skipping the result.
    expect(lines.some((l) => /cannot check it/.test(l))).toBe(false);
    expect(lines.some((l) => /^challenger 1: challenged result 0 as dispute 0/.test(l))).toBe(true);

    // The upload: 19 chunk transactions, chunk k carrying words [8192k, 8192(k+1)), each under the cap.
    const uploads = await uploadTransactions();
    expect(Math.ceil(IMAGE_WORDS / CHUNK_WORDS)).toBe(CHUNKS);
    expect(uploads).toHaveLength(CHUNKS);
    expect(uploads.map((u) => u.fn)).toEqual(['beginInput', ...Array(CHUNKS - 1).fill('appendInput')]);
    for (const [k, u] of uploads.entries()) {
      const words = Math.min(CHUNK_WORDS, IMAGE_WORDS - k * CHUNK_WORDS);
      expect(u.calldata, `chunk ${k} calldata`).toBeGreaterThanOrEqual(words * 4);
      expect(u.gas, `chunk ${k} gas`).toBeLessThan(CHUNK_GAS_CAP);
    }
    // Each chunk's InputChunk event, in order, carries exactly its words.
    const { abi } = loadArtifact('DisputeGame');
    const chunkEvents = await Promise.all(
      uploads.map(async (u) => {
        const receipt = await client.getTransactionReceipt({ hash: u.hash });
        for (const log of receipt.logs) {
          try {
            const ev = decodeEventLog({ abi, data: log.data, topics: log.topics }) as unknown as { eventName: string; args: { index: bigint; words: Hex } };
            if (ev.eventName === 'InputChunk') return ev.args;
          } catch {
            // another event
          }
        }
        throw new Error(`no InputChunk event in ${u.fn} ${u.hash}`);
      }),
    );
    expect(chunkEvents.map((e) => Number(e.index))).toEqual([...Array(CHUNKS).keys()]);
    expect(chunkEvents.map((e) => (e.words.length - 2) / 8)).toEqual(uploads.map((_, k) => Math.min(CHUNK_WORDS, IMAGE_WORDS - k * CHUNK_WORDS)));

    // The same upload through GameChain on a fresh game: its gas log has the same 19 'upload input' entries.
    const deployment = await GameChain.deploy(anvil.rpcUrl, ANVIL_KEYS[0], profile('devnet').params);
    const chain = await GameChain.connect(deployment, ANVIL_KEYS[1]);
    const progress: string[] = [];
    await chain.uploadInput(input[0], (done, of) => progress.push(`${done}/${of}`));
    expect(progress).toEqual(uploads.map((_, k) => `${k + 1}/${CHUNKS}`));
    const logged = chain.gas.filter((g) => g.action === 'upload input');
    expect(logged).toHaveLength(CHUNKS);
    expect(logged.map((g) => g.gas)).toEqual(uploads.map((u) => u.gas));
    expect(logged.map((g) => g.calldata)).toEqual(uploads.map((u) => u.calldata));

    const total = uploads.reduce((a, u) => a + u.gas, 0n);
    console.log(
      `224×224×3 input: ${CHUNKS} chunks, gas per chunk ${uploads.map((u) => u.gas.toLocaleString('en-US')).join(', ')}; ` +
        `total ${total.toLocaleString('en-US')}; dispute ${r.rounds.graph} graph + ${r.rounds.vm} VM rounds; replay ${seconds.toFixed(1)} s`,
    );
  }, 240_000);
});
