// Single-op models for the structure expanders (Squeeze, Unsqueeze, Slice, Split, Pad, Resize, ConvTranspose,
// Tile, Expand, LSTM, GRU), with seeded random inputs: edges (negative steps, ±INT64 bounds, uneven splits,
// every Resize mode combination, strides 1–3 with output_padding and groups, recurrent directions and states).

import type { Tensor } from '../../models/graph.ts';
import type { WriterAttr, WriterModel, WriterTensor } from '../../models/onnx/writer.ts';
import { Prng } from '../../models/zoo/prng.ts';

export interface StructureCase {
  name: string;
  model: WriterModel;
  feeds: Record<string, Tensor>;
  /** The model onnxruntime runs instead (ORT lacks layout=1 recurrences: the layout-0 op between Transposes). */
  oracle?: WriterModel;
}

const rng = new Prng(4321);
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

const count = (dims: number[]): number => dims.reduce((p, d) => p * d, 1);
export const randomTensor = (dims: number[], lo = -2, hi = 2): Tensor => ({ dims, data: rng.uniforms(count(dims), lo, hi) });
const floats = (name: string, dims: number[], lo = -1, hi = 1): WriterTensor => ({ name, dims, data: rng.uniforms(count(dims), lo, hi) });
const ints = (name: string, values: (number | bigint)[]): WriterTensor => ({
  name, dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)),
});

interface Spec {
  op: string;
  x: Record<string, number[]>;
  consts?: WriterTensor[];
  /** Node inputs ('' for absent); default: run-time inputs then constants. */
  inputs?: string[];
  outputs?: string[];
  attrs?: Record<string, WriterAttr>;
  opset?: number;
}

export function single(name: string, s: Spec): StructureCase {
  const feeds: Record<string, Tensor> = {};
  for (const [n, dims] of Object.entries(s.x)) feeds[n] = randomTensor(dims);
  const consts = s.consts ?? [];
  const outputs = s.outputs ?? ['y'];
  return {
    name,
    feeds,
    model: {
      opset: s.opset ?? 21,
      inputs: Object.entries(s.x).map(([n, dims]) => ({ name: n, dims })),
      outputs: outputs.filter((o) => o !== '').map((o) => ({ name: o })),
      initializers: consts,
      nodes: [{ op: s.op, name: 'n0', inputs: s.inputs ?? [...Object.keys(s.x), ...consts.map((t) => t.name)], outputs, attrs: s.attrs }],
    },
  };
}

const x3 = { x: [4, 6, 5] };
const slice = (name: string, starts: (number | bigint)[], ends: (number | bigint)[], axes?: number[], steps?: number[]): StructureCase =>
  single(`Slice ${name}`, {
    op: 'Slice', x: x3,
    consts: [ints('starts', starts), ints('ends', ends), ...(axes ? [ints('axes', axes)] : []), ...(steps ? [ints('steps', steps)] : [])],
    inputs: ['x', 'starts', 'ends', axes ? 'axes' : '', steps ? 'steps' : ''],
  });

const SQUEEZE: StructureCase[] = [
  single('Squeeze axes [0, 2]', { op: 'Squeeze', x: { x: [1, 3, 1, 4] }, consts: [ints('axes', [0, 2])] }),
  single('Squeeze negative axis', { op: 'Squeeze', x: { x: [3, 1, 4] }, consts: [ints('axes', [-2])] }),
  single('Squeeze all size-1 axes', { op: 'Squeeze', x: { x: [1, 3, 1, 4, 1] } }),
  single('Unsqueeze axes [0, 3]', { op: 'Unsqueeze', x: { x: [3, 4] }, consts: [ints('axes', [0, 3])] }),
  single('Unsqueeze negative axis', { op: 'Unsqueeze', x: { x: [3, 4] }, consts: [ints('axes', [-1])] }),
];

const SLICE: StructureCase[] = [
  slice('two axes, INT64_MAX end', [1, 0], [3, INT64_MAX], [0, 2]),
  slice('negative step to INT64_MIN', [-1], [INT64_MIN], [1], [-2]),
  slice('negative step to INT64_MAX (to the start, as onnxruntime reads it)', [-1, 3], [INT64_MAX, INT64_MAX], [1, 2], [-1, -2]),
  slice('negative step, negative bounds', [-2, 4], [-6, 0], [0, 2], [-1, -3]),
  slice('out-of-range end', [2], [100], [-1]),
  slice('out-of-range start, negative step', [100], [-100], [2], [-1]),
  slice('negative start and end', [-3], [-1], [1]),
  slice('step 3 on every axis', [0, 0, 0], [INT64_MAX, INT64_MAX, INT64_MAX], undefined, [3, 3, 3]),
  slice('identity', [0], [INT64_MAX], [0]),
];

