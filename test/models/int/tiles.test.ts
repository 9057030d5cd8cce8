/**
 * Tiled lowering (models/int/tiles/): a tiled matmul or gather gives exactly the untiled kernel's words (its CPU
 * `execute`, the reference, and a BigInt oracle), on random shapes and the edges (K = 1, N = 1, N not a multiple
 * of the block, one tile, row blocks, batched weights, activations among the operands, indices negative and out
 * of range); every tile program's step count is static, within tileSteps, and what the VM runs; which nodes are
 * tiled (above tileSteps, or too large for memory, only tileable kinds).
 */
import { describe, expect, it } from 'vitest';
import { elementCount } from '../../../models/int/graph.ts';
import { gather } from '../../../models/int/kernels/gather.ts';
import { matmul } from '../../../models/int/kernels/matmul.ts';
import { NodeTooLargeError } from '../../../models/int/layout.ts';
import { tensorRoot } from '../../../models/int/roots.ts';
import { staticSteps } from '../../../models/int/staticSteps.ts';
import { gatherTileSteps } from '../../../models/int/tiles/gather.ts';
import { lowerForCommitment, tileCall } from '../../../models/int/tiles/lowering.ts';
import { matmulTileSteps } from '../../../models/int/tiles/matmul.ts';
import { DEFAULT_TILE_STEPS, TileStepsError } from '../../../models/int/tiles/options.ts';
import { TiledRun } from '../../../models/int/tiles/run.ts';
import type { TiledNode } from '../../../models/int/tiles/tiled.ts';
import { lowerNode, runLowered } from '../../../models/int/vmNode.ts';
import { IntGraphBuilder } from '../../../models/quantize/builder.ts';
import { MEM_WORDS } from '../../../vm/isa.ts';
import { smallGraph } from '../../support/graphs.ts';
import { Rng } from '../../support/rng.ts';
import { int8, multiplier, words } from './cases.ts';
import { gatherCase, gatherOracle, matmulCase, matmulOracle, type TileCase } from './tilesCases.ts';

/** Run every tile; the output must be the reference's and the oracle's, and every tile within the bound. */
function checkTiled<K extends 'matmul' | 'gather'>(op: K, c: TileCase<K>, tiled: TiledNode, tileSteps: number): TiledRun {
  const run = new TiledRun(tiled, c.inputs);
  const reference = op === 'matmul' ? matmul.execute(c.call as TileCase<'matmul'>['call'], c.inputs) : gather.execute(c.call as TileCase<'gather'>['call'], c.inputs);
  const oracle = op === 'matmul' ? matmulOracle(c.call as TileCase<'matmul'>['call'], c.inputs) : gatherOracle(c.call as TileCase<'gather'>['call'], c.inputs);
  expect(Array.from(reference)).toEqual(Array.from(oracle));
  expect(Array.from(run.output)).toEqual(Array.from(reference));
  expect(run.outputRoot).toBe(tensorRoot(reference));
  for (let i = 0; i < tiled.numTiles; i++) {
    expect(tiled.steps(i)).toBeLessThanOrEqual(tileSteps);
    expect(staticSteps(tiled.program(i))).toBe(tiled.steps(i));
    expect(tiled.window(i).length).toBeLessThanOrEqual(8 * 2 ** tiled.layout.windowHeight);
  }
  return run;
}

/** The least tileSteps a call can be tiled with (one output word or one index per tile). */
function leastTileSteps<K extends 'matmul' | 'gather'>(op: K, c: TileCase<K>): number {
  if (op === 'gather') return Math.max(64, gatherTileSteps(elementCount(c.call.inputDims[0].slice(1)), 1));
  const k = c.call.inputDims[0].at(-1)!;
  const batched = elementCount(c.call.inputDims[1].slice(0, -2)) > 1;
  return Math.max(64, matmulTileSteps(k, { nbat: 1, nrows: 1, ncols: 1 }, batched));
}

