/**
 * Tile states of a tiled node in a graph (docs/GAME.md "Tiled nodes"), the facts the contracts rely on, checked
 * in TypeScript: σ_0 is the composition of the node's input regions (the window zero), as for an untiled node;
 * for every tile i the window proof opens σ_i, μ_i is σ_i with the tile's window root in place (from the same
 * siblings, and equal to a direct composition or a direct tree of the memory), the tile's spec opens under
 * tilesRoot, its VM run from μ_i halts at exactly its steps with its code root and memory σ_{i+1}; the output
 * region of σ_m is R, the executor's output root, so S_hi = S_lo with R in the node's slot.
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { composeMemory, modelCommitment, nodeSpec, type NodeSpec } from '../../../models/int/commitment.ts';
import { runGraph } from '../../../models/int/execute.ts';
import { stateSlots, type IntGraph } from '../../../models/int/graph.ts';
import { graphState } from '../../../models/int/roots.ts';
import { lowerForCommitment } from '../../../models/int/tiles/lowering.ts';
import type { LoweringOptions } from '../../../models/int/tiles/options.ts';
import { muOf, TiledRun } from '../../../models/int/tiles/run.ts';
import { tileLeaf, tileTree } from '../../../models/int/tiles/spec.ts';
import type { TiledNode } from '../../../models/int/tiles/tiled.ts';
import { IntGraphBuilder } from '../../../models/quantize/builder.ts';
import { MEM_DEPTH } from '../../../vm/isa.ts';
import { ceilLog2, computeRoot, MerkleTree } from '../../../vm/merkle.ts';
import { Status } from '../../../vm/state.ts';
import { Rng } from '../../support/rng.ts';
import { int8, multiplier, words } from './cases.ts';

/** ids [1×5] → embed (gather from a 40×6 table) → fc (matmul [1,5,6]·[6,11], batched rows) → fc2 ([1,5,11]·[11,3]). */
function tileGraph(seed: number): IntGraph {
  const rng = new Rng(seed);
  const b = new IntGraphBuilder();
  const ids = b.tensor('ids', [1, 5], 'input', 1, true);
  const table = b.weight('table', [40, 6], int8(rng, [40, 6]));
  const e = b.node('gather', 'embed', [table, ids], { axis: 0 }, 0.02);
  const w = b.weight('w', [6, 11], int8(rng, [6, 11]));
  const bias = b.weight('b', [11], words(rng, [11], -300, 300));
  const mult = b.weight('m', [11], Int32Array.from({ length: 11 }, () => multiplier(rng)));
  const h = b.node('matmul', 'fc', [e, w, bias, mult], { shift: 38, lo: -128, hi: 127 }, 0.02);
  const w2 = b.weight('w2', [11, 3], int8(rng, [11, 3]));
  const b2 = b.weight('b2', [3], words(rng, [3], -300, 300));
  const m2 = b.weight('m2', [3], Int32Array.from({ length: 3 }, () => multiplier(rng)));
  return b.build([b.node('matmul', 'fc2', [h, w2, b2, m2], { shift: 38, lo: -128, hi: 127 }, 0.02)]);
}

