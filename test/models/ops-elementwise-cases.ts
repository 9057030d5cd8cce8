// Single-op models for the elementwise, activation, reduction and pooling families of issue 9, with inputs
// carrying the edges (values exactly at clip bounds and thresholds, zeros, equal operands) over seeded random
// values. CANONICAL_CASES load as one canonical node each (also listed in op-cases.ts, so ops.test.ts covers
// them); EXPANDED_CASES are ops the loader rewrites into canonical ones, with the ops they must become.

import type { Tensor } from '../../models/graph.ts';
import type { WriterAttr, WriterModel, WriterNode, WriterTensor } from '../../models/onnx/writer.ts';
import { Prng } from '../../models/zoo/prng.ts';

const rng = new Prng(99);
const EDGES = [0, -0, 6, -6, 1, -1, 0.5, -0.5, 2, -2, 3, -3];

/** Random values in [lo, hi) with the edge values written over the first elements. */
function tensor(dims: number[], lo = -4, hi = 4, edges = EDGES): Tensor {
  const data = rng.uniforms(dims.reduce((p, d) => p * d, 1), lo, hi);
  edges.slice(0, data.length).forEach((v, i) => { data[i] = v; });
  return { dims, data };
}

const scalar = (name: string, v: number): WriterTensor => ({ name, dims: [], data: Float32Array.of(v) });
const ints = (name: string, v: number[]): WriterTensor => ({ name, dims: [v.length], data: Int32Array.from(v) });

export interface Case {
  name: string;
  model: WriterModel;
  feeds: Record<string, Tensor>;
  /** the ops the loaded graph must hold (expanded families become canonical ops) */
  ops?: string[];
}

function one(name: string, op: string, inputs: Record<string, Tensor>, opts: { attrs?: Record<string, WriterAttr>; inits?: WriterTensor[]; nodeInputs?: string[]; opset?: number; ops?: string[] } = {}): Case {
  const node: WriterNode = { op, name: 'n0', inputs: opts.nodeInputs ?? [...Object.keys(inputs), ...(opts.inits ?? []).map((t) => t.name)], outputs: ['y'], attrs: opts.attrs };
  return {
    name,
    feeds: inputs,
    ops: opts.ops,
    model: { opset: opts.opset ?? 21, inputs: Object.entries(inputs).map(([n, t]) => ({ name: n, dims: t.dims })), outputs: [{ name: 'y' }], initializers: opts.inits, nodes: [node] },
  };
}

const X = () => ({ x: tensor([2, 3, 4, 5]) });
const f = (v: number): WriterAttr => ({ float: v });

