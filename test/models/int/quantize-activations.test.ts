/**
 * Issue-9 op families through the integer pipeline: each small model is built in memory, loaded, calibrated,
 * quantized, run by the CPU executor and compared with the float evaluator; every node is lowered to the VM and
 * must reproduce the executor's output root.
 *
 * Errors are in output steps (the output's scale; the float reference clipped to the output's word range, since
 * int8 saturates outside the calibrated range by design):
 * - kernel error (single-op graphs): the integer output vs the float op on the *dequantized* input. A lookup
 *   table is the float op on the 256 dequantized words, rounded once: ≤ 0.5 step (0.52 with float32 noise);
 *   clamp and max are exact on the words: 0.
 * - end to end vs the float op on the original input: the kernel error plus the input's rounding (s_x/2)
 *   carried through the op: ≤ 0.52 + L·s_x/(2·s_y), with L the op's largest slope over the input range,
 *   measured by finite differences of the float evaluator on a fine grid (a jump, ThresholdedRelu's, has no
 *   slope bound: kernel error only).
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../models/float/evaluate.ts';
import type { FloatGraph, FloatTensor } from '../../../models/graph.ts';
import { runGraph } from '../../../models/int/execute.ts';
import type { IntGraph } from '../../../models/int/graph.ts';
import { lowerNode, runLowered } from '../../../models/int/vmNode.ts';
import { loadOnnx } from '../../../models/onnx/load.ts';
import { writeOnnx, type WriterAttr, type WriterNode, type WriterTensor } from '../../../models/onnx/writer.ts';
import { dequantize, quantize, quantizeInput } from '../../../models/quantize/quantize.ts';
import { Rng } from '../../support/rng.ts';

const uniform = (rng: Rng, n: number, lo: number, hi: number) => Float32Array.from({ length: n }, () => lo + (rng.u32() / 2 ** 32) * (hi - lo));
const count = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

export interface Built {
  graph: FloatGraph;
  int: IntGraph;
  dims: number[];
  sample: () => FloatTensor;
}

export function build(seed: number, dims: number[], nodes: WriterNode[], inits: WriterTensor[] = [], range: [number, number] = [-4, 4], opset = 21): Built {
  const rng = new Rng(seed);
  const graph = loadOnnx(writeOnnx({ opset, inputs: [{ name: 'x', dims }], outputs: [{ name: 'y' }], nodes, initializers: inits }));
  const sample = (): FloatTensor => ({ dims, data: uniform(rng, count(dims), range[0], range[1]) });
  const int = quantize(graph, Array.from({ length: 32 }, () => ({ x: sample() })));
  return { graph, int, dims, sample };
}

interface Measured {
  mean: number;
  max: number;
  kernel: number;
}

/** End-to-end mean/max and kernel error over 8 fresh inputs, in output steps; every node's VM root checked once. */
export function measure(c: Built): Measured {
  const inScale = c.int.tensors[c.int.inputs[0]].scale;
  const outScale = c.int.tensors[c.int.outputs[0]].scale;
  const clip = (v: number) => Math.max(-128 * outScale, Math.min(127 * outScale, v));
  let sum = 0;
  let max = 0;
  let kernel = 0;
  let n = 0;
  for (let t = 0; t < 8; t++) {
    const x = c.sample();
    const words = quantizeInput(x.data, inScale, false);
    const run = runGraph(c.int, [words]);
    const y = dequantize(run.outputs[0], outScale);
    const float = evaluate(c.graph, { x }).outputs[0].data;
    const ideal = evaluate(c.graph, { x: { dims: c.dims, data: dequantize(words, inScale) } }).outputs[0].data;
    for (let i = 0; i < y.length; i++) {
      const e = Math.abs(y[i] - clip(float[i])) / outScale;
      sum += e;
      max = Math.max(max, e);
      kernel = Math.max(kernel, Math.abs(y[i] - clip(ideal[i])) / outScale);
      n++;
    }
    if (t === 0) {
      c.int.nodes.forEach((node, i) => {
        const inputs = node.inputs.map((id) => run.values.get(id) ?? c.int.weights.get(id)!);
        expect(runLowered(lowerNode(c.int, i), inputs).outputRoot, `VM root of ${node.name}`).toBe(run.roots.get(node.output));
      });
    }
  }
  return { mean: sum / n, max, kernel };
}