describe('tiled matmul', () => {
  it('equals the kernel and a BigInt oracle on 60 random shapes, tile bounds and window sizes', () => {
    const rng = new Rng(11);
    let tiles = 0;
    let multi = 0;
    let rowBlocked = 0;
    for (let trial = 0; trial < 60; trial++) {
      const c = matmulCase(rng);
      const least = leastTileSteps('matmul', c);
      const tileSteps = rng.pick([least, least + rng.int(0, 200), least * rng.int(2, 30)]);
      const maxWindowWords = rng.pick([undefined, 64, rng.int(16, 400)]);
      let tiled: TiledNode | undefined;
      try {
        tiled = tileCall('matmul', c.call, c.constants, { tileSteps, maxWindowWords });
      } catch (err) {
        // A window too small for one column of K weights: a clear refusal, never a wrong tiling.
        expect(err).toBeInstanceOf(NodeTooLargeError);
        continue;
      }
      expect(tiled).toBeDefined();
      checkTiled('matmul', c, tiled!, tileSteps);
      tiles += tiled!.numTiles;
      if (tiled!.numTiles > 1) multi++;
      // Header word 0 is the tile's first x row: it moves between tiles only with row blocks.
      if (tiled!.numTiles > 1 && tiled!.window(1)[0] !== tiled!.window(0)[0]) rowBlocked++;
    }
    expect(rowBlocked).toBeGreaterThan(5);
    expect(tiles).toBeGreaterThan(200);
    expect(multi).toBeGreaterThan(30);
  });

  it('edges: K = 1, N = 1, N not a multiple of the block, one tile, a batched weight cut into row blocks', () => {
    const rng = new Rng(12);
    const cases: [string, TileCase<'matmul'>, number][] = [
      ['K = 1', matmulCase(rng, { batch: [], m: 3, k: 1, n: 7 }), 80],
      ['N = 1', matmulCase(rng, { batch: [2], m: 2, k: 9, n: 1 }), 100],
      ['N = 10 in blocks of 3', matmulCase(rng, { batch: [], m: 1, k: 5, n: 10 }), 3 + 5 + 1 + 1 + 3 * 21 + 1],
      ['one tile', matmulCase(rng, { batch: [2], m: 3, k: 4, n: 5 }), 10_000],
      ['batched w, rows of one batch per tile', matmulCase(rng, { batch: [3], m: 5, k: 6, n: 4, sharedW: false }), 120],
      ['batched w, two batches per tile', matmulCase(rng, { batch: [4], m: 2, k: 3, n: 3, sharedW: false }), 100],
    ];
    for (const [name, c, tileSteps] of cases) {
      c.constants = [undefined, c.inputs[1], c.inputs[2], c.inputs[3]];
      const tiled = tileCall('matmul', c.call, c.constants, { tileSteps })!;
      checkTiled('matmul', c, tiled, tileSteps);
      if (name === 'one tile') expect(tiled.numTiles).toBe(1);
      if (name === 'N = 10 in blocks of 3') expect(tiled.numTiles).toBe(4); // 3 + 3 + 3 + 1: evened to ceil(10/4) = 3
      if (name.startsWith('batched w, rows')) expect(tiled.numTiles).toBe(3 * 2 * 4); // 3 batches × rows 3 + 2 × 4 columns
      if (name.startsWith('batched w, two')) expect(tiled.numTiles).toBe(2 * 3); // batches 0-1 and 2-3 × 3 columns
    }
  });

  it('the header is the only tile-specific part: tiles of one shape share a program', () => {
    const c = matmulCase(new Rng(13), { batch: [], m: 1, k: 30, n: 40 });
    const tiled = tileCall('matmul', c.call, c.constants, { tileSteps: 4 * 70 + 20 })!;
    expect(tiled.numTiles).toBe(10);
    const roots = new Set(tiled.specs().map((s) => s.codeRoot));
    expect(roots.size).toBe(1);
    expect(new Set(tiled.specs().map((s) => s.windowRoot)).size).toBe(10);
  });

  it('refuses a tileSteps below one output word, naming the node and the steps', () => {
    const c = matmulCase(new Rng(14), { batch: [], m: 1, k: 40, n: 3 });
    expect(() => tileCall('matmul', c.call, c.constants, { tileSteps: 64 }, 'fc9')).toThrow(TileStepsError);
    expect(() => tileCall('matmul', c.call, c.constants, { tileSteps: 64 }, 'fc9')).toThrow(/node "fc9": one output word of this matmul takes 99 steps as a tile, more than tileSteps = 64/);
  });
});

describe('tiled gather', () => {
  it('equals the kernel and a BigInt oracle on 60 random tables, index sets, tile bounds and windows', () => {
    const rng = new Rng(21);
    let rowBlocks = 0;
    for (let trial = 0; trial < 60; trial++) {
      const c = gatherCase(rng);
      const least = leastTileSteps('gather', c);
      const inner = elementCount(c.call.inputDims[0].slice(1));
      const tileSteps = rng.pick([least, least + rng.int(0, 300), least * rng.int(2, 8)]);
      const maxWindowWords = rng.pick([undefined, 8 + inner, 8 + inner * rng.int(1, 7)]);
      const tiled = tileCall('gather', c.call, c.constants, { tileSteps, maxWindowWords })!;
      checkTiled('gather', c, tiled, tileSteps);
      if (tiled.window(tiled.numTiles - 1)[2] > 0) rowBlocks++;
    }
    expect(rowBlocks).toBeGreaterThan(15);
  });

  it('every index selects one row in exactly one block: each row its own tile, indices at every edge', () => {
    const len = 7;
    const c = gatherCase(new Rng(22), { len, inner: [3], indices: [12] });
    c.inputs[1] = Int32Array.from([-(2 ** 31), -8, -7, -1, 0, 3, 6, 7, 8, 100, 2 ** 31 - 1, -4]);
    const tiled = tileCall('gather', c.call, c.constants, { tileSteps: 10_000, maxWindowWords: 8 + 3 })!;
    expect(tiled.numTiles).toBe(len);
    checkTiled('gather', c, tiled, 10_000);
  });

  it('is not tiled along another axis or from a computed table', () => {
    const c = gatherCase(new Rng(23), { len: 4, inner: [5] });
    expect(tileCall('gather', c.call, [undefined, undefined], { tileSteps: 64 })).toBeUndefined();
    const onAxis1 = { ...c.call, attrs: { axis: 1 }, outDims: [4, ...c.call.inputDims[1]] };
    expect(tileCall('gather', onAxis1, c.constants, { tileSteps: 64 })).toBeUndefined();
  });
});

