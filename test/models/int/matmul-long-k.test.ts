/**
 * matmul with an inner dimension K > MAX_UNROLL (4096): the lowering loops over K in blocks of at most 4096
 * unrolled products (models/int/kernels/matmul.ts `emitDot`), untiled and as tiles. The VM's words and root equal
 * the CPU executor's (fast kernels through runGraph, the reference `execute`, a BigInt oracle), the VM's step
 * count equals staticSteps and the closed formula (matmulDotSteps / matmulWordSteps / matmulTileSteps), with int8
 * operands plus INT32_MIN/MAX words in x so the products and the sum wrap. K ≤ 4096 programs are unchanged: code
 * roots recorded from the lowering before blocked K loops existed.
 */
import { describe, expect, it } from 'vitest';
import { runGraph } from '../../../models/int/execute.ts';
import { elementCount, type IntGraph } from '../../../models/int/graph.ts';
import type { KernelCall } from '../../../models/int/kernels/kernel.ts';
import { matmul, matmulDotSteps, matmulKBlocks, MAX_UNROLL } from '../../../models/int/kernels/matmul.ts';
import { tensorRoot } from '../../../models/int/roots.ts';
import { staticSteps } from '../../../models/int/staticSteps.ts';
import { lowerForCommitment, tileCall } from '../../../models/int/tiles/lowering.ts';
import { matmulTileSteps, matmulWordSteps } from '../../../models/int/tiles/matmul.ts';
import { TiledRun } from '../../../models/int/tiles/run.ts';
import { loopSteps, type TiledNode } from '../../../models/int/tiles/tiled.ts';
import { lowerCall, lowerNode, runLowered } from '../../../models/int/vmNode.ts';
import { IntGraphBuilder } from '../../../models/quantize/builder.ts';
import { CODE_SIZE, MEM_WORDS, Op } from '../../../vm/isa.ts';
import { Status } from '../../../vm/state.ts';
import { Rng } from '../../support/rng.ts';
import { int8, multiplier, words } from './cases.ts';
import { matmulOracle } from './tilesCases.ts';

const MIN = -(2 ** 31);
const MAX = 2 ** 31 - 1;

/** int8 words with INT32_MIN, INT32_MAX, -1 and large words sprinkled in (the products and sums wrap). */
function edgy(rng: Rng, dims: number[]): Int32Array {
  const x = int8(rng, dims);
  const edges = [MIN, MAX, MIN + 1, MAX - 1, -1, 1 << 30, -(1 << 30)];
  for (let i = 0; i < x.length; i += rng.int(1, 97)) x[i] = rng.pick(edges);
  return x;
}

interface Case {
  call: KernelCall<'matmul'>;
  inputs: Int32Array[];
}

function matmulCall(xDims: number[], wDims: number[], attrs = { shift: 40, lo: MIN, hi: MAX }): KernelCall<'matmul'> {
  const n = wDims[wDims.length - 1];
  return { attrs, inputDims: [xDims, wDims, [n], [n]], outDims: [...xDims.slice(0, -1), n] };
}

function matmulCase(rng: Rng, xDims: number[], wDims: number[], attrs?: { shift: number; lo: number; hi: number }): Case {
  const n = wDims[wDims.length - 1];
  const call = matmulCall(xDims, wDims, attrs);
  return { call, inputs: [edgy(rng, xDims), int8(rng, wDims), words(rng, [n], -20000, 20000), Int32Array.from({ length: n }, () => multiplier(rng))] };
}

/** The same call as a one-node graph: x the input, w, bias and mult weights. */
function graphOf(c: Case): IntGraph {
  const b = new IntGraphBuilder();
  const [xDims, wDims, bDims, mDims] = c.call.inputDims;
  const x = b.tensor('x', xDims, 'input', 0.01);
  const w = b.weight('w', wDims, c.inputs[1]);
  const bias = b.weight('b', bDims, c.inputs[2]);
  const mult = b.weight('m', mDims, c.inputs[3]);
  return b.build([b.node('matmul', 'mm', [x, w, bias, mult], c.call.attrs, 0.02)]);
}

