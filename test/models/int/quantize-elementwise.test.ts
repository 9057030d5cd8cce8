/**
 * Elementwise ops through the integer pipeline: Add, Sub, Mul, Div, Pow (constant and run-time operands,
 * numpy broadcasting) and the lookup-table activations (Sigmoid, Tanh, HardSigmoid, Gelu both modes, Erf).
 * Each small model is built in memory, calibrated, quantized, run by the CPU executor and compared with the
 * float evaluator; every node is lowered to the VM and must reproduce the executor's output root.
 *
 * Two error measures, in output quantization steps (scale_out = calibrated max |y| / 127 for int8 outputs):
 * - kernel error: integer output vs the float op evaluated on the *dequantized* inputs (clamped to the output
 *   range). This isolates the kernel's own arithmetic: one rounding to the output grid (0.5 step) plus the
 *   fine-grid roundings (≤ 2^-F, 2^-G steps) and the int16 constants (≤ 2^-15 relative): ≤ 0.52 steps.
 * - end-to-end error vs the float op on the original inputs: the kernel error plus the input quantization
 *   error propagated through the op (|∂f/∂x_i| · scale_i / 2 per operand). The per-model tolerance states it.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, type Feeds } from '../../../models/float/evaluate.ts';
import type { FloatGraph, FloatTensor, GraphNode } from '../../../models/graph.ts';
import { broadcastIndex as floatBroadcastIndex } from '../../../models/float/indexing.ts';
import { runGraph } from '../../../models/int/execute.ts';
import { broadcastIndex, broadcastShape, loopNest } from '../../../models/int/kernels/broadcastLoops.ts';
import { kernelOf } from '../../../models/int/kernels/index.ts';
import { tensorRoot } from '../../../models/int/roots.ts';
import type { IntGraph } from '../../../models/int/graph.ts';
import { lowerCall, lowerNode, runLowered } from '../../../models/int/vmNode.ts';
import { loadOnnx } from '../../../models/onnx/load.ts';
import { writeOnnx, type WriterModel, type WriterNode, type WriterTensor } from '../../../models/onnx/writer.ts';
import { IntGraphBuilder } from '../../../models/quantize/builder.ts';
import { calibrate } from '../../../models/quantize/calibrate.ts';
import { QuantContext } from '../../../models/quantize/context.ts';
import { QUANTIZERS } from '../../../models/quantize/ops/index.ts';
import { dequantize, quantize, quantizeInput } from '../../../models/quantize/quantize.ts';
import { Rng } from '../../support/rng.ts';
import { binaryCase } from './elementwiseCases.ts';

const DIMS = [2, 3, 4];

interface InputSpec {
  name: string;
  dims: number[];
  lo: number;
  hi: number;
}

function uniform(rng: Rng, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (rng.u32() / 2 ** 32) * (hi - lo));
}

function constant(name: string, dims: number[], values: number[]): WriterTensor {
  return { name, dims, data: Float32Array.from(values) };
}

function model(inputs: InputSpec[], nodes: WriterNode[], initializers: WriterTensor[] = [], opset?: number): FloatGraph {
  const m: WriterModel = {
    opset,
    inputs: inputs.map(({ name, dims }) => ({ name, dims })),
    outputs: [{ name: 'y' }],
    nodes,
    initializers,
  };
  return loadOnnx(writeOnnx(m));
}

const feedsOf = (rng: Rng, inputs: InputSpec[]): Record<string, FloatTensor> =>
  Object.fromEntries(inputs.map((s) => [s.name, { dims: s.dims, data: uniform(rng, s.dims.reduce((p, d) => p * d, 1), s.lo, s.hi) }]));

interface Errors {
  /** max |int − float(dequantized inputs)| in output steps */
  kernel: number;
  /** max |int − float(inputs)| in output steps */
  endToEnd: number;
  /** the graph's output scale (one step) */
  step: number;
}