/** The largest |Δy/Δx| of a one-input elementwise graph over [lo, hi], on a grid of 4096 points. */
function slope(graph: FloatGraph, dims: number[], lo: number, hi: number): number {
  const n = count(dims);
  const h = (hi - lo) / (n - 1);
  const grid = Float32Array.from({ length: n }, (_, i) => lo + i * h);
  const y = evaluate(graph, { x: { dims, data: grid } }).outputs[0].data;
  let l = 0;
  for (let i = 1; i < n; i++) l = Math.max(l, Math.abs(y[i] - y[i - 1]) / (grid[i] - grid[i - 1]));
  return l;
}

const f = (v: number): WriterAttr => ({ float: v });
const unary = (op: string, attrs?: Record<string, WriterAttr>): WriterNode[] => [{ op, name: op.toLowerCase(), inputs: ['x'], outputs: ['y'], attrs }];

interface LutCase {
  op: string;
  attrs?: Record<string, WriterAttr>;
  range?: [number, number];
  opset?: number;
  /** no slope bound (a jump): kernel error only */
  jump?: boolean;
}

const LUT_CASES: LutCase[] = [
  { op: 'LeakyRelu' },
  { op: 'LeakyRelu', attrs: { alpha: f(0.3) } },
  { op: 'Elu' },
  { op: 'Selu' },
  { op: 'Celu', attrs: { alpha: f(2) } },
  { op: 'ThresholdedRelu', jump: true },
  { op: 'HardSwish' },
  { op: 'Softplus' },
  { op: 'Softsign' },
  { op: 'Exp', range: [-3, 2] },
  { op: 'Log', range: [0.05, 4] },
  { op: 'Neg' },
  { op: 'Abs' },
  { op: 'Reciprocal', range: [0.5, 4] },
  { op: 'Mish' },
  { op: 'Swish', opset: 24 },
  { op: 'Swish', opset: 24, attrs: { alpha: f(1.702) } },
  { op: 'Sin' },
  { op: 'Cos' },
  { op: 'Tan', range: [-1.3, 1.3] },
  { op: 'Asin', range: [-1, 1] },
  { op: 'Acos', range: [-1, 1] },
  { op: 'Atan' },
  { op: 'Sinh', range: [-3, 3] },
  { op: 'Cosh', range: [-3, 3] },
  { op: 'Asinh' },
  { op: 'Acosh', range: [1.1, 5] }, // every input word ≥ 1 (below, the float op is NaN and the table 0)
  { op: 'Atanh', range: [-0.95, 0.95] },
  { op: 'Sign', jump: true },
  { op: 'Floor', jump: true },
  { op: 'Ceil', jump: true },
  { op: 'Round', jump: true },
];

const GRID = [4, 1024];

describe('lookup-table activations: quantized vs float, VM vs executor', () => {
  LUT_CASES.forEach((c, i) => {
    const label = `${c.op}${c.attrs ? ` ${JSON.stringify(Object.fromEntries(Object.entries(c.attrs).map(([k, v]) => [k, (v as { float: number }).float])))}` : ''}`;
    it(label, () => {
      const range = c.range ?? [-4, 4];
      const b = build(200 + i, GRID, unary(c.op, c.attrs), [], range, c.opset);
      expect(b.int.nodes.map((n) => n.op)).toEqual(['lut']);
      const e = measure(b);
      const sx = b.int.tensors[b.int.inputs[0]].scale;
      const sy = b.int.tensors[b.int.outputs[0]].scale;
      const bound = 0.52 + (slope(b.graph, GRID, range[0], range[1]) * sx) / (2 * sy);
      if (process.env.SHOW_ERRORS) console.log(`${label}: kernel ${e.kernel.toFixed(3)} end-to-end ${e.max.toFixed(3)} (bound ${bound.toFixed(2)}) mean ${e.mean.toFixed(3)}`);
      expect(e.kernel, 'kernel error (steps)').toBeLessThanOrEqual(0.52);
      if (!c.jump) expect(e.max, 'end-to-end error (steps)').toBeLessThanOrEqual(bound);
    });
  });
});

const scalar = (name: string, v: number): WriterTensor => ({ name, dims: [], data: Float32Array.of(v) });

