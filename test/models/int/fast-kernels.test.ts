/**
 * The fast CPU kernels (models/int/kernels/fast.ts) against the references (each kernel's `execute`), word for
 * word: the random cases of cases.ts, the same with edge words (±2^31, int8 limits, 0, ±1) mixed in, directed
 * matmul/conv2d shapes (K = 1, odd sizes, sizes off the 4×4 block, large K, batched weights), every shift
 * 0..63 with extreme multipliers (requant's fast path and its 64-bit path, saturation), clamps with lo > hi,
 * and every node of every zoo model end to end (executeGraph with fast kernels vs with the references).
 */
import { describe, expect, it } from 'vitest';
import { executeGraph } from '../../../models/int/execute.ts';
import type { IntOp } from '../../../models/int/graph.ts';
import { FAST_KERNELS, rq, runFast } from '../../../models/int/kernels/fast.ts';
import { requant } from '../../../vm/numerics.ts';
import { kernelOf } from '../../../models/int/kernels/index.ts';
import { prepareModel } from '../../../models/prepare.ts';
import { quantizeInput } from '../../../models/quantize/quantize.ts';
import { ZOO } from '../../../models/zoo/index.ts';
import { Rng } from '../../support/rng.ts';
import { KERNEL_CASES } from './cases.ts';

const EDGE = [-2147483648, 2147483647, -2147483647, -128, 127, -127, 0, 1, -1, 32767, -32768];

function compare<K extends IntOp>(op: K, attrs: unknown, inputDims: number[][], inputs: Int32Array[], label: string): void {
  const kernel = kernelOf(op);
  const outDims = kernel.outputDims(attrs as never, inputDims);
  const call = { attrs: attrs as never, inputDims, outDims };
  const expected = kernel.execute(call, inputs);
  const got = runFast(op, call, inputs)!;
  expect(got, `${op}: no fast kernel`).toBeDefined();
  if (got.length !== expected.length || got.some((v, i) => v !== expected[i])) {
    const i = got.findIndex((v, j) => v !== expected[j]);
    expect.fail(`${label}: word ${i} fast ${got[i]} reference ${expected[i]} (dims ${JSON.stringify(inputDims)} attrs ${JSON.stringify(attrs)})`);
  }
}

const withEdges = (rng: Rng, w: Int32Array, p: number): Int32Array => w.map((v) => (rng.int(0, 999) < p * 1000 ? rng.pick(EDGE) : v));