/** Quantize `graph` (64 calibration samples), run 20 other samples, measure errors, check VM roots. */
function measure(graph: FloatGraph, inputs: InputSpec[], seed: number): Errors & { int: IntGraph } {
  const rng = new Rng(seed);
  const int = quantize(graph, Array.from({ length: 64 }, () => feedsOf(rng, inputs)));
  const out = int.tensors[int.outputs[0]];
  const step = out.scale;
  let kernel = 0;
  let endToEnd = 0;
  for (let t = 0; t < 20; t++) {
    const feeds = feedsOf(rng, inputs);
    const words = int.inputs.map((id, i) => quantizeInput(feeds[inputs[i].name].data, int.tensors[id].scale, false));
    const run = runGraph(int, words);
    const y = dequantize(run.outputs[0], step);
    const float = evaluate(graph, feeds).outputs[0].data as Float32Array;
    // the float op on the dequantized inputs, clamped to the output's word range
    const deq: Feeds = Object.fromEntries(inputs.map((s, i) => [s.name, { dims: s.dims, data: dequantize(words[i], int.tensors[int.inputs[i]].scale) }]));
    const ideal = evaluate(graph, deq).outputs[0].data as Float32Array;
    for (let j = 0; j < y.length; j++) {
      const clamped = Math.max(-128 * step, Math.min(127 * step, ideal[j]));
      kernel = Math.max(kernel, Math.abs(y[j] - clamped) / step);
      endToEnd = Math.max(endToEnd, Math.abs(y[j] - float[j]) / step);
    }
    if (t === 0) {
      int.nodes.forEach((node, i) => {
        const vm = runLowered(lowerNode(int, i), node.inputs.map((id) => run.values.get(id) ?? int.weights.get(id)!));
        expect(vm.outputRoot, `${node.name}: VM root`).toBe(run.roots.get(node.output));
      });
    }
  }
  return { kernel, endToEnd, step, int };
}

const x = (lo = -2, hi = 2, dims = DIMS): InputSpec => ({ name: 'x', dims, lo, hi });
const yIn = (dims: number[], lo = -2, hi = 2): InputSpec => ({ name: 'y_in', dims, lo, hi });
const node = (op: string, inputs: string[], attrs?: WriterNode['attrs']): WriterNode => ({ op, name: op.toLowerCase(), inputs, outputs: ['y'], attrs });

interface Case {
  label: string;
  inputs: InputSpec[];
  nodes: WriterNode[];
  initializers?: WriterTensor[];
  opset?: number;
  /** end-to-end tolerance in output steps, with its reason */
  tol: number;
  ops: string[];
  kernelTol?: number;
}

const C4 = constant('c', [4], [0.5, -1.25, 2, 0.1]);
const C31 = constant('c', [3, 1], [1.5, -0.75, 3]);

/*
 * End-to-end tolerances in output steps s_out: the kernel error (≤ 0.52) plus, per operand, the input's
 * rounding error s_x/2 carried through the op (|∂f/∂x|·s_x/2). Each case states its bound; 'tol' adds a small
 * margin to it.
 */