const SPLIT: StructureCase[] = [
  single('Split sizes [2, 3] axis 0', { op: 'Split', x: { x: [5, 6] }, consts: [ints('split', [2, 3])], outputs: ['a', 'b'] }),
  single('Split num_outputs 3 axis 1', { op: 'Split', x: { x: [5, 6] }, attrs: { axis: { int: 1 }, num_outputs: { int: 3 } }, outputs: ['a', 'b', 'c'] }),
  single('Split num_outputs uneven last chunk', { op: 'Split', x: { x: [5, 6] }, attrs: { num_outputs: { int: 2 } }, outputs: ['a', 'b'] }),
  single('Split num_outputs 4 of 7, negative axis', { op: 'Split', x: { x: [2, 7] }, attrs: { axis: { int: -1 }, num_outputs: { int: 4 } }, outputs: ['a', 'b', 'c', 'd'] }),
  single('Split opset 13 equal parts', { op: 'Split', x: { x: [4, 6] }, attrs: { axis: { int: 1 } }, outputs: ['a', 'b', 'c'], opset: 13 }),
  single('Split sizes [1, 3] opset 13', { op: 'Split', x: { x: [4, 6] }, consts: [ints('split', [1, 3])], outputs: ['a', 'b'], opset: 13 }),
];

const x4 = { x: [2, 3, 4, 5] };
const pad = (name: string, pads: number[], mode?: string, value?: number, axes?: number[]): StructureCase => single(`Pad ${name}`, {
  op: 'Pad', x: x4,
  consts: [ints('pads', pads), ...(value !== undefined ? [{ name: 'value', dims: [], data: Float32Array.of(value) }] : []), ...(axes ? [ints('axes', axes)] : [])],
  inputs: ['x', 'pads', value !== undefined ? 'value' : '', axes ? 'axes' : ''],
  attrs: mode ? { mode: { string: mode } } : undefined,
});

const PAD: StructureCase[] = [
  pad('constant zero H W', [0, 0, 1, 2, 0, 0, 2, 1]),
  pad('constant 1.5 every axis', [1, 1, 1, 1, 1, 0, 2, 1], 'constant', 1.5),
  pad('constant with axes', [1, 2, 3, 0], 'constant', -0.5, [1, -1]),
  pad('constant negative pads crop', [0, 0, -1, 2, 0, -1, 1, -2]),
  pad('constant only negative pads', [0, 0, -1, -2, 0, 0, -1, 0]),
  pad('reflect', [0, 0, 2, 3, 0, 0, 3, 4], 'reflect'),
  pad('reflect with axes', [1, 2, 3, 1], 'reflect', undefined, [2, 3]),
  pad('edge', [0, 1, 2, 3, 1, 0, 3, 6], 'edge'),
  pad('wrap', [0, 0, 2, 3, 0, 0, 3, 5], 'wrap'),
  pad('edge negative and positive', [0, 0, -1, 2, 0, 0, 2, -2], 'edge'),
  pad('all zero', [0, 0, 0, 0, 0, 0, 0, 0]),
  // Negative pads crop first; the positive pads then extend the cropped axis (onnxruntime's order).
  ...[[0, 1, 0, -1], [0, -1, 0, 1], [0, 2, 0, -1], [0, -1, 0, 2], [0, -2, 0, 2], [0, 3, 0, -1]].flatMap((p) => ['wrap', 'reflect', 'edge']
    .filter((mode) => mode !== 'reflect' || Math.max(...p) <= 4 + Math.min(0, p[1]) + Math.min(0, p[3]) - 1)
    .map((mode) => single(`Pad ${mode} [1, 4] pads [${p.join(', ')}] (crop, then pad)`, {
      op: 'Pad', x: { x: [1, 4] }, consts: [ints('pads', p)], inputs: ['x', 'pads'], attrs: { mode: { string: mode } }, opset: 19,
    }))),
  pad('wrap negative and positive on two axes', [0, 0, 2, -1, 0, 0, -1, 3], 'wrap'),
  pad('reflect negative and positive on two axes', [0, 0, -1, 2, 0, 0, 2, -2], 'reflect'),
  pad('wrap by the whole axis', [0, 0, 4, 0, 0, 0, 0, 5], 'wrap'),
  pad('reflect by length - 1 after a crop', [0, 0, -1, 0, 0, 0, 2, 3], 'reflect'),
];