describe('fast kernels equal the references word for word', () => {
  it('rq (the fast epilogue requant) equals requant: every shift, edge and random int32 operands', () => {
    const rng = new Rng(99);
    const vals = [...EDGE, 2 ** 30, -(2 ** 30), 2 ** 21, 2 ** 21 + 1, 65535, 65536, -65536, -65537, 3, -3];
    for (let s = 0; s < 64; s++) {
      for (const v of vals) for (const m of vals) if (rq(v, m, s) !== requant(v, m, s)) expect.fail(`rq(${v}, ${m}, ${s}) = ${rq(v, m, s)}, requant ${requant(v, m, s)}`);
      for (let c = 0; c < 3000; c++) {
        const v = rng.int32();
        const m = rng.int32();
        if (rq(v, m, s) !== requant(v, m, s)) expect.fail(`rq(${v}, ${m}, ${s}) = ${rq(v, m, s)}, requant ${requant(v, m, s)}`);
      }
    }
  });

  for (const op of Object.keys(FAST_KERNELS) as IntOp[]) {
    it(`${op}: random cases, plain and with edge words`, () => {
      const gen = KERNEL_CASES[op] as (rng: Rng) => ReturnType<(typeof KERNEL_CASES)[IntOp]>;
      const rng = new Rng(4242 + op.charCodeAt(0) * 31 + op.length);
      for (let c = 0; c < 120; c++) {
        const kc = gen(rng);
        compare(op, kc.attrs, kc.inputDims, kc.inputs, `${op} case ${c}`);
        compare(op, kc.attrs, kc.inputDims, kc.inputs.map((w) => withEdges(rng, w, 0.2)), `${op} case ${c} with edges`);
        compare(op, kc.attrs, kc.inputDims, kc.inputs.map((w) => withEdges(rng, w, 1)), `${op} case ${c} all edges`);
        // mostly-zero first input (conv2d's scatter path, matmul's zero skipping), with edge words among the rest
        const sparse = kc.inputs.map((w, i) => (i === 0 ? withEdges(rng, w, 0.3).map((v) => (rng.int(0, 9) < 8 ? 0 : v)) : w));
        compare(op, kc.attrs, kc.inputDims, sparse, `${op} case ${c} sparse`);
      }
    });
  }

  const int8 = (rng: Rng, n: number) => Int32Array.from({ length: n }, () => rng.int(-128, 127));
  const int32 = (rng: Rng, n: number) => Int32Array.from({ length: n }, () => rng.int32());

  it('matmul: directed shapes (K = 1, odd, off-block, large K, batched w), shifts 0..63, extreme words', () => {
    const rng = new Rng(7);
    const shapes: [number, number, number, number, boolean][] = [
      // batch, m, k, n, batched w
      [1, 1, 1, 1, false], [1, 1, 784, 64, false], [1, 3, 1, 5, false], [1, 4, 4, 4, false], [1, 5, 7, 9, false],
      [1, 8, 3, 8, false], [1, 16, 32, 32, false], [2, 16, 16, 16, true], [3, 5, 6, 7, true], [1, 7, 4096, 3, false],
      [1, 2, 3000, 10, false], [2, 9, 13, 6, false], [1, 1, 5, 130, false], [4, 1, 1, 1, true],
    ];
    for (const [batch, m, k, n, batchedW] of shapes) {
      for (let trial = 0; trial < 6; trial++) {
        const wide = trial >= 3; // int32 operands: products and sums wrap
        const x = wide ? int32(rng, batch * m * k) : int8(rng, batch * m * k);
        const wLen = (batchedW ? batch : 1) * k * n;
        const w = wide ? int32(rng, wLen) : int8(rng, wLen);
        const bias = trial % 2 === 0 ? int32(rng, n) : Int32Array.from({ length: n }, () => rng.int(-1000, 1000));
        const mult = Int32Array.from({ length: n }, () => rng.pick([rng.int(2 ** 30, 2 ** 31 - 1), rng.int32(), -2147483648, 2147483647, 0, 1, -1]));
        const shift = trial === 0 ? 0 : rng.int(0, 63);
        const [lo, hi] = rng.pick([[-128, 127], [0, 127], [-2147483648, 2147483647], [5, -5], [0, 0]]);
        const xDims = batch === 1 ? [m, k] : [batch, m, k];
        const wDims = batchedW ? [batch, k, n] : [k, n];
        compare('matmul', { shift, lo, hi }, [xDims, wDims, [n], [n]], [x, w, bias, mult], `matmul ${batch}×${m}×${k}×${n} trial ${trial}`);
        if (trial === 5) {
          const ex = x.map(() => rng.pick(EDGE));
          const ew = w.map(() => rng.pick(EDGE));
          compare('matmul', { shift, lo, hi }, [xDims, wDims, [n], [n]], [ex, ew, bias.map(() => rng.pick(EDGE)), mult], `matmul edges ${batch}×${m}×${k}×${n}`);
        }
      }
    }
    // every shift with extreme multipliers and accumulators: requant's fast path boundary (|p| = 2^52, s = 53)
    for (let shift = 0; shift < 64; shift++) {
      const n = EDGE.length;
      const x = Int32Array.from([1]);
      const w = Int32Array.from(EDGE);
      const bias = Int32Array.from(EDGE, (v) => v >> 1);
      for (const mv of [-2147483648, 2147483647, 2 ** 30, 2 ** 21, 2 ** 21 + 1, -(2 ** 21), 3, 0]) {
        compare('matmul', { shift, lo: -2147483648, hi: 2147483647 }, [[1, 1], [1, n], [n], [n]], [x, w, bias, new Int32Array(n).fill(mv)], `matmul shift ${shift} mult ${mv}`);
      }
    }
  });

  it('conv2d: directed geometries and extreme words', () => {
    const rng = new Rng(11);
    const cases: { x: number[]; m: number; group: number; kernel: [number, number]; strides: [number, number]; pads: [number, number, number, number]; dil: [number, number] }[] = [
      { x: [1, 1, 28, 28], m: 8, group: 1, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] },
      { x: [1, 8, 14, 14], m: 16, group: 1, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] },
      { x: [2, 6, 9, 7], m: 6, group: 6, kernel: [3, 2], strides: [2, 1], pads: [2, 0, 1, 2], dil: [1, 2] },
      { x: [1, 4, 5, 5], m: 6, group: 2, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1] },
      { x: [1, 3, 3, 3], m: 5, group: 1, kernel: [3, 3], strides: [2, 2], pads: [2, 2, 2, 2], dil: [2, 2] },
      { x: [1, 2, 1, 1], m: 3, group: 1, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1] },
    ];
    for (const c of cases) {
      for (let trial = 0; trial < 6; trial++) {
        const cg = c.x[1] / c.group;
        const wDims = [c.m, cg, ...c.kernel];
        const xLen = c.x.reduce((a, b) => a * b);
        const wLen = wDims.reduce((a, b) => a * b);
        const edge = trial === 3;
        const dense = edge ? Int32Array.from({ length: xLen }, () => rng.pick(EDGE)) : trial === 2 ? int32(rng, xLen) : int8(rng, xLen);
        // trials 4, 5: mostly zeros (the scatter path), int8 and edge words
        const x = trial >= 4 ? dense.map((v) => (rng.int(0, 9) < 8 ? 0 : trial === 5 ? rng.pick(EDGE) : v)) : dense;
        const w = edge ? Int32Array.from({ length: wLen }, () => rng.pick(EDGE)) : trial === 2 ? int32(rng, wLen) : int8(rng, wLen);
        const bias = int32(rng, c.m);
        const mult = Int32Array.from({ length: c.m }, () => rng.pick([rng.int(2 ** 30, 2 ** 31 - 1), rng.int32(), -2147483648, 2147483647]));
        const attrs = { kernel: c.kernel, strides: c.strides, pads: c.pads, dilations: c.dil, group: c.group, shift: rng.int(0, 63), lo: rng.pick([-128, 0, -2147483648]), hi: rng.pick([127, 2147483647]) };
        compare('conv2d', attrs, [c.x, wDims, [c.m], [c.m]], [x, w, bias, mult], `conv2d ${JSON.stringify(c)} trial ${trial}`);
      }
    }
  });
});

describe('executeGraph with fast kernels equals the references on every zoo model node', () => {
  for (const zoo of ZOO) {
    it(zoo.name, () => {
      const { int } = prepareModel(zoo.name);
      const info = int.tensors[int.inputs[0]];
      for (const sample of zoo.samples(3)) {
        const words = [quantizeInput(sample.feeds[zoo.inputName].data, info.scale, info.integer === true)];
        const ref: Int32Array[] = [];
        executeGraph(int, words, (_i, out) => ref.push(out), undefined, 'reference');
        const fast: Int32Array[] = [];
        const run = executeGraph(int, words, (_i, out) => fast.push(out));
        expect(fast.length).toBe(int.nodes.length);
        fast.forEach((out, i) => expect(Array.from(out), `${zoo.name} node ${i} (${int.nodes[i].op})`).toEqual(Array.from(ref[i])));
        const refRun = executeGraph(int, words, undefined, undefined, 'reference');
        run.outputs.forEach((o, i) => expect(Array.from(o)).toEqual(Array.from(refRun.outputs[i])));
      }
    });
  }
});