const CASES: Case[] = [
  // x, y in [-2,2]: s_x = s_y' = 2/127, s_out ≈ 4/127 → operands add 0.25 + 0.25 steps: ≤ 1.02
  { label: 'Add of two activations', inputs: [x(), yIn(DIMS)], nodes: [node('Add', ['x', 'y_in'])], tol: 1.1, ops: ['binary'] },
  // constant [4] broadcast: only x's error (s_x/2 ≤ 0.5 step of an output with range ≥ x's): ≤ 1.02
  { label: 'Add of a broadcast [4] constant', inputs: [x()], nodes: [node('Add', ['x', 'c'])], initializers: [C4], tol: 1.1, ops: ['binary'] },
  // [3,1] activation broadcast over the last axis
  { label: 'Sub of a broadcast [3,1] activation', inputs: [x(), yIn([3, 1])], nodes: [node('Sub', ['x', 'y_in'])], tol: 1.1, ops: ['binary'] },
  { label: 'Sub from a [3,1] constant (constant first)', inputs: [x()], nodes: [node('Sub', ['c', 'x'])], initializers: [C31], tol: 1.1, ops: ['binary'] },
  // x·y: |y|·s_x/2 + |x|·s_y/2 ≤ 2·(2/127)/2·2 = 4/127 = 1 step of s_out = 4/127 (|xy| ≤ 4): ≤ 1.52
  { label: 'Mul of two activations', inputs: [x(), yIn(DIMS)], nodes: [node('Mul', ['x', 'y_in'])], tol: 1.6, ops: ['binary'] },
  // x·c: |c|·s_x/2 with s_out = max|c|·2/127 → ≤ 0.5 step: ≤ 1.02
  { label: 'Mul by a [4] constant', inputs: [x()], nodes: [node('Mul', ['x', 'c'])], initializers: [C4], tol: 1.1, ops: ['binary'] },
  { label: 'Mul by a negative scalar', inputs: [x()], nodes: [node('Mul', ['x', 'c'])], initializers: [constant('c', [], [-0.37])], tol: 1.1, ops: ['binary'] },
  // x / c = x · (1/c): as Mul by a constant: ≤ 1.02
  { label: 'Div by a [3,1] constant', inputs: [x()], nodes: [node('Div', ['x', 'c'])], initializers: [C31], tol: 1.1, ops: ['binary'] },
  { label: 'Div by a scalar constant (a rescale)', inputs: [x()], nodes: [node('Div', ['x', 'c'])], initializers: [constant('c', [], [0.3])], tol: 1.1, ops: ['binary'] },
  // x / y, y ∈ [0.5, 2]: s_out ≈ 4/127; |1/y|·s_x/2 ≤ 2·(2/127)/2 = 0.5 step, |x/y²|·s_y/2 ≤ 8·(2/127)/2 = 2 steps: ≤ 3.02
  { label: 'Div by a broadcast [3,1] activation', inputs: [x(), yIn([3, 1], 0.5, 2)], nodes: [node('Div', ['x', 'y_in'])], tol: 3.1, ops: ['binary'] },
  // c / y, y ∈ [0.5, 2], |c| ≤ 2: |c/y²|·s_y/2 ≤ 2 steps of s_out = 4/127: ≤ 2.52
  { label: 'Div of a [4] constant by an activation', inputs: [yIn(DIMS, 0.5, 2)], nodes: [node('Div', ['c', 'y_in'])], initializers: [C4], tol: 2.6, ops: ['binary'] },
  // x²: |2x|·s_x/2 = 2·2·(2/127)/2 = 4/127 = 1 step of s_out = 4/127: ≤ 1.52
  { label: 'Pow with exponent 2', inputs: [x()], nodes: [node('Pow', ['x', 'e'])], initializers: [constant('e', [], [2])], tol: 1.6, ops: ['binary'] },
  // LUTs: |f'|·s_x/2 + 0.5. sigmoid: 0.25·(4/127)/2 vs s_out ≈ 0.98/127: ≤ 0.5 + 0.51
  { label: 'Sigmoid', inputs: [x(-4, 4)], nodes: [node('Sigmoid', ['x'])], tol: 1.1, ops: ['lut'] },
  // tanh: 1·(4/127)/2 vs s_out ≈ 1/127: ≤ 0.5 + 2
  { label: 'Tanh', inputs: [x(-4, 4)], nodes: [node('Tanh', ['x'])], tol: 2.6, ops: ['lut'] },
  // hard sigmoid slope 0.3 on [-4, 4], output [0, 1]: 0.3·(4/127)/2 / (1/127) = 0.6: ≤ 1.12
  { label: 'HardSigmoid', inputs: [x(-4, 4)], nodes: [node('HardSigmoid', ['x'], { alpha: { float: 0.3 }, beta: { float: 0.4 } })], tol: 1.2, ops: ['lut'] },
  // erf: slope ≤ 1.13 on [-2,2], output range ≈ 1: 1.13·(2/127)/2 / (1/127) = 1.13: ≤ 1.65
  { label: 'Erf', inputs: [x()], nodes: [node('Erf', ['x'])], tol: 1.7, ops: ['lut'] },
  // gelu on [-3, 3]: slope ≤ 1.13, s_out = 3/127 = s_x: ≤ 0.5 + 0.57
  { label: 'Gelu (exact)', inputs: [x(-3, 3)], nodes: [node('Gelu', ['x'])], opset: 20, tol: 1.1, ops: ['lut'] },
  { label: 'Gelu (tanh)', inputs: [x(-3, 3)], nodes: [node('Gelu', ['x'], { approximate: { string: 'tanh' } })], opset: 20, tol: 1.1, ops: ['lut'] },
];