const TRANSFORMS = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric'];
const NEAREST = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];
const resize = (name: string, mode: string, transform: string, nearest: string | undefined, how: { scales?: number[]; sizes?: number[] }, x = [1, 2, 4, 5], axes?: number[]): StructureCase =>
  single(`Resize ${name}`, {
    op: 'Resize', x: { x },
    consts: [
      ...(how.scales ? [{ name: 'scales', dims: [how.scales.length], data: Float32Array.from(how.scales) }] : []),
      ...(how.sizes ? [ints('sizes', how.sizes)] : []),
    ],
    inputs: ['x', '', how.scales ? 'scales' : '', ...(how.sizes ? ['sizes'] : [])],
    attrs: {
      mode: { string: mode }, coordinate_transformation_mode: { string: transform },
      ...(nearest ? { nearest_mode: { string: nearest } } : {}),
      ...(axes ? { axes: { ints: axes } } : {}),
    },
  });

const RESIZE: StructureCase[] = [
  ...TRANSFORMS.flatMap((t) => NEAREST.flatMap((n) => [
    resize(`nearest ${t} ${n} up scales`, 'nearest', t, n, { scales: [1, 1, 2, 1.5] }),
    resize(`nearest ${t} ${n} down sizes`, 'nearest', t, n, { sizes: [1, 2, 3, 3] }),
    resize(`nearest ${t} ${n} up sizes odd`, 'nearest', t, n, { sizes: [1, 2, 7, 13] }),
    resize(`nearest ${t} ${n} down scales`, 'nearest', t, n, { scales: [1, 1, 0.5, 0.6] }, [1, 2, 9, 10]),
  ])),
  ...TRANSFORMS.flatMap((t) => [
    resize(`linear ${t} up scales`, 'linear', t, undefined, { scales: [1, 1, 2, 1.5] }),
    resize(`linear ${t} down scales`, 'linear', t, undefined, { scales: [1, 1, 0.5, 0.6] }),
    resize(`linear ${t} sizes odd`, 'linear', t, undefined, { sizes: [1, 2, 7, 3] }),
    resize(`linear ${t} to one row`, 'linear', t, undefined, { sizes: [1, 2, 1, 8] }),
    resize(`linear ${t} 2-D`, 'linear', t, undefined, { sizes: [5, 9] }, [3, 4]),
  ]),
  resize('nearest with axes', 'nearest', 'asymmetric', 'floor', { scales: [3, 2] }, [1, 2, 4, 5], [2, 3]),
  resize('linear with axes', 'linear', 'half_pixel', undefined, { sizes: [6, 8] }, [1, 2, 4, 5], [-2, -1]),
  resize('nearest identity', 'nearest', 'half_pixel', 'round_prefer_floor', { scales: [1, 1, 1, 1] }),
  // One axis shrinks, another grows: the shrinking Gather/MatMul goes first (no [4096, 2^17] intermediate).
  resize('nearest shrink one axis before growing another', 'nearest', 'asymmetric', 'floor', { sizes: [4096, 1] }, [1, 2 ** 17]),
  resize('linear shrink one axis before growing another', 'linear', 'half_pixel', undefined, { sizes: [64, 2] }, [2, 4096]),
  resize('linear identity axis longer than 4096', 'linear', 'half_pixel', undefined, { sizes: [5000, 4] }, [5000, 2]),
];

const convT = (name: string, x: number[], w: number[], attrs: Record<string, WriterAttr>, bias = false): StructureCase => single(`ConvTranspose ${name}`, {
  op: 'ConvTranspose', x: { x },
  consts: [floats('w', w), ...(bias ? [floats('b', [w[1] * ((attrs.group as { int: number } | undefined)?.int ?? 1)])] : [])],
  attrs,
});