export const CANONICAL_CASES: Case[] = [
  // Clip: both bounds (ReLU6, values exactly at 0 and 6), one bound, none, inverted bounds (min > max gives max)
  one('Clip 0..6', 'Clip', X(), { inits: [scalar('lo', 0), scalar('hi', 6)] }),
  one('Clip min only', 'Clip', X(), { inits: [scalar('lo', -0.5)] }),
  one('Clip max only (absent min)', 'Clip', X(), { inits: [scalar('hi', 0.5)], nodeInputs: ['x', '', 'hi'] }),
  one('Clip unbounded', 'Clip', X()),
  one('Clip min > max', 'Clip', X(), { inits: [scalar('lo', 1), scalar('hi', -1)] }),
  // lookup-table activations, defaults and non-defaults
  one('LeakyRelu default', 'LeakyRelu', X()),
  one('LeakyRelu alpha 0.2', 'LeakyRelu', X(), { attrs: { alpha: f(0.2) } }),
  one('Elu default', 'Elu', X()),
  one('Elu alpha 0.5', 'Elu', X(), { attrs: { alpha: f(0.5) } }),
  one('Selu default', 'Selu', X()),
  one('Selu alpha gamma', 'Selu', X(), { attrs: { alpha: f(1.5), gamma: f(2) } }),
  one('Celu default', 'Celu', X()),
  one('Celu alpha 2', 'Celu', X(), { attrs: { alpha: f(2) } }),
  one('ThresholdedRelu default (ties at 1)', 'ThresholdedRelu', X()),
  one('ThresholdedRelu alpha 0.5 (ties at 0.5)', 'ThresholdedRelu', X(), { attrs: { alpha: f(0.5) } }),
  one('HardSwish (ties at ±3)', 'HardSwish', X()),
  one('Softplus', 'Softplus', { x: tensor([2, 3, 4, 5], -30, 30) }),
  one('Softsign', 'Softsign', X()),
  one('Exp', 'Exp', X()),
  one('Log', 'Log', { x: tensor([2, 3, 4, 5], 0.01, 8, [1, 0.5, 2]) }),
  one('Neg', 'Neg', X()),
  one('Abs', 'Abs', X()),
  one('Reciprocal', 'Reciprocal', { x: tensor([2, 3, 4, 5], 0.1, 4, [1, 0.5, -2, 2]) }),
  one('Mish', 'Mish', { x: tensor([2, 3, 4, 5], -30, 30) }),
  one('Swish default', 'Swish', X(), { opset: 24 }),
  one('Swish alpha 1.702', 'Swish', X(), { opset: 24, attrs: { alpha: f(1.702) } }),
  // trigonometric, hyperbolic, sign and rounding (ties: Round of ±0.5, 1.5, 2.5 is half to even; Sign of ±0)
  one('Sin', 'Sin', X()),
  one('Cos', 'Cos', X()),
  one('Tan', 'Tan', { x: tensor([2, 3, 4, 5], -1.4, 1.4, [0, 1, -1]) }),
  one('Asin', 'Asin', { x: tensor([2, 3, 4, 5], -1, 1, [0, 1, -1, 0.5]) }),
  one('Acos', 'Acos', { x: tensor([2, 3, 4, 5], -1, 1, [0, 1, -1, 0.5]) }),
  one('Atan', 'Atan', X()),
  one('Sinh', 'Sinh', X()),
  one('Cosh', 'Cosh', X()),
  one('Asinh', 'Asinh', X()),
  one('Acosh', 'Acosh', { x: tensor([2, 3, 4, 5], 1, 6, [1, 2, 6]) }),
  one('Atanh', 'Atanh', { x: tensor([2, 3, 4, 5], -0.99, 0.99, [0, 0.5, -0.5]) }),
  one('Sign', 'Sign', X()),
  one('Floor', 'Floor', { x: tensor([2, 3, 4, 5], -4, 4, [...EDGES, 2.5, -2.5, 1.5, -1.5]) }),
  one('Ceil', 'Ceil', { x: tensor([2, 3, 4, 5], -4, 4, [...EDGES, 2.5, -2.5, 1.5, -1.5]) }),
  one('Round (half to even)', 'Round', { x: tensor([2, 3, 4, 5], -4, 4, [...EDGES, 2.5, -2.5, 1.5, -1.5, 3.5, -3.5]) }),
  // ReduceSum: axes input, keepdims both ways, negative axes, no axes (all), noop_with_empty_axes
  one('ReduceSum axes [1] keepdims', 'ReduceSum', X(), { inits: [ints('axes', [1])] }),
  one('ReduceSum axes [-1, 0] no keepdims', 'ReduceSum', X(), { inits: [ints('axes', [-1, 0])], attrs: { keepdims: { int: 0 } } }),
  one('ReduceSum all axes', 'ReduceSum', X()),
  one('ReduceSum noop_with_empty_axes', 'ReduceSum', X(), { attrs: { noop_with_empty_axes: { int: 1 } } }),
  // pooling with ceil_mode=1 (extra end windows; the last dropped when it would start in the padding)
  one('MaxPool ceil_mode 3x3/2 on 7x8', 'MaxPool', { x: tensor([1, 2, 7, 8]) }, { attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { int: 1 } } }),
  one('MaxPool ceil_mode 2x2/3 pads', 'MaxPool', { x: tensor([1, 2, 5, 6]) }, { attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [3, 3] }, pads: { ints: [0, 1, 1, 0] }, ceil_mode: { int: 1 } } }),
  one('MaxPool ceil_mode dropped last window', 'MaxPool', { x: tensor([1, 1, 5, 5]) }, { attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [3, 3] }, pads: { ints: [0, 0, 1, 1] }, ceil_mode: { int: 1 } } }),
  one('AveragePool ceil_mode count_include_pad 0', 'AveragePool', { x: tensor([1, 2, 7, 8]) }, { attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, pads: { ints: [1, 0, 0, 1] }, ceil_mode: { int: 1 } } }),
  one('AveragePool ceil_mode, include pad, no extra window', 'AveragePool', { x: tensor([1, 2, 7, 7]) }, { attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [2, 2] }, ceil_mode: { int: 1 }, count_include_pad: { int: 1 } } }),
  // 1-D windows (rank-3 inputs)
  one('Conv 1-D', 'Conv', { x: tensor([2, 4, 11]) }, { inits: [{ name: 'w', dims: [6, 2, 3], data: rng.uniforms(36, -1, 1) }, { name: 'b', dims: [6], data: rng.uniforms(6, -1, 1) }], attrs: { group: { int: 2 }, strides: { ints: [2] }, pads: { ints: [1, 2] }, dilations: { ints: [2] } } }),
  one('Conv 1-D SAME_UPPER', 'Conv', { x: tensor([1, 3, 10]) }, { inits: [{ name: 'w', dims: [4, 3, 4], data: rng.uniforms(48, -1, 1) }], attrs: { auto_pad: { string: 'SAME_UPPER' }, strides: { ints: [3] } } }),
  one('MaxPool 1-D ceil_mode', 'MaxPool', { x: tensor([2, 3, 10]) }, { attrs: { kernel_shape: { ints: [3] }, strides: { ints: [2] }, pads: { ints: [1, 0] }, ceil_mode: { int: 1 } } }),
  one('AveragePool 1-D', 'AveragePool', { x: tensor([2, 3, 10]) }, { attrs: { kernel_shape: { ints: [4] }, strides: { ints: [2] }, pads: { ints: [1, 1] } } }),
];