describe('Clip: alone a clamp at the input scale, after Conv/Gemm/BN folded into the producer', () => {
  it('Clip alone is a clamp at the input scale with the rounded bounds (exact on the words)', () => {
    const b = build(1, [2, 3, 4, 5], [{ op: 'Clip', name: 'clip', inputs: ['x', 'lo', 'hi'], outputs: ['y'] }], [scalar('lo', -1), scalar('hi', 1.5)]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['clamp']);
    const s = b.int.tensors[b.int.inputs[0]].scale;
    expect(b.int.nodes[0].attrs).toEqual({ lo: Math.round(-1 / s), hi: Math.round(1.5 / s) });
    const e = measure(b);
    if (process.env.SHOW_ERRORS) console.log(`Clip alone: kernel ${e.kernel.toFixed(3)} end-to-end ${e.max.toFixed(3)}`);
    // the bound rounds to the nearest word: ≤ half an input step from the real bound (output scale = input scale)
    expect(e.kernel).toBeLessThanOrEqual(0.5);
    expect(e.max).toBeLessThanOrEqual(0.52);
  });
});

const weights = (rng: Rng, name: string, dims: number[], lo = -1, hi = 1): WriterTensor => ({ name, dims, data: uniform(rng, count(dims), lo, hi) });
const attrsOf = (b: Built, op: string) => b.int.nodes.find((n) => n.op === op)!.attrs as { lo: number; hi: number };

/*
 * Window and product ops: many taps' roundings mostly cancel; as test/models/int/quantize-window.test.ts, a mean
 * below 0.6 and a worst below 3 output steps. The input's rounding reaches the output as Σ|w|·s_x/(2·s_y), so
 * the inputs are drawn with a range that keeps s_x/s_y near 1 (a Clip's output scale is its bound / 127).
 */
const MEAN = 0.6;
const MAX = 3;