const CONV_TRANSPOSE: StructureCase[] = [
  convT('stride 1', [1, 3, 5, 5], [3, 2, 3, 3], {}),
  convT('stride 2 pads 1 output_padding 1 bias', [1, 3, 4, 5], [3, 2, 3, 3], { strides: { ints: [2, 2] }, pads: { ints: [1, 1, 1, 1] }, output_padding: { ints: [1, 1] } }, true),
  convT('stride 3 asymmetric pads output_padding', [2, 2, 3, 4], [2, 3, 2, 4], { strides: { ints: [3, 2] }, pads: { ints: [0, 2, 1, 0] }, output_padding: { ints: [2, 1] } }, true),
  convT('group 2 stride 2', [1, 4, 4, 4], [4, 3, 3, 3], { group: { int: 2 }, strides: { ints: [2, 2] } }, true),
  convT('depthwise stride 3', [1, 3, 3, 3], [3, 1, 3, 3], { group: { int: 3 }, strides: { ints: [3, 3] }, pads: { ints: [1, 1, 1, 1] } }),
  convT('dilation 2 stride 2', [1, 2, 4, 4], [2, 2, 3, 3], { dilations: { ints: [2, 2] }, strides: { ints: [2, 2] }, pads: { ints: [2, 1, 0, 3] } }),
  convT('pads larger than kernel span (crop)', [1, 2, 6, 6], [2, 2, 2, 2], { strides: { ints: [2, 2] }, pads: { ints: [2, 3, 2, 1] } }),
  convT('output_shape', [1, 2, 4, 4], [2, 2, 3, 3], { strides: { ints: [2, 2] }, output_shape: { ints: [8, 9] } }),
  convT('auto_pad SAME_UPPER', [1, 2, 4, 5], [2, 2, 3, 3], { strides: { ints: [2, 2] }, auto_pad: { string: 'SAME_UPPER' } }),
  convT('auto_pad SAME_LOWER', [1, 2, 4, 5], [2, 2, 4, 3], { strides: { ints: [2, 3] }, auto_pad: { string: 'SAME_LOWER' } }),
  convT('auto_pad SAME_LOWER odd total', [1, 2, 4, 5], [2, 2, 3, 2], { strides: { ints: [2, 3] }, auto_pad: { string: 'SAME_LOWER' } }),
  convT('output_shape odd total', [1, 2, 4, 4], [2, 2, 4, 4], { strides: { ints: [3, 2] }, output_shape: { ints: [11, 8] } }),
  convT('stride 1 pads beyond the kernel span (crop only)', [1, 2, 5, 5], [2, 2, 2, 2], { pads: { ints: [2, 1, 3, 2] } }),
  convT('1-D stride 2 output_padding group 2 bias', [2, 4, 6], [4, 2, 3], { strides: { ints: [2] }, pads: { ints: [1, 0] }, output_padding: { ints: [1] }, group: { int: 2 } }, true),
  convT('1-D output_shape', [1, 2, 5], [2, 3, 4], { strides: { ints: [3] }, output_shape: { ints: [16] } }),
  convT('auto_pad VALID', [1, 2, 3, 3], [2, 1, 3, 3], { strides: { ints: [2, 2] }, auto_pad: { string: 'VALID' } }),
];

const TILE: StructureCase[] = [
  single('Tile [2, 3]', { op: 'Tile', x: { x: [2, 3] }, consts: [ints('repeats', [2, 3])] }),
  single('Tile ones', { op: 'Tile', x: { x: [2, 3] }, consts: [ints('repeats', [1, 1])] }),
  single('Expand rank up', { op: 'Expand', x: { x: [3, 1] }, consts: [ints('shape', [2, 3, 4])] }),
  single('Expand with 1s in shape', { op: 'Expand', x: { x: [2, 1, 4] }, consts: [ints('shape', [1, 3, 1])] }),
  single('Expand rank up only', { op: 'Expand', x: { x: [3, 4] }, consts: [ints('shape', [1, 1, 4])] }),
];

interface RnnSpec {
  kind: 'LSTM' | 'GRU';
  seq: number;
  direction?: string;
  layout?: number;
  bias?: boolean;
  initialH?: 'input' | 'const';
  initialC?: 'input' | 'const';
  peepholes?: boolean;
  lbr?: number;
  outputs?: string[];
  seqLens?: boolean;
}

