// Single-op (and a few two-op) ONNX models built in memory, with seeded random inputs, covering every
// supported op and its attributes. Each case is checked against onnxruntime-node in ops.test.ts.

import type { Tensor } from '../../models/graph.ts';
import type { WriterAttr, WriterModel, WriterTensor } from '../../models/onnx/writer.ts';
import { Prng } from '../../models/zoo/prng.ts';
import { CANONICAL_CASES } from './ops-elementwise-cases.ts';

export interface OpCase {
  name: string;
  model: WriterModel;
  feeds: Record<string, Tensor>;
}

const rng = new Prng(1234);

function randomTensor(dims: number[], lo = -2, hi = 2): Tensor {
  return { dims, data: rng.uniforms(dims.reduce((p, d) => p * d, 1), lo, hi) };
}

function init(name: string, dims: number[], lo = -1, hi = 1): WriterTensor {
  return { name, dims, data: rng.uniforms(dims.reduce((p, d) => p * d, 1), lo, hi) };
}

function ints(name: string, values: number[], dims = [values.length]): WriterTensor {
  return { name, dims, data: Int32Array.from(values) };
}

interface SimpleSpec {
  op: string;
  /** Run-time float inputs with their dims (random in [lo, hi)). */
  inputs: Record<string, number[]>;
  initializers?: WriterTensor[];
  /** Input names of the node in order ('' for absent); defaults to inputs then initializers. */
  nodeInputs?: string[];
  attrs?: Record<string, WriterAttr>;
  opset?: number;
  range?: [number, number];
}

function simple(name: string, s: SimpleSpec): OpCase {
  const [lo, hi] = s.range ?? [-2, 2];
  const feeds: Record<string, Tensor> = {};
  for (const [n, dims] of Object.entries(s.inputs)) feeds[n] = randomTensor(dims, lo, hi);
  const initializers = s.initializers ?? [];
  return {
    name,
    feeds,
    model: {
      opset: s.opset,
      inputs: Object.entries(s.inputs).map(([n, dims]) => ({ name: n, dims })),
      outputs: [{ name: 'y' }],
      initializers,
      nodes: [{
        op: s.op,
        name: 'n0',
        inputs: s.nodeInputs ?? [...Object.keys(s.inputs), ...initializers.map((t) => t.name)],
        outputs: ['y'],
        attrs: s.attrs,
      }],
    },
  };
}

const x4 = { x: [2, 3, 6, 6] };