/** Steps of the untiled program by its loop nest (kernels/matmul.ts `lower`), from matmulDotSteps. */
function untiledSteps(call: KernelCall<'matmul'>): number {
  const [xDims, wDims] = call.inputDims;
  const batch = elementCount(xDims.slice(0, -2));
  const [m, k] = xDims.slice(-2);
  const n = wDims[wDims.length - 1];
  const word = 1 + matmulDotSteps(k) + 1 + 4 + 3; // bias, dot, mult, RQ MAX MIN STORE, py pw pj
  const row = 2 + loopSteps(n, word) + 1;
  return 3 + loopSteps(batch, loopSteps(m, row) + 1) + 1;
}

/** Every immediate of a program is an int32 and every memory immediate addresses VM memory. */
function checkImmediates(program: { length: number; ops: ArrayLike<number>; imm: ArrayLike<number> }): void {
  const bad: string[] = [];
  for (let p = 0; p < program.length; p++) {
    const imm = program.imm[p];
    const memory = program.ops[p] === Op.LOAD || program.ops[p] === Op.MAC || program.ops[p] === Op.STORE;
    if (!Number.isInteger(imm) || imm < MIN || imm > MAX || (memory && (imm < 0 || imm >= MEM_WORDS))) bad.push(`pc ${p}: op ${program.ops[p]} imm ${imm}`);
  }
  expect(bad).toEqual([]);
}