export function withAttrs(c: StructureCase, attrs: Record<string, WriterAttr>): StructureCase {
  const node = c.model.nodes[0];
  return { ...c, model: { ...c.model, nodes: [{ ...node, attrs: { ...node.attrs, ...attrs } }] } };
}

export function rnn(name: string, s: RnnSpec, [batch, input, hidden] = [2, 3, 4]): StructureCase {
  const gates = s.kind === 'LSTM' ? 4 : 3;
  const dirs = s.direction === 'bidirectional' ? 2 : 1;
  const layout = s.layout ?? 0;
  const x: Record<string, number[]> = { x: layout === 0 ? [s.seq, batch, input] : [batch, s.seq, input] };
  const state = layout === 0 ? [dirs, batch, hidden] : [batch, dirs, hidden];
  const consts: WriterTensor[] = [floats('W', [dirs, gates * hidden, input]), floats('R', [dirs, gates * hidden, hidden])];
  const inputs = ['x', 'W', 'R', ''];
  if (s.bias) {
    consts.push(floats('B', [dirs, 2 * gates * hidden]));
    inputs[3] = 'B';
  }
  inputs.push(s.seqLens ? 'lens' : '');
  if (s.seqLens) consts.push({ ...ints('lens', Array(batch).fill(s.seq)), dtype: 'int32' });
  const stateInput = (role: string, how: 'input' | 'const' | undefined): void => {
    if (how === 'input') x[role] = state;
    if (how === 'const') consts.push(floats(role, state));
    inputs.push(how ? role : '');
  };
  stateInput('h0', s.initialH);
  if (s.kind === 'LSTM') {
    stateInput('c0', s.initialC);
    inputs.push(s.peepholes ? 'P' : '');
    if (s.peepholes) consts.push(floats('P', [dirs, 3 * hidden]));
  }
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const attrs: Record<string, WriterAttr> = { hidden_size: { int: hidden } };
  if (s.direction) attrs.direction = { string: s.direction };
  if (layout) attrs.layout = { int: layout };
  if (s.lbr !== undefined) attrs.linear_before_reset = { int: s.lbr };
  const outputs = s.outputs ?? (s.kind === 'LSTM' ? ['y', 'y_h', 'y_c'] : ['y', 'y_h']);
  const c = single(`${s.kind} ${name}`, { op: s.kind, x, consts, inputs, outputs, attrs });
  if (layout === 1) c.oracle = layoutZeroOracle(c.model);
  return c;
}

/** The layout-1 recurrence as Transposes around the layout-0 op (run-time states only). */
function layoutZeroOracle(m: WriterModel): WriterModel {
  const node = m.nodes[0];
  const pre = ['x', 'h0', 'c0'].filter((v) => m.inputs.some((i) => i.name === v))
    .map((v) => ({ op: 'Transpose', inputs: [v], outputs: [`${v}_l0`], attrs: { perm: { ints: [1, 0, 2] } } }));
  const renamed = node.inputs.map((v) => (pre.some((p) => p.inputs[0] === v) ? `${v}_l0` : v));
  const outs = node.outputs.map((o) => (o === '' ? '' : `${o}_l0`));
  const post = node.outputs.map((o, i) => ({ o, i })).filter(({ o }) => o !== '')
    .map(({ o, i }) => ({ op: 'Transpose', inputs: [`${o}_l0`], outputs: [o], attrs: { perm: { ints: i === 0 ? [2, 0, 1, 3] : [1, 0, 2] } } }));
  const attrs = { ...node.attrs };
  delete attrs.layout;
  return { ...m, nodes: [...pre, { ...node, inputs: renamed, outputs: outs, attrs }, ...post] };
}