describe('ReLU6 and other Clips folded into the producer', () => {
  const conv = (rng: Rng) => [weights(rng, 'w', [8, 3, 3, 3]), weights(rng, 'b', [8], -0.5, 0.5)];
  it('Conv → Clip(0, 6) is one conv2d with lo = 0 and hi at 6 on the output scale', () => {
    const rng = new Rng(11);
    const b = build(11, [1, 3, 9, 9], [
      { op: 'Conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { pads: { ints: [1, 1, 1, 1] } } },
      { op: 'Clip', name: 'relu6', inputs: ['c', 'zero', 'six'], outputs: ['y'] },
    ], [...conv(rng), scalar('zero', 0), scalar('six', 6)], [-4, 4]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['conv2d']);
    const s = b.int.tensors[b.int.outputs[0]].scale;
    expect(attrsOf(b, 'conv2d')).toMatchObject({ lo: 0, hi: Math.min(127, Math.round(6 / s)) });
    const e = measure(b);
    if (process.env.SHOW_ERRORS) console.log(`Conv→ReLU6: mean ${e.mean.toFixed(3)} max ${e.max.toFixed(3)}`);
    expect(e.mean).toBeLessThan(MEAN);
    expect(e.max).toBeLessThan(MAX);
  });

  it('Conv → BatchNormalization → Clip(0, 6) is one conv2d', () => {
    const rng = new Rng(12);
    const bn = [weights(rng, 'g', [8], 0.5, 1.5), weights(rng, 'beta', [8], -0.5, 0.5), weights(rng, 'mu', [8], -0.5, 0.5), weights(rng, 'var', [8], 0.5, 2)];
    const b = build(12, [1, 3, 9, 9], [
      { op: 'Conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['c'] },
      { op: 'BatchNormalization', name: 'bn', inputs: ['c', 'g', 'beta', 'mu', 'var'], outputs: ['n'] },
      { op: 'Clip', name: 'relu6', inputs: ['n', 'zero', 'six'], outputs: ['y'] },
    ], [...conv(rng), ...bn, scalar('zero', 0), scalar('six', 6)], [-1, 1]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['conv2d']);
    expect(attrsOf(b, 'conv2d').lo).toBe(0);
    const e = measure(b);
    if (process.env.SHOW_ERRORS) console.log(`Conv→BN→ReLU6: mean ${e.mean.toFixed(3)} max ${e.max.toFixed(3)}`);
    expect(e.mean).toBeLessThan(MEAN);
    expect(e.max).toBeLessThan(MAX);
  });

  it('Gemm → Clip(-1, 0.5) is one matmul whose clamp is the bounds on the output scale', () => {
    const rng = new Rng(13);
    const b = build(13, [3, 16], [
      { op: 'Gemm', name: 'fc', inputs: ['x', 'w', 'c'], outputs: ['g'], attrs: { transB: { int: 1 } } },
      { op: 'Clip', name: 'clip', inputs: ['g', 'lo', 'hi'], outputs: ['y'] },
    ], [weights(rng, 'w', [8, 16]), weights(rng, 'c', [8]), scalar('lo', -1), scalar('hi', 0.5)], [-1, 1]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['matmul']);
    const s = b.int.tensors[b.int.outputs[0]].scale;
    expect(attrsOf(b, 'matmul')).toMatchObject({ lo: Math.round(-1 / s), hi: Math.round(0.5 / s) });
    const e = measure(b);
    if (process.env.SHOW_ERRORS) console.log(`Gemm→Clip: mean ${e.mean.toFixed(3)} max ${e.max.toFixed(3)}`);
    expect(e.mean).toBeLessThan(MEAN);
    expect(e.max).toBeLessThan(MAX);
  });

  it('MatMul → Add bias → Clip(0, 6) and BatchNormalization → Clip(0, 6) fold too', () => {
    const rng = new Rng(14);
    const mm = build(14, [2, 16], [
      { op: 'MatMul', name: 'mm', inputs: ['x', 'w'], outputs: ['m'] },
      { op: 'Add', name: 'bias', inputs: ['m', 'c'], outputs: ['a'] },
      { op: 'Clip', name: 'relu6', inputs: ['a', 'zero', 'six'], outputs: ['y'] },
    ], [weights(rng, 'w', [16, 8]), weights(rng, 'c', [8]), scalar('zero', 0), scalar('six', 6)], [-3, 3]);
    expect(mm.int.nodes.map((n) => n.op)).toEqual(['matmul']);
    expect(attrsOf(mm, 'matmul').lo).toBe(0);
    const bn = build(15, [1, 4, 5, 5], [
      { op: 'BatchNormalization', name: 'bn', inputs: ['x', 'g', 'beta', 'mu', 'var'], outputs: ['n'] },
      { op: 'Clip', name: 'relu6', inputs: ['n', 'zero', 'six'], outputs: ['y'] },
    ], [weights(rng, 'g', [4], 1, 3), weights(rng, 'beta', [4], -1, 1), weights(rng, 'mu', [4], -0.5, 0.5), weights(rng, 'var', [4], 0.5, 2), scalar('zero', 0), scalar('six', 6)], [-4, 4]);
    expect(bn.int.nodes.map((n) => n.op)).toEqual(['channelAffine']);
    expect(attrsOf(bn, 'channelAffine').lo).toBe(0);
    for (const [label, b] of [['MatMul→Add→ReLU6', mm], ['BN→ReLU6', bn]] as const) {
      const e = measure(b);
      if (process.env.SHOW_ERRORS) console.log(`${label}: mean ${e.mean.toFixed(3)} max ${e.max.toFixed(3)}`);
      expect(e.mean).toBeLessThan(MEAN);
      expect(e.max).toBeLessThan(MAX);
    }
  });
});

describe('ReduceSum, ceil-mode pools, 1-D windows', () => {
  it('ReduceSum (axes [1], keepdims) is a reducemean with the sum multiplier', () => {
    const b = build(21, [2, 6, 5], [{ op: 'ReduceSum', name: 'sum', inputs: ['x', 'axes'], outputs: ['y'] }], [{ name: 'axes', dims: [1], data: Int32Array.of(1) }], [-1, 1]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['reducemean']);
    const e = measure(b);
    const sx = b.int.tensors[b.int.inputs[0]].scale;
    const sy = b.int.tensors[b.int.outputs[0]].scale;
    // six input roundings of s_x/2 each, plus the output rounding
    const bound = 0.52 + (6 * sx) / (2 * sy);
    if (process.env.SHOW_ERRORS) console.log(`ReduceSum: kernel ${e.kernel.toFixed(3)} max ${e.max.toFixed(3)} (bound ${bound.toFixed(2)})`);
    expect(e.kernel).toBeLessThanOrEqual(0.52);
    expect(e.max).toBeLessThanOrEqual(bound);
  });

  it('the ReduceSum family (SumSquare, L1, L2, LogSum, LogSumExp) runs as lut/binary → reducemean → lut, VM = executor', () => {
    const axes = { name: 'axes', dims: [1], data: Int32Array.of(2) };
    const cases: [string, [number, number], string[]][] = [
      ['ReduceSumSquare', [-2, 2], ['binary', 'reducemean']],
      ['ReduceL1', [-2, 2], ['lut', 'reducemean']],
      ['ReduceL2', [-2, 2], ['binary', 'reducemean', 'sqrt']],
      ['ReduceLogSum', [0.2, 2], ['reducemean', 'lut']],
      ['ReduceLogSumExp', [-2, 2], ['lut', 'reducemean', 'lut']],
    ];
    for (const [op, range, ops] of cases) {
      const b = build(61, [2, 3, 8], [{ op, name: 'r', inputs: ['x', 'axes'], outputs: ['y'] }], [axes], range);
      expect(b.int.nodes.map((n) => n.op), op).toEqual(ops);
      const e = measure(b);
      if (process.env.SHOW_ERRORS) console.log(`${op}: mean ${e.mean.toFixed(3)} max ${e.max.toFixed(3)} steps`);
      // measured mean 0.23–0.31, max 0.57–1.12 output steps (eight rounded terms, then one or two roundings)
      expect(e.mean, op).toBeLessThan(0.6);
      expect(e.max, op).toBeLessThan(2);
    }
  });

  it('MaxPool and AveragePool (count_include_pad=0) with ceil_mode=1 are exact on the words / within a step', () => {
    const mp = build(22, [1, 2, 7, 8], [{ op: 'MaxPool', name: 'mp', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { int: 1 } } }]);
    expect(mp.int.nodes.map((n) => n.op)).toEqual(['maxpool2d']);
    expect(mp.int.tensors[mp.int.outputs[0]].dims).toEqual([1, 2, 3, 4]); // W: ⌈(8 − 3)/2⌉ + 1 = 4 (3 without ceil)
    const ap = build(23, [1, 2, 7, 8], [{ op: 'AveragePool', name: 'ap', inputs: ['x'], outputs: ['y'], attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 0, 0, 1] }, ceil_mode: { int: 1 } } }]);
    expect(ap.int.nodes.map((n) => n.op)).toEqual(['avgpool2d']);
    const em = measure(mp);
    const ea = measure(ap);
    if (process.env.SHOW_ERRORS) console.log(`MaxPool ceil: kernel ${em.kernel} max ${em.max.toFixed(3)}; AveragePool ceil: kernel ${ea.kernel.toFixed(3)} max ${ea.max.toFixed(3)}`);
    expect(em.kernel).toBe(0); // max of the words at the input's scale
    expect(em.max).toBeLessThanOrEqual(0.5);
    expect(ea.kernel).toBeLessThanOrEqual(0.52);
    expect(ea.mean).toBeLessThan(MEAN);
    expect(ea.max).toBeLessThan(MAX);
  });

  it('1-D Conv → Clip(0, 6) → 1-D MaxPool → 1-D AveragePool → GlobalAveragePool run as 2-D kernels between copies', () => {
    const rng = new Rng(24);
    const b = build(24, [2, 4, 16], [
      { op: 'Conv', name: 'conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { pads: { ints: [1, 1] }, strides: { ints: [1] } } },
      { op: 'Clip', name: 'relu6', inputs: ['c', 'zero', 'six'], outputs: ['r'] },
      { op: 'MaxPool', name: 'mp', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: { ints: [3] }, strides: { ints: [2] }, ceil_mode: { int: 1 } } },
      { op: 'AveragePool', name: 'ap', inputs: ['p'], outputs: ['a'], attrs: { kernel_shape: { ints: [2] }, pads: { ints: [0, 1] } } },
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['a'], outputs: ['y'] },
    ], [weights(rng, 'w', [6, 4, 3]), weights(rng, 'b', [6], -0.3, 0.3), scalar('zero', 0), scalar('six', 6)], [-2, 2]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['copy', 'conv2d', 'copy', 'copy', 'maxpool2d', 'copy', 'copy', 'avgpool2d', 'copy', 'copy', 'avgpool2d', 'copy']);
    expect(b.int.tensors[b.int.outputs[0]].dims).toEqual(b.graph.values.get('y')!.dims);
    const e = measure(b);
    if (process.env.SHOW_ERRORS) console.log(`1-D chain: mean ${e.mean.toFixed(3)} max ${e.max.toFixed(3)}`);
    expect(e.mean).toBeLessThan(MEAN);
    expect(e.max).toBeLessThan(MAX);
  });
});

