// Small graphs built from the structure families (Pad, Slice, Split, Tile, Squeeze/Unsqueeze, Expand, Resize,
// ConvTranspose, LSTM, GRU), shared by the integer-pipeline test and the GPU-vs-CPU test.

import type { FloatTensor } from '../../../models/graph.ts';
import type { WriterModel, WriterTensor } from '../../../models/onnx/writer.ts';
import { Prng } from '../../../models/zoo/prng.ts';

export interface StructureGraph {
  name: string;
  model: WriterModel;
  input: string;
  dims: number[];
}

const rng = new Prng(777);
const count = (dims: number[]): number => dims.reduce((p, d) => p * d, 1);
const floats = (name: string, dims: number[], scale = 0.5): WriterTensor => ({ name, dims, data: rng.uniforms(count(dims), -scale, scale) });
const ints = (name: string, values: (number | bigint)[]): WriterTensor => ({ name, dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });

const moves: StructureGraph = {
  name: 'moves: Pad, Conv, Slice, Split, Tile, reflect Pad, nearest Resize, Unsqueeze, Expand, Squeeze',
  input: 'x',
  dims: [1, 3, 6, 6],
  model: {
    opset: 21,
    inputs: [{ name: 'x', dims: [1, 3, 6, 6] }],
    outputs: [{ name: 'y' }],
    initializers: [
      ints('pads0', [0, 0, 1, 1, 0, 0, 1, 1]), floats('w', [4, 3, 3, 3]), floats('wb', [4]),
      ints('s_starts', [5]), ints('s_ends', [-(2n ** 63n)]), ints('s_axes', [3]), ints('s_steps', [-2]),
      ints('reps', [1, 1, 1, 2]), ints('pads1', [0, 0, 0, 1, 0, 0, 0, 2]),
      { name: 'scales', dims: [4], data: Float32Array.of(1, 1, 2, 1.5) }, ints('ax0', [0]), ints('eshape', [2, 1, 1, 1, 1]),
    ],
    nodes: [
      { op: 'Pad', name: 'pad', inputs: ['x', 'pads0'], outputs: ['p'] }, // [1,3,8,8]
      { op: 'Conv', name: 'conv', inputs: ['p', 'w', 'wb'], outputs: ['c'], attrs: { kernel_shape: { ints: [3, 3] } } }, // [1,4,6,6]
      { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
      { op: 'Slice', name: 'slice', inputs: ['r', 's_starts', 's_ends', 's_axes', 's_steps'], outputs: ['s'] }, // [1,4,6,3]
      { op: 'Split', name: 'split', inputs: ['s'], outputs: ['a', 'b'], attrs: { axis: { int: 1 }, num_outputs: { int: 2 } } }, // 2×[1,2,6,3]
      { op: 'Tile', name: 'tile', inputs: ['a', 'reps'], outputs: ['t'] }, // [1,2,6,6]
      { op: 'Pad', name: 'reflect', inputs: ['b', 'pads1'], outputs: ['pr'], attrs: { mode: { string: 'reflect' } } }, // [1,2,6,6]
      { op: 'Add', name: 'add', inputs: ['t', 'pr'], outputs: ['sum'] },
      { op: 'Resize', name: 'nearest', inputs: ['sum', '', 'scales'], outputs: ['up'], attrs: { mode: { string: 'nearest' } } }, // [1,2,12,9]
      { op: 'Unsqueeze', name: 'unsqueeze', inputs: ['up', 'ax0'], outputs: ['u'] }, // [1,1,2,12,9]
      { op: 'Expand', name: 'expand', inputs: ['u', 'eshape'], outputs: ['e'] }, // [2,1,2,12,9]
      { op: 'Squeeze', name: 'squeeze', inputs: ['e'], outputs: ['y'] }, // [2,2,12,9]
    ],
  },
};

const upsample: StructureGraph = {
  name: 'upsample: grouped ConvTranspose stride 2, Relu, linear Resize',
  input: 'x',
  dims: [1, 2, 5, 5],
  model: {
    opset: 21,
    inputs: [{ name: 'x', dims: [1, 2, 5, 5] }],
    outputs: [{ name: 'y' }],
    initializers: [floats('w', [2, 2, 3, 3]), floats('b', [4]), ints('sizes', [1, 4, 7, 13])],
    nodes: [
      { op: 'ConvTranspose', name: 'deconv', inputs: ['x', 'w', 'b'], outputs: ['d'], attrs: { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, output_padding: { ints: [1, 1] }, group: { int: 2 } } }, // [1,4,10,10]
      { op: 'Relu', name: 'relu', inputs: ['d'], outputs: ['r'] },
      { op: 'Resize', name: 'linear', inputs: ['r', '', '', 'sizes'], outputs: ['y'], attrs: { mode: { string: 'linear' } } },
    ],
  },
};

function recurrent(kind: 'LSTM' | 'GRU', attrs: WriterModel['nodes'][number]['attrs'], dirs: number): StructureGraph {
  const [seq, batch, input, hidden] = [5, 2, 3, 4];
  const gates = kind === 'LSTM' ? 4 : 3;
  return {
    name: `${kind} ${JSON.stringify(attrs)}`,
    input: 'x',
    dims: [seq, batch, input],
    model: {
      opset: 21,
      inputs: [{ name: 'x', dims: [seq, batch, input] }],
      outputs: [{ name: 'y' }, { name: 'y_h' }],
      initializers: [floats('W', [dirs, gates * hidden, input], 0.8), floats('R', [dirs, gates * hidden, hidden], 0.8), floats('B', [dirs, 2 * gates * hidden], 0.3)],
      nodes: [{ op: kind, name: 'rnn', inputs: ['x', 'W', 'R', 'B'], outputs: ['y', 'y_h'], attrs: { hidden_size: { int: hidden }, ...attrs } }],
    },
  };
}

export const STRUCTURE_GRAPHS: StructureGraph[] = [
  moves,
  upsample,
  recurrent('LSTM', { direction: { string: 'bidirectional' } }, 2),
  recurrent('GRU', { linear_before_reset: { int: 1 }, direction: { string: 'reverse' } }, 1),
  recurrent('GRU', { linear_before_reset: { int: 0 } }, 1),
];

export function sample(g: StructureGraph, prng: Prng, scale = 1): FloatTensor {
  return { dims: g.dims, data: prng.uniforms(count(g.dims), -scale, scale) };
}