export const OP_CASES: OpCase[] = [
  // MatMul
  simple('MatMul 2-D', { op: 'MatMul', inputs: { a: [3, 4], b: [4, 5] } }),
  simple('MatMul batched', { op: 'MatMul', inputs: { a: [2, 3, 4] }, initializers: [init('b', [4, 5])] }),
  simple('MatMul broadcast batch', { op: 'MatMul', inputs: { a: [2, 1, 3, 4], b: [3, 4, 2] } }),
  simple('MatMul 1-D left', { op: 'MatMul', inputs: { a: [4], b: [2, 4, 5] } }),
  simple('MatMul 1-D right', { op: 'MatMul', inputs: { a: [3, 4], b: [4] } }),
  // Gemm
  simple('Gemm with bias row', { op: 'Gemm', inputs: { a: [3, 4] }, initializers: [init('b', [4, 5]), init('c', [5])] }),
  simple('Gemm transA transB alpha beta', {
    op: 'Gemm', inputs: { a: [4, 3] }, initializers: [init('b', [5, 4]), init('c', [3, 1])],
    attrs: { transA: { int: 1 }, transB: { int: 1 }, alpha: { float: 0.5 }, beta: { float: 2 } },
  }),
  simple('Gemm without C', { op: 'Gemm', inputs: { a: [2, 6], b: [6, 3] } }),
  // Binary elementwise
  simple('Add broadcast', { op: 'Add', inputs: { a: [2, 3, 4] }, initializers: [init('b', [4])] }),
  simple('Sub broadcast both', { op: 'Sub', inputs: { a: [2, 1, 4], b: [3, 1] } }),
  simple('Mul scalar', { op: 'Mul', inputs: { a: [2, 3] }, initializers: [init('b', [])] }),
  simple('Div', { op: 'Div', inputs: { a: [2, 3] }, initializers: [init('b', [2, 3], 0.5, 2)] }),
  simple('Pow positive base', { op: 'Pow', inputs: { a: [3, 4] }, initializers: [init('b', [4], -2, 3)], range: [0.1, 3] }),
  simple('Pow square of negatives', { op: 'Pow', inputs: { a: [3, 4] }, initializers: [{ name: 'b', dims: [], data: Float32Array.of(2) }] }),
  // Unary
  simple('Relu', { op: 'Relu', inputs: { x: [3, 5] } }),
  simple('Sigmoid', { op: 'Sigmoid', inputs: { x: [3, 5] }, range: [-8, 8] }),
  simple('Tanh', { op: 'Tanh', inputs: { x: [3, 5] }, range: [-4, 4] }),
  simple('Sqrt', { op: 'Sqrt', inputs: { x: [3, 5] }, range: [0, 9] }),
  simple('Erf', { op: 'Erf', inputs: { x: [4, 8] }, range: [-4, 4] }),
  simple('HardSigmoid default', { op: 'HardSigmoid', inputs: { x: [3, 5] }, range: [-4, 4] }),
  simple('HardSigmoid alpha beta', { op: 'HardSigmoid', inputs: { x: [3, 5] }, range: [-4, 4], attrs: { alpha: { float: 0.3 }, beta: { float: 0.4 } } }),
  simple('Gelu exact', { op: 'Gelu', inputs: { x: [4, 8] }, range: [-5, 5], opset: 20 }),
  simple('Gelu tanh', { op: 'Gelu', inputs: { x: [4, 8] }, range: [-5, 5], opset: 20, attrs: { approximate: { string: 'tanh' } } }),
  // Softmax
  simple('Softmax last axis', { op: 'Softmax', inputs: { x: [2, 3, 5] }, range: [-5, 5] }),
  simple('Softmax axis 1', { op: 'Softmax', inputs: { x: [2, 3, 5] }, range: [-5, 5], attrs: { axis: { int: 1 } } }),
  // Conv
  simple('Conv 3x3 pad 1 bias', { op: 'Conv', inputs: x4, initializers: [init('w', [4, 3, 3, 3]), init('b', [4])], attrs: { pads: { ints: [1, 1, 1, 1] } } }),
  simple('Conv stride 2 no bias', { op: 'Conv', inputs: x4, initializers: [init('w', [4, 3, 3, 3])], attrs: { strides: { ints: [2, 2] } } }),
  simple('Conv dilation 2 asym pads', { op: 'Conv', inputs: x4, initializers: [init('w', [2, 3, 2, 3])], attrs: { dilations: { ints: [2, 2] }, pads: { ints: [0, 1, 2, 1] } } }),
  simple('Conv group 3 (depthwise)', { op: 'Conv', inputs: x4, initializers: [init('w', [6, 1, 3, 3]), init('b', [6])], attrs: { group: { int: 3 }, kernel_shape: { ints: [3, 3] } } }),
  simple('Conv auto_pad SAME_UPPER stride 2', { op: 'Conv', inputs: { x: [1, 2, 7, 7] }, initializers: [init('w', [3, 2, 4, 4])], attrs: { auto_pad: { string: 'SAME_UPPER' }, strides: { ints: [2, 2] } } }),
  simple('Conv auto_pad SAME_LOWER', { op: 'Conv', inputs: { x: [1, 2, 7, 7] }, initializers: [init('w', [3, 2, 2, 2])], attrs: { auto_pad: { string: 'SAME_LOWER' } } }),
  simple('Conv auto_pad VALID', { op: 'Conv', inputs: { x: [1, 2, 7, 7] }, initializers: [init('w', [3, 2, 3, 3])], attrs: { auto_pad: { string: 'VALID' } } }),
  // Pools
  simple('MaxPool 2x2 stride 2', { op: 'MaxPool', inputs: x4, attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } }),
  simple('MaxPool 3x3 pads dilations', { op: 'MaxPool', inputs: x4, attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] }, dilations: { ints: [1, 2] } } }),
  simple('MaxPool SAME_UPPER', { op: 'MaxPool', inputs: { x: [1, 2, 5, 5] }, attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] }, auto_pad: { string: 'SAME_UPPER' } } }),
  simple('AveragePool 2x2', { op: 'AveragePool', inputs: x4, attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] } } }),
  simple('AveragePool pads exclude', { op: 'AveragePool', inputs: x4, attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } } }),
  simple('AveragePool pads include', { op: 'AveragePool', inputs: x4, attrs: { kernel_shape: { ints: [3, 3] }, pads: { ints: [1, 0, 1, 2] }, count_include_pad: { int: 1 } } }),
  simple('AveragePool dilations (opset 19)', { op: 'AveragePool', inputs: x4, opset: 19, attrs: { kernel_shape: { ints: [2, 2] }, dilations: { ints: [2, 2] } } }),
  simple('GlobalAveragePool', { op: 'GlobalAveragePool', inputs: x4 }),
  // Normalization
  simple('BatchNormalization', {
    op: 'BatchNormalization', inputs: x4,
    initializers: [init('scale', [3]), init('bias', [3]), init('mean', [3]), init('var', [3], 0.2, 2)],
    attrs: { epsilon: { float: 1e-3 }, momentum: { float: 0.9 } },
  }),
  simple('LayerNormalization last axis', { op: 'LayerNormalization', inputs: { x: [2, 4, 8] }, initializers: [init('s', [8]), init('b', [8])] }),
  simple('LayerNormalization axis 1 no bias', { op: 'LayerNormalization', inputs: { x: [2, 4, 8] }, initializers: [init('s', [4, 8])], attrs: { axis: { int: 1 }, epsilon: { float: 1e-3 } } }),
  simple('ReduceMean attr axes keepdims (opset 13)', { op: 'ReduceMean', inputs: { x: [2, 3, 4] }, opset: 13, attrs: { axes: { ints: [-1] } } }),
  simple('ReduceMean attr two axes no keepdims (opset 13)', { op: 'ReduceMean', inputs: { x: [2, 3, 4] }, opset: 13, attrs: { axes: { ints: [0, 2] }, keepdims: { int: 0 } } }),
  simple('ReduceMean all axes (opset 13)', { op: 'ReduceMean', inputs: { x: [2, 3, 4] }, opset: 13 }),
  simple('ReduceMean axes input (opset 18)', { op: 'ReduceMean', inputs: { x: [2, 3, 4] }, opset: 18, initializers: [ints('axes', [1])] }),
  simple('ReduceMean noop_with_empty_axes (opset 18)', { op: 'ReduceMean', inputs: { x: [2, 3] }, opset: 18, attrs: { noop_with_empty_axes: { int: 1 } } }),
  // Layout
  simple('Flatten default', { op: 'Flatten', inputs: x4 }),
  simple('Flatten axis 0', { op: 'Flatten', inputs: x4, attrs: { axis: { int: 0 } } }),
  simple('Flatten axis -1', { op: 'Flatten', inputs: x4, attrs: { axis: { int: -1 } } }),
  simple('Reshape -1 and 0', { op: 'Reshape', inputs: { x: [2, 3, 4] }, initializers: [ints('shape', [0, -1, 2])] }),
  simple('Reshape to flat', { op: 'Reshape', inputs: { x: [2, 3, 4] }, initializers: [ints('shape', [24])] }),
  simple('Transpose default', { op: 'Transpose', inputs: { x: [2, 3, 4] } }),
  simple('Transpose perm', { op: 'Transpose', inputs: { x: [2, 3, 4, 5] }, attrs: { perm: { ints: [0, 2, 3, 1] } } }),
  simple('Concat axis 1 three inputs', { op: 'Concat', inputs: { a: [2, 1, 3], b: [2, 4, 3] }, initializers: [init('c', [2, 2, 3])], attrs: { axis: { int: 1 } } }),
  simple('Concat axis -1', { op: 'Concat', inputs: { a: [2, 3], b: [2, 5] }, attrs: { axis: { int: -1 } } }),
  simple('Gather axis 1 constant indices', { op: 'Gather', inputs: { x: [3, 5, 2] }, initializers: [ints('idx', [4, 0, -1, 2], [2, 2])], attrs: { axis: { int: 1 } } }),
  {
    name: 'Gather run-time int64 indices',
    model: {
      inputs: [{ name: 'ids', dims: [2, 3], dtype: 'int64' }],
      outputs: [{ name: 'y' }],
      initializers: [init('table', [10, 4])],
      nodes: [{ op: 'Gather', name: 'n0', inputs: ['table', 'ids'], outputs: ['y'] }],
    },
    feeds: { ids: { dims: [2, 3], data: Int32Array.of(0, 9, 3, -2, 5, 5) } },
  },
  // Constant nodes folded into initializers, typed-field initializers.
  {
    name: 'Constant nodes (tensor and value_ints) + typed initializers',
    model: {
      encoding: 'typed',
      inputs: [{ name: 'x', dims: [2, 6] }],
      outputs: [{ name: 'y' }],
      initializers: [init('w', [6])],
      nodes: [
        { op: 'Constant', name: 'c0', inputs: [], outputs: ['k'], attrs: { value: { tensor: { dims: [6], data: Float32Array.of(1, 2, 3, 4, 5, 6) } } } },
        { op: 'Constant', name: 'c1', inputs: [], outputs: ['shape'], attrs: { value_ints: { ints: [3, 4] } } },
        { op: 'Constant', name: 'c2', inputs: [], outputs: ['half'], attrs: { value_float: { float: 0.5 } } },
        { op: 'Mul', name: 'm', inputs: ['x', 'k'], outputs: ['xk'] },
        { op: 'Add', name: 'a', inputs: ['xk', 'w'], outputs: ['s'] },
        { op: 'Mul', name: 'h', inputs: ['s', 'half'], outputs: ['sh'] },
        { op: 'Reshape', name: 'r', inputs: ['sh', 'shape'], outputs: ['y'] },
      ],
    },
    feeds: { x: randomTensor([2, 6]) },
  },
  // Clip, the lookup-table activations, ReduceSum, ceil-mode and 1-D windows (issue 9)
  ...CANONICAL_CASES,
  // RMSNormalization (opset 23; issue 12)
  simple('RMSNormalization last axis', { op: 'RMSNormalization', inputs: { x: [2, 4, 8] }, initializers: [init('s', [8])], opset: 23 }),
  simple('RMSNormalization axis 1, broadcast scale, epsilon', { op: 'RMSNormalization', inputs: { x: [2, 4, 8] }, initializers: [init('s', [1, 8])], opset: 23, attrs: { axis: { int: 1 }, epsilon: { float: 1e-2 } } }),
];