const vec = (name: string, dims: number[], values: number[]): WriterTensor => ({ name, dims, data: Float32Array.from(values) });
const axes = (v: number[]): WriterTensor => ({ name: 'axes', dims: [v.length], data: Int32Array.from(v) });

/**
 * Expanded families in small graphs. Bounds in output steps s_y, from the chain's roundings: every int8 value
 * v on the way adds s_v/2 carried to the output with slope ≤ 1 (max, min, relu, sums), plus the output's own
 * 0.5; `bound` sums them from the quantized graph's actual scales.
 */
function chainBound(b: Built, values: (number | 'x')[]): number {
  // 'x': the graph input; k: the output of integer node k
  const scaleOf = (v: number | 'x') => b.int.tensors[v === 'x' ? b.int.inputs[0] : b.int.nodes[v].output].scale;
  const sy = b.int.tensors[b.int.outputs[0]].scale;
  return 0.52 + values.reduce((s: number, v) => s + scaleOf(v) / (2 * sy), 0);
}

describe('expanded families: quantized vs float, VM vs executor', () => {
  const mulC = { op: 'Mul', name: 'scale', inputs: ['x', 'c'], outputs: ['b'] };
  const C = vec('c', [5], [1, -1, 0.5, 2, 1]); // c = 1: equal operands (ties)

  it('Max(x, x·c): Sub → Relu → Add', () => {
    const b = build(31, [2, 3, 4, 5], [mulC, { op: 'Max', name: 'max', inputs: ['x', 'b'], outputs: ['y'] }], [C], [-2, 2]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['binary', 'binary', 'clamp', 'binary']);
    const e = measure(b);
    // x (slope ≤ 1 + 2 through x and x·c), b = x·c (node 0), b − x (node 1, slope 1 through relu and add)
    const bound = chainBound(b, ['x', 'x', 'x', 0, 1]);
    if (process.env.SHOW_ERRORS) console.log(`Max: max ${e.max.toFixed(3)} (bound ${bound.toFixed(2)}) mean ${e.mean.toFixed(3)}`);
    expect(e.max).toBeLessThanOrEqual(bound);
  });

  it('Min(x, x·c): Sub → Relu → Sub', () => {
    const b = build(32, [2, 3, 4, 5], [mulC, { op: 'Min', name: 'min', inputs: ['x', 'b'], outputs: ['y'] }], [C], [-2, 2]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['binary', 'binary', 'clamp', 'binary']);
    const e = measure(b);
    const bound = chainBound(b, ['x', 'x', 'x', 0, 1]);
    if (process.env.SHOW_ERRORS) console.log(`Min: max ${e.max.toFixed(3)} (bound ${bound.toFixed(2)}) mean ${e.mean.toFixed(3)}`);
    expect(e.max).toBeLessThanOrEqual(bound);
  });

  it('Min(Max(x, 0), 6) (ReLU6 written with Max/Min) is two clamps, exact on the words', () => {
    const b = build(33, [2, 3, 4, 5], [
      { op: 'Max', name: 'lo', inputs: ['x', 'zero'], outputs: ['m'] },
      { op: 'Min', name: 'hi', inputs: ['m', 'six'], outputs: ['y'] },
    ], [scalar('zero', 0), scalar('six', 6)], [-8, 8]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['clamp', 'clamp']);
    const e = measure(b);
    if (process.env.SHOW_ERRORS) console.log(`ReLU6 via Max/Min: kernel ${e.kernel.toFixed(3)} max ${e.max.toFixed(3)}`);
    expect(e.kernel).toBeLessThanOrEqual(0.5); // 6 rounds to the nearest word of the input scale
    expect(e.max).toBeLessThanOrEqual(0.52);
  });

  it('Sum and Mean of x, x·c and a constant: Add chains (Mean then × 1/3)', () => {
    for (const op of ['Sum', 'Mean']) {
      const b = build(34, [2, 3, 4, 5], [mulC, { op, name: op.toLowerCase(), inputs: ['x', 'b', 'k'], outputs: ['y'] }], [C, vec('k', [5], [0.5, -0.5, 0, 1, 2])], [-2, 2]);
      expect(b.int.nodes.map((n) => n.op)).toEqual(op === 'Sum' ? ['binary', 'binary', 'binary'] : ['binary', 'binary', 'binary', 'binary']);
      const e = measure(b);
      // x enters twice (slope 1 + |c| ≤ 3 over 3 for Mean), x·c once; each intermediate is rounded on a 16-bit grid (≈ 0)
      const div = op === 'Mean' ? 3 : 1;
      const sx = b.int.tensors[b.int.inputs[0]].scale;
      const sb = b.int.tensors[b.int.nodes[0].output].scale;
      const bound = 0.52 + ((3 * sx) / 2 + sb / 2) / (div * b.int.tensors[b.int.outputs[0]].scale) + 0.05;
      if (process.env.SHOW_ERRORS) console.log(`${op}: max ${e.max.toFixed(3)} (bound ${bound.toFixed(2)}) mean ${e.mean.toFixed(3)}`);
      expect(e.max).toBeLessThanOrEqual(bound);
    }
  });

  it('Conv → PRelu (per-channel) and Conv → PRelu (one slope = LeakyRelu)', () => {
    const rng = new Rng(35);
    const w = [weights(rng, 'w', [4, 3, 3, 3]), weights(rng, 'bias', [4], -0.3, 0.3)];
    const per = build(35, [1, 3, 8, 8], [
      { op: 'Conv', name: 'conv', inputs: ['x', 'w', 'bias'], outputs: ['c'] },
      { op: 'PRelu', name: 'prelu', inputs: ['c', 'slope'], outputs: ['y'] },
    ], [...w, vec('slope', [4, 1, 1], [0.1, 0.25, -0.5, 0])], [-1, 1]);
    expect(per.int.nodes.map((n) => n.op)).toEqual(['conv2d', 'clamp', 'binary', 'binary', 'binary']);
    const one = build(36, [1, 3, 8, 8], [
      { op: 'Conv', name: 'conv', inputs: ['x', 'w', 'bias'], outputs: ['c'] },
      { op: 'PRelu', name: 'prelu', inputs: ['c', 'slope'], outputs: ['y'] },
    ], [...w, vec('slope', [1], [0.2])], [-1, 1]);
    expect(one.int.nodes.map((n) => n.op)).toEqual(['conv2d', 'lut']);
    for (const [label, b] of [['Conv→PRelu per-channel', per], ['Conv→PRelu scalar', one]] as const) {
      const e = measure(b);
      if (process.env.SHOW_ERRORS) console.log(`${label}: mean ${e.mean.toFixed(3)} max ${e.max.toFixed(3)}`);
      expect(e.mean).toBeLessThan(MEAN);
      expect(e.max).toBeLessThan(MAX);
    }
  });

  it('ReduceMax / ReduceMin (keepdims both ways) and GlobalMaxPool: max on the words, exact', () => {
    const cases: [string, WriterNode[], WriterTensor[], string[]][] = [
      ['ReduceMax [1]', [{ op: 'ReduceMax', name: 'rmax', inputs: ['x', 'axes'], outputs: ['y'] }], [axes([1])], ['transpose', 'copy', 'maxpool2d', 'copy']],
      ['ReduceMax [-1] no keepdims', [{ op: 'ReduceMax', name: 'rmax', inputs: ['x', 'axes'], outputs: ['y'], attrs: { keepdims: { int: 0 } } }], [axes([-1])], ['copy', 'maxpool2d', 'copy']],
      ['ReduceMin [0, 2]', [{ op: 'ReduceMin', name: 'rmin', inputs: ['x', 'axes'], outputs: ['y'] }], [axes([0, 2])], ['lut', 'transpose', 'copy', 'maxpool2d', 'copy', 'lut']],
      ['GlobalMaxPool', [{ op: 'GlobalMaxPool', name: 'gmp', inputs: ['x'], outputs: ['y'] }], [], ['maxpool2d']],
    ];
    const wide = build(45, [2, 5000], [{ op: 'ReduceMax', name: 'rmax', inputs: ['x', 'axes'], outputs: ['y'] }], [axes([1])], [-2, 2]);
    expect(wide.int.nodes.map((n) => n.op)).toEqual(['transpose', 'copy', 'maxpool2d', 'copy']);
    const ew = measure(wide);
    expect(ew.kernel, 'ReduceMax over 5000 (column window)').toBe(0);
    expect(ew.max).toBeLessThanOrEqual(0.52);
    cases.forEach(([label, nodes, inits, ops], i) => {
      const b = build(40 + i, [2, 3, 4, 5], nodes, inits, [-2, 2]);
      expect(b.int.nodes.map((n) => n.op), label).toEqual(ops);
      const e = measure(b);
      if (process.env.SHOW_ERRORS) console.log(`${label}: kernel ${e.kernel.toFixed(3)} max ${e.max.toFixed(3)}`);
      // max commutes with the int8 rounding; Neg is exact but for −(−128) (the input scale is the range / 127,
      // so −128 never occurs), and the Neg tables are exact: ≤ half an input step, the input scale being the output's
      expect(e.kernel, label).toBeLessThanOrEqual(label.startsWith('ReduceMin') ? 0.52 : 0);
      expect(e.max, label).toBeLessThanOrEqual(0.52);
    });
  });
});