describe('elementwise ops: quantized vs float, VM vs executor', () => {
  CASES.forEach((c, i) => {
    it(c.label, () => {
      const graph = model(c.inputs, c.nodes, c.initializers, c.opset);
      const e = measure(graph, c.inputs, 100 + i);
      if (process.env.SHOW_ERRORS) console.log(`${c.label}: kernel ${e.kernel.toFixed(3)} end-to-end ${e.endToEnd.toFixed(3)} steps`);
      expect(e.int.nodes.map((n) => n.op)).toEqual(c.ops);
      expect(e.kernel, 'kernel error (steps)').toBeLessThanOrEqual(c.kernelTol ?? 0.52);
      expect(e.endToEnd, 'end-to-end error (steps)').toBeLessThanOrEqual(c.tol);
    });
  });

  it('a chain with 16-bit intermediates: tanh((x − y) / ((x − y)² + 1))', () => {
    const inputs = [x(), yIn([3, 1], -1, 1)];
    const graph = model(
      inputs,
      [
        { op: 'Sub', name: 'sub', inputs: ['x', 'y_in'], outputs: ['d'] },
        { op: 'Pow', name: 'sq', inputs: ['d', 'two'], outputs: ['d2'] },
        { op: 'Add', name: 'plus1', inputs: ['d2', 'one'], outputs: ['den'] },
        { op: 'Div', name: 'div', inputs: ['d', 'den'], outputs: ['q'] },
        { op: 'Tanh', name: 'tanh', inputs: ['q'], outputs: ['y'] },
      ],
      [constant('two', [], [2]), constant('one', [], [1])],
    );
    const e = measure(graph, inputs, 7);
    if (process.env.SHOW_ERRORS) console.log(`chain: end-to-end ${e.endToEnd.toFixed(3)} steps`);
    expect(e.int.nodes.map((n) => n.op)).toEqual(['binary', 'binary', 'binary', 'binary', 'lut']);
    // d, d², den feed only arithmetic: 16-bit words; q feeds the table: int8
    const bound = (name: string) => {
      const n = e.int.nodes.find((m) => m.name === name)!;
      return (n.attrs as { hi: number }).hi;
    };
    expect([bound('sub'), bound('sq'), bound('plus1'), bound('div')]).toEqual([32767, 32767, 32767, 127]);
    // x's and y's int8 rounding errors (2/127/2 + 1/127/2 = 1.5/127) pass through q = d/(d²+1) (slope ≤ 1) and
    // tanh (slope ≤ 1) onto the output grid s_out = tanh(0.5)/127 ≈ 0.46/127: ≤ 3.25 steps; q's own int8
    // rounding (s_q/2 = 0.25/127) adds ≤ 0.54 and the table's rounding 0.5: ≤ 4.3
    expect(e.endToEnd).toBeLessThanOrEqual(4.4);
  });

  it('narrows a 16-bit input to int8 before a lookup table', () => {
    const inputs = [x(-4, 4)];
    const graph = model(inputs, [node('Sigmoid', ['x'])]);
    const rng = new Rng(5);
    const samples = Array.from({ length: 32 }, () => feedsOf(rng, inputs));
    const ranges = calibrate(graph, samples);
    const b = new IntGraphBuilder();
    const ctx = new QuantContext(graph, ranges, b);
    const scale = ctx.scaleOf('x', 16); // as if a producer had emitted int16 words
    ctx.values.set('x', { id: b.tensor('x', DIMS, 'input', scale), scale });
    const sig = graph.nodes[0] as GraphNode & { op: 'Sigmoid' };
    QUANTIZERS.Sigmoid!(ctx, sig);
    const int = b.build([ctx.value('y').id]);
    expect(int.nodes.map((n) => n.op)).toEqual(['binary', 'lut']);
    let worst = 0;
    for (let t = 0; t < 10; t++) {
      const feeds = feedsOf(rng, inputs);
      const run = runGraph(int, [Int32Array.from(feeds.x.data, (v) => Math.max(-32768, Math.min(32767, Math.round(v / scale))))]);
      const y = dequantize(run.outputs[0], int.tensors[int.outputs[0]].scale);
      const float = evaluate(graph, feeds).outputs[0].data;
      for (let j = 0; j < y.length; j++) worst = Math.max(worst, Math.abs(y[j] - float[j]) / int.tensors[int.outputs[0]].scale);
      int.nodes.forEach((n, i) => {
        const vm = runLowered(lowerNode(int, i), n.inputs.map((id) => run.values.get(id) ?? int.weights.get(id)!));
        expect(vm.outputRoot).toBe(run.roots.get(n.output));
      });
    }
    if (process.env.SHOW_ERRORS) console.log(`narrowed sigmoid: end-to-end ${worst.toFixed(3)} steps`);
    expect(worst).toBeLessThanOrEqual(1.1); // as Sigmoid above: the narrowing rounds to the same int8 grid
  });

  it('rejects Pow with another exponent or a run-time exponent in one line each; constant-only operands are folded by the loader', () => {
    const rng = new Rng(9);
    const tryQuantize = (nodes: WriterNode[], initializers: WriterTensor[], inputs = [x()]) => () =>
      quantize(model(inputs, nodes, initializers), [feedsOf(rng, inputs)]);
    const pow3 = tryQuantize([node('Pow', ['x', 'e'])], [constant('e', [], [3])]);
    expect(pow3).toThrow('node "pow" (Pow): the exponent must be the constant 2, got 3; only x^2 is supported; rewrite other powers with Mul, Sqrt or a lookup-table activation');
    const powRuntime = tryQuantize([node('Pow', ['x', 'y_in'])], [], [x(), yIn([1])]);
    expect(powRuntime).toThrow(/^node "pow" \(Pow\): the exponent "y_in" must be the constant 2, got a run-time value; [^\n]*$/);
    // Constant-only operands no longer reach the quantizer: the loader folds them (docs/MODELS.md, the loader pipeline).
    const consts = tryQuantize([{ op: 'Add', name: 'k', inputs: ['c', 'c'], outputs: ['k'] }, { op: 'Add', name: 'add', inputs: ['x', 'k'], outputs: ['y'] }], [C4])();
    expect(consts.nodes.map((n) => n.op)).toEqual(['binary']);
  });
});