/** x[1×k] → matmul [k×n] (weights seeded): one node. */
function matmulGraph(k: number, n: number, seed = 1) {
  const rng = new Rng(seed);
  const b = new IntGraphBuilder();
  const x = b.tensor('x', [1, k], 'input', 0.01);
  const w = b.weight('w', [k, n], int8(rng, [k, n]));
  const bias = b.weight('b', [n], words(rng, [n], -500, 500));
  const mult = b.weight('m', [n], Int32Array.from({ length: n }, () => multiplier(rng)));
  return { graph: b.build([b.node('matmul', 'fc', [x, w, bias, mult], { shift: 40, lo: -128, hi: 127 }, 0.02)]), rng };
}

describe('which nodes are tiled', () => {
  it('a tileable node is tiled exactly when its steps exceed tileSteps, with the same output', () => {
    const graph = smallGraph(3);
    const untiled = lowerForCommitment(graph, 0);
    expect(untiled.kind).toBe('vm');
    const steps = untiled.kind === 'vm' ? untiled.steps : 0;
    expect(lowerForCommitment(graph, 0, { tileSteps: steps }).kind).toBe('vm');
    const tiled = lowerForCommitment(graph, 0, { tileSteps: steps - 1 });
    expect(tiled.kind).toBe('tiled');
    const x = int8(new Rng(4), [1, 20]);
    const inputs = graph.nodes[0].inputs.map((t) => graph.weights.get(t) ?? x);
    if (tiled.kind !== 'tiled' || untiled.kind !== 'vm') throw new Error('unreachable');
    expect(Array.from(new TiledRun(tiled, inputs).output)).toEqual(Array.from(runLowered(untiled.lowered, inputs).output));
    // Other kinds stay one program whatever the bound (copy, clamp).
    expect(lowerForCommitment(graph, 1, { tileSteps: 64 }).kind).toBe('vm');
    expect(lowerForCommitment(graph, 2, { tileSteps: 64 }).kind).toBe('vm');
    expect(DEFAULT_TILE_STEPS).toBe(2 ** 20);
  });

  it('a matmul too large for VM memory is tiled (and bit-exact) instead of refused', () => {
    const k = 2048;
    const n = 2100; // 4.3M weight words: more than the 4,194,304 words of VM memory
    const { graph, rng } = matmulGraph(k, n, 5);
    expect(() => lowerNode(graph, 0)).toThrow(NodeTooLargeError);
    const tiled = lowerForCommitment(graph, 0);
    expect(tiled.kind).toBe('tiled');
    if (tiled.kind !== 'tiled') return;
    expect(tiled.layout.extent).toBeLessThanOrEqual(MEM_WORDS);
    const x = int8(rng, [1, k]);
    const inputs = graph.nodes[0].inputs.map((t) => graph.weights.get(t) ?? x);
    const run = new TiledRun(tiled, inputs);
    const call = { attrs: graph.nodes[0].attrs as { shift: number; lo: number; hi: number }, inputDims: [[1, k], [k, n], [n], [n]], outDims: [1, n] };
    expect(Array.from(run.output)).toEqual(Array.from(matmulOracle(call, inputs)));
    for (let i = 0; i < tiled.numTiles; i++) expect(tiled.steps(i)).toBeLessThanOrEqual(DEFAULT_TILE_STEPS);
  }, 120_000);

  it('an embedding table too large for VM memory is tiled into row blocks (and bit-exact)', () => {
    const rng = new Rng(6);
    const [len, d] = [33_000, 128]; // 4.2M words
    const b = new IntGraphBuilder();
    const ids = b.tensor('ids', [1, 6], 'input', 1);
    const table = b.weight('table', [len, d], int8(rng, [len, d]));
    const graph = b.build([b.node('gather', 'embed', [table, ids], { axis: 0 }, 0.02)]);
    expect(() => lowerNode(graph, 0)).toThrow(NodeTooLargeError);
    const tiled = lowerForCommitment(graph, 0);
    expect(tiled.kind).toBe('tiled');
    if (tiled.kind !== 'tiled') return;
    expect(tiled.numTiles).toBe(3);
    const idx = Int32Array.from([0, len - 1, -1, 16_500, 2 ** 31 - 1, -(2 ** 31)]);
    const inputs = [graph.weights.get(table)!, idx];
    const run = new TiledRun(tiled, inputs);
    const call = { attrs: { axis: 0 }, inputDims: [[len, d], [1, 6]], outDims: [1, 6, d] };
    expect(Array.from(run.output)).toEqual(Array.from(gatherOracle(call, inputs)));
  }, 120_000);
});