const RECURRENT: StructureCase[] = [
  rnn('seq 1 forward', { kind: 'LSTM', seq: 1 }),
  rnn('seq 5 forward bias', { kind: 'LSTM', seq: 5, bias: true }),
  rnn('seq 5 reverse initial h c (inputs)', { kind: 'LSTM', seq: 5, direction: 'reverse', bias: true, initialH: 'input', initialC: 'input' }),
  rnn('seq 5 bidirectional initial h c (constants)', { kind: 'LSTM', seq: 5, direction: 'bidirectional', bias: true, initialH: 'const', initialC: 'const' }),
  rnn('seq 1 bidirectional only initial_h', { kind: 'LSTM', seq: 1, direction: 'bidirectional', initialH: 'input' }),
  rnn('seq 5 peepholes initial c', { kind: 'LSTM', seq: 5, bias: true, peepholes: true, initialC: 'input', seqLens: true }),
  rnn('seq 5 layout 1 bidirectional', { kind: 'LSTM', seq: 5, layout: 1, direction: 'bidirectional', bias: true, initialH: 'input', initialC: 'input' }),
  rnn('only Y_h', { kind: 'LSTM', seq: 5, bias: true, outputs: ['', 'y_h'] }),
  rnn('only Y_c', { kind: 'LSTM', seq: 3, direction: 'reverse', outputs: ['', '', 'y_c'] }),
  withAttrs(rnn('default activations spelled out', { kind: 'LSTM', seq: 2, direction: 'bidirectional' }), { activations: { strings: ['Sigmoid', 'Tanh', 'Tanh', 'Sigmoid', 'Tanh', 'Tanh'] } }),
  ...[0, 1].flatMap((lbr) => [
    rnn(`lbr ${lbr} seq 1 forward`, { kind: 'GRU', seq: 1, lbr }),
    rnn(`lbr ${lbr} seq 5 forward bias`, { kind: 'GRU', seq: 5, lbr, bias: true }),
    rnn(`lbr ${lbr} seq 5 reverse initial h`, { kind: 'GRU', seq: 5, lbr, bias: true, direction: 'reverse', initialH: 'input' }),
    rnn(`lbr ${lbr} seq 5 bidirectional initial h const`, { kind: 'GRU', seq: 5, lbr, bias: true, direction: 'bidirectional', initialH: 'const' }),
    rnn(`lbr ${lbr} seq 5 layout 1 bidirectional`, { kind: 'GRU', seq: 5, lbr, bias: true, layout: 1, direction: 'bidirectional', initialH: 'input', seqLens: true }),
    rnn(`lbr ${lbr} only Y`, { kind: 'GRU', seq: 4, lbr, bias: true, outputs: ['y'] }),
  ]),
];

// Older-opset forms: the loader's opset adapters turn them into the latest form these expanders read.
const OLDER_OPSETS: StructureCase[] = [
  single('Squeeze opset 11 (axes attribute)', { op: 'Squeeze', x: { x: [1, 3, 1] }, attrs: { axes: { ints: [0] } }, opset: 11 }),
  single('Unsqueeze opset 11 (axes attribute)', { op: 'Unsqueeze', x: { x: [3] }, attrs: { axes: { ints: [0, 2] } }, opset: 11 }),
  single('Slice opset 9 (attributes)', { op: 'Slice', x: { x: [4, 5] }, attrs: { starts: { ints: [1] }, ends: { ints: [3] }, axes: { ints: [1] } }, opset: 9 }),
  single('Pad opset 9 (attributes), edge', { op: 'Pad', x: { x: [2, 3] }, attrs: { pads: { ints: [1, 0, 0, 2] }, mode: { string: 'edge' } }, opset: 9 }),
  single('Pad opset 13 (no axes input)', { op: 'Pad', x: { x: [2, 3] }, consts: [ints('pads', [1, 0, 0, 2])], opset: 13 }),
  single('Split opset 11 (split attribute)', { op: 'Split', x: { x: [4, 6] }, attrs: { axis: { int: 1 }, split: { ints: [2, 4] } }, outputs: ['a', 'b'], opset: 11 }),
  single('Resize opset 13 linear', { op: 'Resize', x: { x: [1, 1, 3, 4] }, consts: [{ name: 's', dims: [4], data: Float32Array.of(1, 1, 2, 2) }], inputs: ['x', '', 's'], attrs: { mode: { string: 'linear' } }, opset: 13 }),
  single('Upsample opset 9 (becomes Resize)', { op: 'Upsample', x: { x: [1, 1, 3, 4] }, consts: [{ name: 's', dims: [4], data: Float32Array.of(1, 1, 2, 2) }], opset: 9 }),
];

export const STRUCTURE_CASES: StructureCase[] = [...SQUEEZE, ...SLICE, ...SPLIT, ...PAD, ...RESIZE, ...CONV_TRANSPOSE, ...TILE, ...RECURRENT, ...OLDER_OPSETS];