const two = (a: number[], b: number[]) => ({ a: tensor(a), b: tensor(b) });
const same = () => {
  // equal operands (ties) in every other element
  const a = tensor([2, 3, 4]);
  const b = tensor([2, 3, 4]);
  for (let i = 0; i < a.data.length; i += 2) b.data[i] = a.data[i];
  return { a, b };
};
const slope = (dims: number[], values: number[]): WriterTensor => ({ name: 'slope', dims, data: Float32Array.from(values) });

/** Ops the loader expands into canonical ones: compared on the graph output (the intermediates are new values). */
export const EXPANDED_CASES: Case[] = [
  one('Max of two (equal elements)', 'Max', same(), { ops: ['Sub', 'Relu', 'Add'] }),
  one('Min of two (equal elements)', 'Min', same(), { ops: ['Sub', 'Relu', 'Sub'] }),
  one('Max of three, broadcast', 'Max', { a: tensor([2, 3, 4]), b: tensor([3, 1]), c: tensor([4]) }),
  one('Min of three, broadcast', 'Min', { a: tensor([3, 1]), b: tensor([2, 3, 4]), c: tensor([1, 4]) }),
  one('Max with a scalar constant is a Clip', 'Max', X(), { inits: [scalar('k', 0)], ops: ['Clip'] }),
  one('Min with a scalar constant is a Clip', 'Min', X(), { inits: [scalar('k', 6)], ops: ['Clip'] }),
  one('Max with two scalar constants and a [4] constant', 'Max', { x: tensor([2, 3, 4]) }, { inits: [scalar('k', -1), scalar('k2', 0.5), { name: 'v', dims: [4], data: Float32Array.of(-2, 0, 1, 3) }] }),
  one('Max of one operand (identity)', 'Max', X(), { ops: ['Reshape'] }),
  one('Sum of three', 'Sum', { a: tensor([2, 3, 4]), b: tensor([3, 4]), c: tensor([2, 3, 4]) }, { ops: ['Add', 'Add'] }),
  one('Sum of one', 'Sum', X(), { ops: ['Reshape'] }),
  one('Mean of three', 'Mean', { a: tensor([2, 3, 4]), b: tensor([3, 4]), c: tensor([2, 3, 4]) }, { ops: ['Add', 'Add', 'Mul'] }),
  one('Mean of one', 'Mean', X(), { ops: ['Mul'] }),
  one('PRelu scalar slope is LeakyRelu', 'PRelu', X(), { inits: [slope([1], [0.25])], ops: ['LeakyRelu'] }),
  one('PRelu per-channel slope [3, 1, 1]', 'PRelu', X(), { inits: [slope([3, 1, 1], [0.1, -0.5, 2])], ops: ['Relu', 'Sub', 'Mul', 'Add'] }),
  one('PRelu slope [5] on the last axis', 'PRelu', X(), { inits: [slope([5], [0, 0.1, 0.2, 1, -1])] }),
  one('ReduceMax axes [1] keepdims', 'ReduceMax', X(), { inits: [ints('axes', [1])], ops: ['Transpose', 'Reshape', 'MaxPool', 'Reshape'] }),
  one('ReduceMax axes [-1] no keepdims (no transpose)', 'ReduceMax', X(), { inits: [ints('axes', [-1])], attrs: { keepdims: { int: 0 } }, ops: ['Reshape', 'MaxPool', 'Reshape'] }),
  one('ReduceMax axes [0, 2]', 'ReduceMax', X(), { inits: [ints('axes', [0, 2])] }),
  one('ReduceMax all axes, no keepdims', 'ReduceMax', X(), { attrs: { keepdims: { int: 0 } } }),
  one('ReduceMax noop_with_empty_axes', 'ReduceMax', X(), { attrs: { noop_with_empty_axes: { int: 1 } }, ops: ['Reshape'] }),
  one('ReduceMin axes [1, 3]', 'ReduceMin', X(), { inits: [ints('axes', [1, 3])], ops: ['Neg', 'Transpose', 'Reshape', 'MaxPool', 'Reshape', 'Neg'] }),
  one('ReduceMin all axes keepdims', 'ReduceMin', X()),
  one('ReduceMax over 5000 elements (column window)', 'ReduceMax', { x: tensor([2, 5000]) }, { inits: [ints('axes', [1])], ops: ['Transpose', 'Reshape', 'MaxPool', 'Reshape'] }),
  one('ReduceMin over 4100 leading elements (column window, no transpose)', 'ReduceMin', { x: tensor([4100, 2]) }, { inits: [ints('axes', [0])], attrs: { keepdims: { int: 0 } }, ops: ['Neg', 'Reshape', 'MaxPool', 'Reshape', 'Neg'] }),
  one('ReduceMax opset 13 (axes attribute)', 'ReduceMax', X(), { opset: 13, attrs: { axes: { ints: [2] } } }),
  // The ReduceSum family: axes, keepdims, all axes, noop, and the opset-13 attribute form (adapted)
  one('ReduceSumSquare axes [1]', 'ReduceSumSquare', X(), { inits: [ints('axes', [1])], ops: ['Mul', 'ReduceSum'] }),
  one('ReduceSumSquare all axes, no keepdims', 'ReduceSumSquare', X(), { attrs: { keepdims: { int: 0 } } }),
  one('ReduceL1 axes [-1, 0]', 'ReduceL1', X(), { inits: [ints('axes', [-1, 0])], ops: ['Abs', 'ReduceSum'] }),
  one('ReduceL2 axes [2, 3]', 'ReduceL2', X(), { inits: [ints('axes', [2, 3])], ops: ['Mul', 'ReduceSum', 'Sqrt'] }),
  one('ReduceL2 noop_with_empty_axes', 'ReduceL2', X(), { attrs: { noop_with_empty_axes: { int: 1 } } }),
  one('ReduceLogSum axes [1] (positive input)', 'ReduceLogSum', { x: tensor([2, 3, 4, 5], 0.1, 4, [0.1, 1, 2, 0.5]) }, { inits: [ints('axes', [1])], ops: ['ReduceSum', 'Log'] }),
  one('ReduceLogSumExp axes [3]', 'ReduceLogSumExp', X(), { inits: [ints('axes', [3])], ops: ['Exp', 'ReduceSum', 'Log'] }),
  one('ReduceLogSumExp all axes keepdims', 'ReduceLogSumExp', X()),
  one('ReduceL2 opset 13 (axes attribute)', 'ReduceL2', X(), { opset: 13, attrs: { axes: { ints: [1] } } }),
  one('ReduceSumSquare opset 11 (axes attribute)', 'ReduceSumSquare', X(), { opset: 11, attrs: { axes: { ints: [0, 2] }, keepdims: { int: 0 } } }),
  one('GlobalMaxPool rank 4', 'GlobalMaxPool', X(), { ops: ['MaxPool'] }),
  one('GlobalMaxPool rank 3', 'GlobalMaxPool', { x: tensor([2, 3, 7]) }),
  one('GlobalMaxPool rank 5', 'GlobalMaxPool', { x: tensor([1, 2, 3, 2, 4]) }),
];

