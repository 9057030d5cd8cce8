/**
 * Layout ops through the whole integer pipeline: Gather (int64 token ids into constant embedding tables, and
 * a constant index tensor into a run-time activation), Concat (different scales, shared scale, a constant
 * part), Transpose, Flatten and MatMul. Quantized from calibration samples, run by the CPU executor,
 * dequantized and compared with the float reference node by node; every node reproduced in the VM.
 * Plus exact checks of the kernels' semantics against the float reference kernels.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../models/float/evaluate.ts';
import { concat as floatConcat, gather as floatGather, transpose as floatTranspose } from '../../../models/float/kernels/layout.ts';
import type { FloatTensor, IntTensor, NodeOf } from '../../../models/graph.ts';
import { runGraph } from '../../../models/int/execute.ts';
import { elementCount } from '../../../models/int/graph.ts';
import { concat } from '../../../models/int/kernels/concat.ts';
import { gather, gatherIndex } from '../../../models/int/kernels/gather.ts';
import { transpose } from '../../../models/int/kernels/transpose.ts';
import { tensorRoot } from '../../../models/int/roots.ts';
import { lowerCall, lowerNode, runLowered } from '../../../models/int/vmNode.ts';
import { loadOnnx } from '../../../models/onnx/load.ts';
import { writeOnnx } from '../../../models/onnx/writer.ts';
import { dequantize, quantize, quantizeInput } from '../../../models/quantize/quantize.ts';
import { INT32_MAX, INT32_MIN } from '../../../vm/numerics.ts';
import { Rng } from '../../support/rng.ts';

const VOCAB = 16;
const DIM = 6;
const [BATCH, SEQ] = [2, 5];

function randomFloats(rng: Rng, n: number, scale: number): Float32Array {
  return Float32Array.from({ length: n }, () => ((rng.u32() / 2 ** 32) * 2 - 1) * scale);
}

function modelBytes(rng: Rng): Uint8Array {
  return writeOnnx({
    inputs: [{ name: 'ids', dims: [BATCH, SEQ], dtype: 'int64' }],
    outputs: [{ name: 'y', dims: [9, 4] }],
    initializers: [
      { name: 'tableA', dims: [VOCAB, DIM], data: randomFloats(rng, VOCAB * DIM, 0.5) },
      { name: 'tableB', dims: [VOCAB, DIM], data: randomFloats(rng, VOCAB * DIM, 2) },
      { name: 'pick', dims: [3], data: new BigInt64Array([0n, 3n, -1n]) },
      { name: 'pad', dims: [BATCH, 2 * DIM, 1], data: randomFloats(rng, BATCH * 2 * DIM, 1) },
      { name: 'w', dims: [2 * BATCH * DIM, 4], data: randomFloats(rng, 2 * BATCH * DIM * 4, 0.3) },
    ],
    nodes: [
      { op: 'Gather', name: 'embedA', inputs: ['tableA', 'ids'], outputs: ['ea'] }, // [2,5,6]
      { op: 'Gather', name: 'embedB', inputs: ['tableB', 'ids'], outputs: ['eb'] }, // [2,5,6]
      { op: 'Concat', name: 'joinAB', inputs: ['ea', 'eb'], outputs: ['e'], attrs: { axis: { int: -1 } } }, // [2,5,12], two scales
      { op: 'Transpose', name: 'swap', inputs: ['e'], outputs: ['t'], attrs: { perm: { ints: [0, 2, 1] } } }, // [2,12,5]
      { op: 'Gather', name: 'pickCols', inputs: ['t', 'pick'], outputs: ['g'], attrs: { axis: { int: 2 } } }, // [2,12,3]
      { op: 'Concat', name: 'joinTG', inputs: ['t', 'g'], outputs: ['c'], attrs: { axis: { int: 2 } } }, // [2,12,8], shared scale
      { op: 'Concat', name: 'joinPad', inputs: ['c', 'pad'], outputs: ['c2'], attrs: { axis: { int: 2 } } }, // [2,12,9], a constant part
      { op: 'Transpose', name: 'front', inputs: ['c2'], outputs: ['f'], attrs: { perm: { ints: [2, 0, 1] } } }, // [9,2,12]
      { op: 'Flatten', name: 'flat', inputs: ['f'], outputs: ['f2'], attrs: { axis: { int: 1 } } }, // [9,24]
      { op: 'MatMul', name: 'proj', inputs: ['f2', 'w'], outputs: ['y'] }, // [9,4]
    ],
  });
}

const ids = (rng: Rng): IntTensor => ({ dims: [BATCH, SEQ], data: Int32Array.from({ length: BATCH * SEQ }, () => rng.int(0, VOCAB - 1)) });

describe('layout ops through the integer pipeline', () => {
  const rng = new Rng(57);
  const graph = loadOnnx(modelBytes(rng));
  const int = quantize(graph, Array.from({ length: 64 }, () => ({ ids: ids(rng) })));
  const tensorOf = (node: string) => int.nodes.find((n) => n.name === node)!.output;

  it('maps each op to its kernel; token ids stay an int input at scale 1', () => {
    expect(int.nodes.map((n) => n.op)).toEqual(['gather', 'gather', 'concat', 'transpose', 'gather', 'concat', 'concat', 'transpose', 'copy', 'matmul']);
    const input = int.tensors[int.inputs[0]];
    expect(input).toMatchObject({ name: 'ids', dims: [BATCH, SEQ], kind: 'input', scale: 1 });
    expect(quantizeInput(Int32Array.from([3, 15, 0]), 1, true)).toEqual(Int32Array.from([3, 15, 0]));
    // Tables are per-tensor int8 weights; the gathers output at the table's scale.
    const tableA = int.nodes[0].inputs[0];
    expect(int.tensors[tableA].kind).toBe('weight');
    expect(int.tensors[tensorOf('embedA')].scale).toBe(int.tensors[tableA].scale);
    // Different scales: rescaled to int8; shared scale: a plain move (identity pairs, no clamp).
    expect(int.nodes[2].attrs).toMatchObject({ lo: -128, hi: 127 });
    expect(int.nodes[5].attrs).toMatchObject({ mults: [2 ** 30, 2 ** 30], shifts: [30, 30], lo: INT32_MIN, hi: INT32_MAX });
    expect(int.tensors[tensorOf('joinTG')].scale).toBe(int.tensors[tensorOf('swap')].scale);
  });

  it('tracks the float reference at every node (error relative to the value range)', () => {
    // name of the float value each int node stands for
    const floatOf: Record<string, string> = { embedA: 'ea', embedB: 'eb', joinAB: 'e', swap: 't', pickCols: 'g', joinTG: 'c', joinPad: 'c2', front: 'f', flat: 'f2', proj: 'y' };
    const worst: Record<string, number> = {};
    const mean: Record<string, number> = {};
    const TRIALS = 20;
    for (let trial = 0; trial < TRIALS; trial++) {
      const feed = ids(rng);
      const float = evaluate(graph, { ids: feed }).values;
      const run = runGraph(int, [quantizeInput(feed.data, 1, true)]);
      for (const [node, value] of Object.entries(floatOf)) {
        const t = tensorOf(node);
        const got = dequantize(run.values.get(t)!, int.tensors[t].scale);
        const want = float.get(value)!.data as Float32Array;
        let range = 0;
        for (const v of want) range = Math.max(range, Math.abs(v));
        let sum = 0;
        for (let i = 0; i < want.length; i++) {
          const e = Math.abs(got[i] - want[i]) / range;
          worst[node] = Math.max(worst[node] ?? 0, e);
          sum += e;
        }
        mean[node] = (mean[node] ?? 0) + sum / want.length / TRIALS;
      }
    }
    // Pure moves of a per-tensor int8 table: at most half a step (0.5/127 of the table's range).
    for (const node of ['embedA', 'embedB', 'swap', 'pickCols', 'joinTG', 'front', 'flat']) {
      expect(worst[node], node).toBeLessThan(0.5 / 127 * 2.2);
    }
    // A rescaling concat adds at most half a step of the output scale.
    expect(worst.joinAB).toBeLessThan(0.01);
    expect(worst.joinPad).toBeLessThan(0.01);
    // The projection: int8 activations × per-column int8 weights, requantized (measured ≈ 0.004 mean, 0.016 worst).
    expect(mean.proj).toBeLessThan(0.01);
    expect(worst.proj).toBeLessThan(0.04);
  });

  it('commits to the run: each node reproduced in the VM, out-of-range token ids clamped', () => {
    const feed = Int32Array.from([0, 15, 16, -1, -17, INT32_MAX, INT32_MIN, 7, 99, -16]);
    const run = runGraph(int, [feed]);
    int.nodes.forEach((node, i) => {
      const inputs = node.inputs.map((t) => run.values.get(t) ?? int.weights.get(t)!);
      const vm = runLowered(lowerNode(int, i), inputs);
      expect(vm.outputRoot, node.name).toBe(run.roots.get(node.output));
    });
    // idx(t) = clamp(t + (t < 0)·16, 0, 15)
    const rows = [0, 15, 15, 15, 0, 15, 0, 7, 15, 0];
    const table = int.weights.get(int.nodes[0].inputs[0])!;
    const ea = run.values.get(tensorOf('embedA'))!;
    rows.forEach((r, k) => expect(Array.from(ea.subarray(k * DIM, (k + 1) * DIM)), `id ${feed[k]}`).toEqual(Array.from(table.subarray(r * DIM, (r + 1) * DIM))));
  });
});

describe('layout kernels: exact semantics', () => {
  const node = <K extends 'Transpose' | 'Concat' | 'Gather'>(op: K, attrs: NodeOf<K>['attrs']) => ({ name: op, op, inputs: [], outputs: [], attrs }) as unknown as NodeOf<K>;
  const asFloat = (dims: number[], words: Int32Array): FloatTensor => ({ dims, data: Float32Array.from(words) });

  it('gather index rule', () => {
    const cases: [number, number, number][] = [
      [0, 5, 0], [4, 5, 4], [5, 5, 4], [-1, 5, 4], [-5, 5, 0], [-6, 5, 0], [INT32_MAX, 5, 4], [INT32_MIN, 5, 0], [0, 1, 0], [-1, 1, 0], [3, 1, 0],
    ];
    for (const [t, len, want] of cases) expect(gatherIndex(t, len), `idx(${t}) of ${len}`).toBe(want);
  });

  it('transpose: every perm of a rank-5 tensor equals the float reference, in the VM too', () => {
    const dims = [2, 3, 1, 2, 4];
    const x = Int32Array.from({ length: elementCount(dims) }, (_, i) => i * 3 - 50);
    const perms: number[][] = [];
    const permute = (prefix: number[], rest: number[]): void => {
      if (rest.length === 0) perms.push(prefix);
      rest.forEach((r, i) => permute([...prefix, r], [...rest.slice(0, i), ...rest.slice(i + 1)]));
    };
    permute([], [0, 1, 2, 3, 4]);
    expect(perms).toHaveLength(120);
    for (const perm of perms) {
      const outDims = transpose.outputDims({ perm }, [dims]);
      const call = { attrs: { perm }, inputDims: [dims], outDims };
      const y = transpose.execute(call, [x]);
      expect(Array.from(y), `perm ${perm}`).toEqual(Array.from(floatTranspose(node('Transpose', { perm }), [asFloat(dims, x)], outDims).data));
      const vm = runLowered(lowerCall('transpose', call), [x]);
      expect(vm.outputRoot, `perm ${perm}`).toBe(tensorRoot(y));
    }
  });

  it('concat with identity pairs and gather with in-range indices equal the float reference', () => {
    const rng = new Rng(5);
    for (let axis = 0; axis < 3; axis++) {
      const dims = [[2, 3, 4], [2, 3, 4]].map((d, i) => d.map((v, a) => (a === axis ? v + i : v)));
      const xs = dims.map((d) => Int32Array.from({ length: elementCount(d) }, () => rng.int(-128, 127)));
      const attrs = { axis, mults: [2 ** 30, 2 ** 30], shifts: [30, 30], lo: INT32_MIN, hi: INT32_MAX };
      const outDims = concat.outputDims(attrs, dims);
      const y = concat.execute({ attrs, inputDims: dims, outDims }, xs);
      expect(Array.from(y)).toEqual(Array.from(floatConcat(node('Concat', { axis }), xs.map((x, i) => asFloat(dims[i], x)), outDims).data));

      const data = [3, 4, 5];
      const table = Int32Array.from({ length: 60 }, () => rng.int(-128, 127));
      const idx: IntTensor = { dims: [2, 2], data: Int32Array.from({ length: 4 }, () => rng.int(-data[axis], data[axis] - 1)) };
      const gDims = gather.outputDims({ axis }, [data, idx.dims]);
      const g = gather.execute({ attrs: { axis }, inputDims: [data, idx.dims], outDims: gDims }, [table, idx.data]);
      expect(Array.from(g)).toEqual(Array.from(floatGather(node('Gather', { axis }), [asFloat(data, table), idx], gDims).data));
    }
  });
});