describe('matmul K blocks', () => {
  it('K ≤ 4096 is one unrolled run; longer K is ⌈K/4096⌉ blocks of ⌊K/blocks⌋ and a tail', () => {
    expect(MAX_UNROLL).toBe(4096);
    expect(matmulKBlocks(4096)).toEqual({ blocks: 0, block: 0, tail: 4096 });
    expect(matmulKBlocks(4097)).toEqual({ blocks: 2, block: 2048, tail: 1 });
    expect(matmulKBlocks(5632)).toEqual({ blocks: 2, block: 2816, tail: 0 });
    expect(matmulKBlocks(8195)).toEqual({ blocks: 3, block: 2731, tail: 2 });
    expect(matmulKBlocks(11008)).toEqual({ blocks: 3, block: 3669, tail: 1 });
    for (const k of [1, 7, 4095, 4096]) {
      expect(matmulDotSteps(k)).toBe(2 * k);
      expect(matmulWordSteps(k)).toBe(2 * k + 10); // the tile formula of before, unchanged
    }
    for (const k of [4097, 5000, 5632, 8192, 8193, 11008, 2 ** 20 - 3]) {
      const { blocks, block, tail } = matmulKBlocks(k);
      expect(blocks * block + tail).toBe(k);
      expect(block).toBeLessThanOrEqual(MAX_UNROLL);
      expect(tail).toBeLessThan(blocks);
      expect(matmulDotSteps(k)).toBe(2 * k + 3 * blocks + 3);
    }
  });

  it('untiled: K = 4097, 5000, 8192 + 3, 11008 and batched ones give the executor\'s words and root in staticSteps steps', () => {
    const rng = new Rng(4097);
    const shapes: [number[], number[]][] = [
      [[2, 4097], [4097, 3]],
      [[1, 5000], [5000, 2]],
      [[3, 8195], [8195, 2]],
      [[1, 11008], [11008, 2]], // LLaMA-7B's FFN down-projection K
      [[2, 2, 4100], [2, 4100, 2]], // batched w
      [[3, 1, 4999], [4999, 3]], // batched x, shared w
    ];
    for (const [xDims, wDims] of shapes) {
      const label = `[${xDims}]·[${wDims}]`;
      const c = matmulCase(rng, xDims, wDims, rng.pick([{ shift: 40, lo: MIN, hi: MAX }, { shift: 0, lo: MIN, hi: MAX }, { shift: 38, lo: -128, hi: 127 }]));
      const graph = graphOf(c);
      const executor = runGraph(graph, [c.inputs[0]]);
      const y = executor.values.get(graph.nodes[0].output)!;
      expect(Array.from(y), label).toEqual(Array.from(matmul.execute(c.call, c.inputs)));
      expect(Array.from(y), label).toEqual(Array.from(matmulOracle(c.call, c.inputs)));
      const lowered = lowerNode(graph, 0);
      expect(lowered.program.length, label).toBeLessThan(CODE_SIZE);
      checkImmediates(lowered.program);
      const run = runLowered(lowered, c.inputs);
      expect(Array.from(run.output), label).toEqual(Array.from(y));
      expect(run.outputRoot, label).toBe(executor.roots.get(graph.nodes[0].output));
      const s = staticSteps(lowered.program);
      expect(run.steps, label).toBe(s);
      expect(s, label).toBe(untiledSteps(c.call));
      // Another input of the same shape (zeros): the same count.
      expect(runLowered(lowered, c.inputs.map((w) => new Int32Array(w.length))).steps, label).toBe(s);
      const commit = lowerForCommitment(graph, 0);
      expect(commit.kind === 'vm' && commit.steps, label).toBe(s);
    }
  }, 120_000);

  it('untiled: K = 2^20 − 3 (256 blocks of 4095 and a tail of 253) with w taking half of VM memory', () => {
    const rng = new Rng(20);
    const k = 2 ** 20 - 3;
    const c = matmulCase(rng, [1, k], [k, 2]);
    const lowered = lowerCall('matmul', c.call);
    expect(lowered.program.length).toBeLessThan(2 * MAX_UNROLL + 2 * 256 + 64);
    checkImmediates(lowered.program);
    const run = runLowered(lowered, c.inputs);
    const y = matmul.execute(c.call, c.inputs);
    expect(Array.from(run.output)).toEqual(Array.from(y));
    expect(Array.from(y)).toEqual(Array.from(matmulOracle(c.call, c.inputs)));
    expect(run.outputRoot).toBe(tensorRoot(y));
    expect(run.steps).toBe(staticSteps(lowered.program));
    expect(run.steps).toBe(untiledSteps(c.call));
  }, 120_000);

  it('tiled: K = 5632 (LLaMA-1.1B down-projection), N = 6, several tiles each ending where TiledRun says', () => {
    const rng = new Rng(5632);
    const k = 5632;
    const n = 6;
    const c = matmulCase(rng, [1, 2, k], [k, n], { shift: 40, lo: -128, hi: 127 });
    const graph = graphOf(c);
    const executor = runGraph(graph, [c.inputs[0]]);
    const y = executor.values.get(graph.nodes[0].output)!;
    expect(Array.from(y)).toEqual(Array.from(matmulOracle(c.call, c.inputs)));
    // Two rows of one column fit; two columns do not: one tile per column.
    const word = matmulWordSteps(k);
    expect(word).toBe(2 * k + 3 * 2 + 3 + 10);
    const tileSteps = 2 * word + 100;
    const lowering = lowerForCommitment(graph, 0, { tileSteps });
    expect(lowering.kind).toBe('tiled');
    const tiled = lowering as TiledNode;
    expect(tiled.numTiles).toBe(n);
    const run = new TiledRun(tiled, c.inputs);
    expect(Array.from(run.output)).toEqual(Array.from(y));
    expect(run.outputRoot).toBe(executor.roots.get(graph.nodes[0].output));
    for (let i = 0; i < tiled.numTiles; i++) {
      const steps = tiled.steps(i);
      expect(steps).toBeLessThanOrEqual(tileSteps);
      expect(steps).toBe(matmulTileSteps(k, { nbat: 1, nrows: 2, ncols: 1 }, false));
      expect(staticSteps(tiled.program(i))).toBe(steps);
      checkImmediates(tiled.program(i));
      const e = run.entry(i);
      const trace = run.trace(i);
      expect(trace.stateAt(0)).toMatchObject({ memRoot: e.mu, codeRoot: e.spec.codeRoot, pc: 0, step: 0 });
      expect(trace.runToEnd()).toMatchObject({ status: Status.HALTED, step: steps, codeRoot: e.spec.codeRoot, memRoot: run.states[i + 1] });
    }
    // Tiles of one shape share one program.
    expect(new Set(tiled.specs().map((s) => s.codeRoot)).size).toBe(1);
  }, 120_000);

  it('tiled: K > 4096 with w an activation (persistent), batched w, row blocks and column blocks', () => {
    const rng = new Rng(4500);
    const cases: [string, Case, (Int32Array | undefined)[] | 'constants', number][] = [];
    {
      const c = matmulCase(rng, [2, 4500], [4500, 5]);
      cases.push(['w an activation, rows and columns cut', c, [undefined, undefined, c.inputs[2], c.inputs[3]], matmulTileSteps(4500, { nbat: 1, nrows: 1, ncols: 2 }, false)]);
    }
    {
      const c = matmulCase(rng, [3, 2, 4101], [3, 4101, 3]);
      cases.push(['batched constant w, one batch a tile', c, 'constants', matmulTileSteps(4101, { nbat: 1, nrows: 1, ncols: 3 }, true)]);
    }
    {
      const c = matmulCase(rng, [2, 1, 8200], [2, 8200, 2]);
      cases.push(['batched activation w, two batches a tile', c, [undefined, undefined, undefined, c.inputs[3]], matmulTileSteps(8200, { nbat: 2, nrows: 1, ncols: 1 }, true)]);
    }
    {
      const c = matmulCase(rng, [2, 2, 4200], [4200, 4]);
      cases.push(['batch, row and column loops all > 1 (the most registers)', c, 'constants', matmulTileSteps(4200, { nbat: 2, nrows: 2, ncols: 2 }, false)]);
    }
    for (const [label, c, consts, tileSteps] of cases) {
      const constants = consts === 'constants' ? [undefined, c.inputs[1], c.inputs[2], c.inputs[3]] : consts;
      const tiled = tileCall('matmul', c.call, constants, { tileSteps })!;
      expect(tiled.numTiles, label).toBeGreaterThan(1);
      if (label.startsWith('batch, row and column')) expect(tiled.numTiles, label).toBe(2);
      const run = new TiledRun(tiled, c.inputs);
      const y = matmul.execute(c.call, c.inputs);
      expect(Array.from(y), label).toEqual(Array.from(matmulOracle(c.call, c.inputs)));
      expect(Array.from(run.output), label).toEqual(Array.from(y));
      expect(run.outputRoot, label).toBe(tensorRoot(y));
      for (let i = 0; i < tiled.numTiles; i++) {
        expect(tiled.steps(i), label).toBeLessThanOrEqual(tileSteps);
        expect(staticSteps(tiled.program(i)), label).toBe(tiled.steps(i));
        checkImmediates(tiled.program(i));
      }
    }
  }, 120_000);

  it('K ≤ 4096: the programs are the ones before blocked K loops (code roots and steps recorded then)', () => {
    const roots: [string, number[], number[], string, number, number][] = [
      ['4095', [1, 4095], [4095, 5], '0x086f2bd7d796024c86221b1e165f17cce122e71155de24ceebaa4207ffbbb5b3', 41009, 8209],
      ['4096 shared', [2, 4096], [4096, 3], '0x21a38611fb335a50ef54683a427d6ae0c7344011dd61baacf480f17aa1eba12a', 49228, 8213],
      ['4096 batched', [2, 1, 4096], [2, 4096, 2], '0xcf16e895c8ada520dbf2908ec1c75ad933e157237780ee98edbeae2d476cbf89', 32825, 8213],
    ];
    for (const [label, xDims, wDims, root, steps, length] of roots) {
      const lowered = lowerCall('matmul', matmulCall(xDims, wDims, { shift: 40, lo: -128, hi: 127 }));
      expect(lowered.program.codeRoot(), label).toBe(root);
      expect(staticSteps(lowered.program), label).toBe(steps);
      expect(lowered.program.length, label).toBe(length);
    }
    // A tiled K = 4096 matmul: 7 tiles of one program.
    const rng = new Rng(5);
    const k = 4096;
    const n = 7;
    const call = matmulCall([1, 3, k], [k, n], { shift: 40, lo: -128, hi: 127 });
    const inputs = [int8(rng, [1, 3, k]), int8(rng, [k, n]), words(rng, [n], -20000, 20000), Int32Array.from({ length: n }, () => multiplier(rng))];
    const tiled = tileCall('matmul', call, [undefined, inputs[1], inputs[2], inputs[3]], { tileSteps: 3 * (2 * k + 40) })!;
    expect(tiled.numTiles).toBe(7);
    expect([...new Set(tiled.specs().map((s) => `${s.codeRoot}:${s.steps}`))]).toEqual(['0x80f97ffe08ae768adbd7ff0541b04a024edad74c81de19f9fa96dc67c5665ca3:24629']);
    expect(tiled.tilesRoot()).toBe('0xee9c6c561fc13d09bdc9fe8cb4da72f5ac570425e7d4ae7b5eb1c35dccfc686d');
  });
});
