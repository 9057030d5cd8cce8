/**
 * The int8 range analysis behind the packed kernels (models/gpu/int8Range.ts) is sound against the CPU
 * reference kernels: on the random cases of every op (test/models/int/cases.ts), with the inputs as weights
 * (known ranges), every output word lies in the predicted range. Plus the rules that matter for the zoo
 * (maxpool with and without empty windows, clamp, copies of a graph input, lut, softmax unknown) and the
 * weight packing layout. Runs without a GPU.
 */
import { describe, expect, it } from 'vitest';
import { packWeight } from '../../models/gpu/gemm.ts';
import { int8Proof, tensorRanges } from '../../models/gpu/int8Range.ts';
import { dot4I8 } from '../../models/gpu/packedDot.ts';
import type { IntGraph, IntOp } from '../../models/int/graph.ts';
import { INT_KERNELS, kernelOf } from '../../models/int/kernels/index.ts';
import { KERNEL_CASES, type KernelCase } from '../models/int/cases.ts';
import { Rng } from '../support/rng.ts';
import { oneNodeGraph } from './oneNode.ts';

describe('int8 range analysis', () => {
  for (const op of Object.keys(INT_KERNELS) as IntOp[]) {
    it(`${op}: every output word lies in the predicted range (64 random cases)`, () => {
      const rng = new Rng(op.length * 31 + op.charCodeAt(0));
      const gen = KERNEL_CASES[op] as (rng: Rng) => KernelCase<IntOp>;
      for (let c = 0; c < 64; c++) {
        const kc = gen(rng);
        const kernel = kernelOf(op);
        const outDims = kernel.outputDims(kc.attrs as never, kc.inputDims);
        // All inputs as weights: input 0 too (a graph input's range is only known per run).
        const { graph } = oneNodeGraph({ op, attrs: kc.attrs, inputDims: kc.inputDims, inputs: kc.inputs, outDims }, () => true);
        graph.weights.set(0, kc.inputs[0]);
        graph.tensors[0].kind = 'weight';
        graph.inputs = [];
        const range = tensorRanges(graph).get(graph.nodes[0].output);
        if (range === undefined) continue;
        expect('lo' in range, op).toBe(true);
        const { lo, hi } = range as { lo: number; hi: number };
        const y = kernel.execute({ attrs: kc.attrs as never, inputDims: kc.inputDims, outDims }, kc.inputs);
        for (const v of y) if (v < lo || v > hi) expect.fail(`${op} case ${c}: output ${v} outside the predicted [${lo}, ${hi}]`);
      }
    });
  }

  const win = { kernel: [2, 2] as [number, number], strides: [2, 2] as [number, number], dilations: [1, 1] as [number, number] };
  const graphOf = (nodes: IntGraph['nodes'], dims: number[][], weights: [number, Int32Array][] = []): IntGraph => ({
    tensors: dims.map((d, i) => ({ name: `t${i}`, dims: d, kind: i === 0 ? 'input' : weights.some(([t]) => t === i) ? 'weight' : 'activation', scale: 1 })),
    weights: new Map(weights),
    inputs: [0],
    nodes,
    outputs: [nodes.at(-1)!.output],
  });

  it('maxpool keeps its input range when no window is empty, and includes lo when one may be', () => {
    const relu: IntGraph['nodes'][number] = { name: 'relu', op: 'clamp', inputs: [0], output: 1, attrs: { lo: 0, hi: 127 } };
    const pool = (pads: [number, number, number, number]) =>
      ({ name: 'pool', op: 'maxpool2d', inputs: [1], output: 2, attrs: { ...win, pads, lo: -32768, hi: 32767 } }) as IntGraph['nodes'][number];
    const dims = [[1, 1, 4, 4], [1, 1, 4, 4]];
    const full = tensorRanges(graphOf([relu, pool([0, 0, 0, 0])], [...dims, [1, 1, 2, 2]]));
    expect(full.get(1)).toEqual({ lo: 0, hi: 127 });
    expect(full.get(2)).toEqual({ lo: 0, hi: 127 });
    // pad 2 on top with a 2×2 window and stride 2: the first output row's windows are wholly padding → lo.
    const empty = tensorRanges(graphOf([relu, pool([2, 0, 0, 0])], [...dims, [1, 1, 3, 2]]));
    expect(empty.get(2)).toEqual({ lo: -32768, hi: 127 });
    expect(int8Proof(empty, 2).kind).toBe('unknown');
  });

  it('copies of a graph input depend on its words; lut takes its table’s range; softmax is unknown', () => {
    const g = graphOf(
      [
        { name: 'copy', op: 'copy', inputs: [0], output: 1, attrs: { dims: [16] } },
        { name: 'lut', op: 'lut', inputs: [1, 2], output: 3, attrs: {} },
        { name: 'sm', op: 'softmax', inputs: [3, 4], output: 5, attrs: { axis: 0, mult: 1, shift: 0, one: 64 } },
      ] as IntGraph['nodes'],
      [[16], [16], [256], [16], [8], [16]],
      [
        [2, Int32Array.from({ length: 256 }, (_, i) => (i % 200) - 100)],
        [4, Int32Array.from({ length: 8 }, (_, i) => i)],
      ],
    );
    const r = tensorRanges(g);
    expect(int8Proof(r, 1)).toEqual({ kind: 'input', input: 0 });
    expect(r.get(3)).toEqual({ lo: -100, hi: 99 });
    expect(int8Proof(r, 3).kind).toBe('proven');
    expect(int8Proof(r, 5).kind).toBe('unknown');
  });

  it('packWeight lays out 4 int8 per word along the depth, zero lanes past it', () => {
    const rng = new Rng(3);
    const lane = (word: number, e: number) => (word << (24 - 8 * e)) >> 24;
    for (const [k, n, wb] of [[1, 3, 1], [5, 2, 2], [8, 7, 1], [13, 1, 3]]) {
      const w = Int32Array.from({ length: wb * k * n }, () => rng.int(-128, 127));
      const p = packWeight('matmul', w, wb === 1 ? [k, n] : [wb, k, n]);
      const kq = Math.ceil(k / 4);
      expect(p.length).toBe(wb * kq * n);
      for (let b = 0; b < wb; b++)
        for (let t = 0; t < kq * 4; t++)
          for (let j = 0; j < n; j++) expect(lane(p[(b * kq + (t >> 2)) * n + j], t & 3)).toBe(t < k ? w[(b * k + t) * n + j] : 0);
    }
    const cw = Int32Array.from({ length: 5 * 2 * 3 * 3 }, () => rng.int(-128, 127));
    const cp = packWeight('conv2d', cw, [5, 2, 3, 3]);
    expect(cp.length).toBe(5 * 5);
    for (let m = 0; m < 5; m++) for (let t = 0; t < 20; t++) expect(lane(cp[m * 5 + (t >> 2)], t & 3)).toBe(t < 18 ? cw[m * 18 + t] : 0);
  });

  it('dot4I8 (the self-check’s expectation) is the int8 lane dot product', () => {
    expect(dot4I8(0x80808080 | 0, 0x80808080 | 0)).toBe(4 * 16384);
    expect(dot4I8(0x7f7f7f7f, 0x80808080 | 0)).toBe(4 * -16256);
    expect(dot4I8(0x000000ff, 0x00000002)).toBe(-2);
    expect(dot4I8(0x01020304, 0x01010101)).toBe(10);
  });
});