describe('a MobileNet-style block end to end', () => {
  it('Conv-BN-ReLU6 → depthwise Conv-BN-ReLU6 → 1×1 Conv → HardSwish → GlobalAveragePool → Gemm: one node per conv', () => {
    const rng = new Rng(50);
    const bn = (p: string, c: number) => [weights(rng, `${p}g`, [c], 0.5, 1.5), weights(rng, `${p}b`, [c], -0.3, 0.3), weights(rng, `${p}m`, [c], -0.3, 0.3), weights(rng, `${p}v`, [c], 0.5, 1.5)];
    const b = build(50, [1, 3, 16, 16], [
      { op: 'Conv', name: 'stem', inputs: ['x', 'w1'], outputs: ['c1'], attrs: { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] } } },
      { op: 'BatchNormalization', name: 'bn1', inputs: ['c1', '1g', '1b', '1m', '1v'], outputs: ['n1'] },
      { op: 'Clip', name: 'r1', inputs: ['n1', 'zero', 'six'], outputs: ['a1'] },
      { op: 'Conv', name: 'dw', inputs: ['a1', 'w2'], outputs: ['c2'], attrs: { group: { int: 8 }, pads: { ints: [1, 1, 1, 1] } } },
      { op: 'BatchNormalization', name: 'bn2', inputs: ['c2', '2g', '2b', '2m', '2v'], outputs: ['n2'] },
      { op: 'Clip', name: 'r2', inputs: ['n2', 'zero', 'six'], outputs: ['a2'] },
      { op: 'Conv', name: 'pw', inputs: ['a2', 'w3', 'b3'], outputs: ['c3'] },
      { op: 'HardSwish', name: 'hs', inputs: ['c3'], outputs: ['h'] },
      { op: 'GlobalAveragePool', name: 'gap', inputs: ['h'], outputs: ['g'] },
      { op: 'Flatten', name: 'flat', inputs: ['g'], outputs: ['f'] },
      { op: 'Gemm', name: 'fc', inputs: ['f', 'wf', 'bf'], outputs: ['y'], attrs: { transB: { int: 1 } } },
    ], [
      weights(rng, 'w1', [8, 3, 3, 3]), ...bn('1', 8), weights(rng, 'w2', [8, 1, 3, 3]), ...bn('2', 8),
      weights(rng, 'w3', [12, 8, 1, 1]), weights(rng, 'b3', [12], -0.2, 0.2), weights(rng, 'wf', [5, 12]), weights(rng, 'bf', [5]),
      scalar('zero', 0), scalar('six', 6),
    ], [-1, 1]);
    expect(b.int.nodes.map((n) => n.op)).toEqual(['conv2d', 'conv2d', 'conv2d', 'lut', 'avgpool2d', 'copy', 'matmul']);
    expect(b.int.nodes.slice(0, 2).map((n) => (n.attrs as { lo: number }).lo)).toEqual([0, 0]);
    const e = measure(b);
    if (process.env.SHOW_ERRORS) console.log(`MobileNet block: mean ${e.mean.toFixed(3)} max ${e.max.toFixed(3)}`);
    // six int8 roundings in a row, each carried on through convs, the table, the average and the Gemm onto 5
    // outputs (no averaging over many outputs): a chain's mean below 1 step, worst below 3 (the window tests'
    // Conv-BN-Relu-…-Gemm chain measures 0.66 / 2.0)
    expect(e.mean).toBeLessThan(1);
    expect(e.max).toBeLessThan(MAX);
  });
});