/** Check every tile-level fact for node j of a run; returns the node's tile count. */
function checkNode(graph: IntGraph, j: number, ids: Int32Array, options: LoweringOptions): number {
  const run = runGraph(graph, [ids]);
  const lowering = lowerForCommitment(graph, j, options);
  expect(lowering.kind).toBe('tiled');
  const tiled = lowering as TiledNode;
  const spec: NodeSpec = nodeSpec(graph, j, tiled);
  const node = graph.nodes[j];
  const slots = stateSlots(graph);
  const inputs = node.inputs.map((t) => run.values.get(t) ?? graph.weights.get(t)!);
  const tr = new TiledRun(tiled, inputs);
  const m = tiled.numTiles;
  expect(tr.states).toHaveLength(m + 1);
  expect(spec).toMatchObject({ codeRoot: `0x${'00'.repeat(32)}`, steps: 0, numTiles: m, windowBase: tiled.layout.window, windowHeight: tiled.layout.windowHeight });

  // σ_0: the spec's regions composed from agreed roots, as startTiles does on-chain (the window is zero there).
  const regions = spec.inputs.map((r) => ({ base: r.base, height: r.height, root: r.fromSlot ? run.roots.get(slots[r.slot])! : r.root }));
  expect(composeMemory(regions)).toBe(tr.states[0]);
  // μ_0 is σ_0's regions plus the first window: a direct composition.
  expect(tr.entry(0).mu).toBe(composeMemory([...regions, { base: spec.windowBase, height: spec.windowHeight, root: tiled.windowRoot(0) }].sort((a, b) => a.base - b.base)));
  // R: the output region of σ_m is the executor's output root; S_hi is S_lo with R in the node's slot.
  expect(tr.outputRoot).toBe(run.roots.get(node.output));
  expect(Array.from(tr.output)).toEqual(Array.from(run.values.get(node.output)!));
  const roots = (upTo: number) => slots.map((t, s) => (s < graph.inputs.length + upTo ? run.roots.get(t) : undefined));
  expect(graphState(roots(j + 1))).toBe(run.states[j + 1]);

  const tilesRoot = spec.tilesRoot;
  expect(bytesToHex(tileTree(tiled.specs()).root())).toBe(tilesRoot);
  const index = spec.windowBase / 8 / 2 ** spec.windowHeight;
  for (let i = 0; i < m; i++) {
    const e = tr.entry(i);
    expect(e.sigma).toBe(tr.states[i]);
    expect(e.next).toBe(tr.states[i + 1]);
    // The tile's spec opens under tilesRoot at the index the game gives.
    expect(e.tileSiblings).toHaveLength(ceilLog2(m));
    expect(bytesToHex(computeRoot(hexToBytes(tileLeaf(e.spec)), i, e.tileSiblings.map((h) => hexToBytes(h))))).toBe(tilesRoot);
    // The window's current root and siblings open the agreed σ_i; the same siblings give μ_i.
    expect(e.windowSiblings).toHaveLength(MEM_DEPTH - spec.windowHeight);
    expect(muOf(e.windowRoot, spec.windowBase, spec.windowHeight, e.windowSiblings)).toBe(e.sigma);
    expect(muOf(e.spec.windowRoot, spec.windowBase, spec.windowHeight, e.windowSiblings)).toBe(e.mu);
    if (i === 0) expect(e.windowRoot).toBe(bytesToHex(new MerkleTree(spec.windowHeight, 1).root()));
    // μ_i equals a direct tree of σ_i's memory with the window's words put in.
    const mem = tr.memoryAt(i);
    const w = tiled.window(i);
    mem.set(w, spec.windowBase);
    mem.fill(0, spec.windowBase + w.length, spec.windowBase + 8 * 2 ** spec.windowHeight);
    expect(bytesToHex(MerkleTree.ofWords(mem, MEM_DEPTH).root())).toBe(e.mu);
    // The tile's VM run from μ_i: HALTED at exactly its steps, its code root, memory σ_{i+1}.
    const trace = tr.trace(i);
    expect(trace.stateAt(0)).toMatchObject({ memRoot: e.mu, codeRoot: e.spec.codeRoot, pc: 0, step: 0, status: Status.RUNNING });
    const final = trace.runToEnd();
    expect(final).toMatchObject({ status: Status.HALTED, step: e.spec.steps, codeRoot: e.spec.codeRoot, memRoot: e.next });
    // Any step of it has a witness whose post-state is the next state (what the VM bisection and judge use).
    const k = (i * 7919) % e.spec.steps;
    const wit = trace.witness(k);
    expect(wit.postHash).not.toBe(wit.preHash);
  }
  return m;
}

describe('tile states', () => {
  const ids = Int32Array.from([3, -1, 39, 100, -(2 ** 31)]);

  it('a tiled embedding lookup (row blocks and index blocks): σ chain, window and tile proofs, R', () => {
    const graph = tileGraph(1);
    expect(checkNode(graph, 0, ids, { tileSteps: 120, maxWindowWords: 8 + 6 * 9 })).toBe(5 * 2); // rows 8 + 8 + 8 + 8 + 8, indices 3 + 2
  });

  it('a tiled matmul over 5 rows (column blocks, then rows of each): σ chain, window and tile proofs, R', () => {
    const graph = tileGraph(2);
    expect(checkNode(graph, 1, ids, { tileSteps: 120 })).toBe(11 * 2); // one column a tile, rows 3 + 2
  });

  it('the model commitment carries the tiled specs; untiled nodes keep zero tile fields', () => {
    const graph = tileGraph(3);
    const c = modelCommitment(graph, { tileSteps: 1000 });
    expect(c.nodes.map((n) => n.numTiles > 0)).toEqual([false, true, false]);
    for (const n of c.nodes.filter((x) => x.numTiles === 0)) expect(n).toMatchObject({ tilesRoot: `0x${'00'.repeat(32)}`, windowBase: 0, windowHeight: 0 });
    expect(c.modelId).not.toBe(modelCommitment(graph).modelId);
    expect(modelCommitment(tileGraph(3), { tileSteps: 1000 }).modelId).toBe(c.modelId);
    expect(c.nodes[1].inputs.map((r) => r.fromSlot)).toEqual([true]); // the weights are in the windows
  });

  it('tileLeaf is keccak256(abi.encode(codeRoot, steps, windowRoot)): three static words', async () => {
    const { keccak256, concat, pad, toHex } = await import('viem');
    const spec = { codeRoot: `0x${'11'.repeat(32)}` as Hex, steps: 123_456_789, windowRoot: `0x${'ab'.repeat(32)}` as Hex };
    expect(tileLeaf(spec)).toBe(keccak256(concat([spec.codeRoot, pad(toHex(spec.steps)), spec.windowRoot])));
    // Leaves past the last tile are zero: 3 tiles make a depth-2 tree whose leaf 3 is zero.
    const tree = tileTree([spec, spec, spec]);
    expect(tree.depth).toBe(2);
    expect(bytesToHex(tree.leaf(3))).toBe(`0x${'00'.repeat(32)}`);
    expect(tileTree([spec]).depth).toBe(0);
    expect(bytesToHex(tileTree([spec]).root())).toBe(tileLeaf(spec));
  });
});