describe('binary kernel: broadcasting', () => {
  it('indexes operands as the float reference does, and merges loops', () => {
    const rng = new Rng(3);
    for (let c = 0; c < 200; c++) {
      const { inputDims } = binaryCase(rng);
      const out = broadcastShape('binary', inputDims[0], inputDims[1]);
      for (const d of inputDims) expect(Array.from(broadcastIndex(d, out))).toEqual(Array.from(floatBroadcastIndex(d, out)));
    }
    expect(loopNest([2, 3, 4], [[2, 3, 4], [2, 3, 4], [2, 3, 4]]).counts).toEqual([24]);
    expect(loopNest([2, 3, 4], [[2, 3, 4], [3, 1], [2, 3, 4]])).toEqual({ counts: [2, 3, 4], strides: [[12, 4, 1], [0, 1, 0], [12, 4, 1]] });
    expect(loopNest([1, 16, 32], [[1, 16, 32], [1, 16, 1], [1, 16, 32]]).counts).toEqual([16, 32]);
  });

  it('VM equals CPU reference on 150 more random cases', () => {
    const rng = new Rng(2024);
    for (let c = 0; c < 150; c++) {
      const kc = binaryCase(rng);
      const kernel = kernelOf('binary');
      const call = { attrs: kc.attrs, inputDims: kc.inputDims, outDims: kernel.outputDims(kc.attrs, kc.inputDims) };
      const expected = kernel.execute(call, kc.inputs);
      const run = runLowered(lowerCall('binary', call), kc.inputs);
      expect(run.outputRoot, `case ${c}: ${JSON.stringify(kc.inputDims)} ${JSON.stringify(kc.attrs)}`).toBe(tensorRoot(expected));
    }
  });
});
