// The structure expanders (Squeeze, Unsqueeze, Slice, Split, Pad, Resize, ConvTranspose, Tile, Expand, LSTM,
// GRU) against onnxruntime-node: single-op models expanded into canonical ops, graph outputs compared.

import { describe, expect, it } from 'vitest';
import { STRUCTURE_EXPANDERS } from '../../models/onnx/expanders/structure.ts';
import { ShapeError, UnsupportedOpError } from '../../models/errors.ts';
import type { WriterAttr, WriterTensor } from '../../models/onnx/writer.ts';
import { compareOutputs, loadStructured } from './ops-structure-harness.ts';
import { rnn, single, STRUCTURE_CASES, withAttrs, type StructureCase } from './ops-structure-cases.ts';

describe('structure expanders vs onnxruntime-node', () => {
  for (const c of STRUCTURE_CASES) {
    it(c.name, async () => {
      const r = await compareOutputs(c.model, c.feeds, c.oracle);
      expect(r.worst, `worst |diff| ${r.absolute}`).toBeLessThanOrEqual(1);
    });
  }

  it('covers every structure expander', () => {
    const covered = new Set(STRUCTURE_CASES.flatMap((c) => c.model.nodes.map((n) => n.op)));
    expect(Object.keys(STRUCTURE_EXPANDERS).filter((op) => !covered.has(op))).toEqual([]);
    // ...each at the latest opset (the form the expander reads) as well.
    const latest = new Set(STRUCTURE_CASES.filter((c) => c.model.opset === 21).flatMap((c) => c.model.nodes.map((n) => n.op)));
    expect(Object.keys(STRUCTURE_EXPANDERS).filter((op) => !latest.has(op))).toEqual([]);
  });
});

describe('structure expanders refuse what they do not implement, by name', () => {
  const refusals: [string, StructureCase, RegExp][] = [
    ['Resize cubic', resizeWith({ mode: { string: 'cubic' } }), /node "n0" \(Resize\): mode "cubic" is not supported; use nearest or linear/],
    ['Resize tf_crop_and_resize', resizeWith({ coordinate_transformation_mode: { string: 'tf_crop_and_resize' } }), /coordinate_transformation_mode "tf_crop_and_resize" is not supported/],
    ['Resize antialias', resizeWith({ mode: { string: 'linear' }, antialias: { int: 1 } }), /antialias=1 is not supported/],
    ['Resize keep_aspect_ratio_policy', resizeWith({ keep_aspect_ratio_policy: { string: 'not_larger' } }), /keep_aspect_ratio_policy "not_larger" is not supported/],
    ['Slice to nothing', single('empty', { op: 'Slice', x: { x: [4, 5] }, consts: [i64('s', [3]), i64('e', [1])], inputs: ['x', 's', 'e'] }), /node "n0" \(Slice\): axis 0 of \[4, 5\] would be empty/],
    ['Slice with run-time starts', single('rt', { op: 'Slice', x: { x: [4, 5], s: [1], e: [1] }, inputs: ['x', 's', 'e'] }), /input 1 \(starts\) "s"/],
    ['LSTM clip', withAttrs(rnn('clip', { kind: 'LSTM', seq: 2 }), { clip: { float: 3 } }), /node "n0" \(LSTM\): attribute clip is not supported/],
    ['LSTM activations', withAttrs(rnn('act', { kind: 'LSTM', seq: 2 }), { activations: { strings: ['Relu', 'Tanh', 'Tanh'] } }), /activations \[Relu, Tanh, Tanh\] are not supported; only the defaults \(Sigmoid, Tanh, Tanh\) are/],
    ['LSTM input_forget', withAttrs(rnn('if', { kind: 'LSTM', seq: 2 }), { input_forget: { int: 1 } }), /input_forget=1 is not supported/],
    ['GRU activation_alpha', withAttrs(rnn('aa', { kind: 'GRU', seq: 2 }), { activation_alpha: { floats: [0.5] } }), /attribute activation_alpha is not supported/],
    ['ConvTranspose 3-D', single('3d', { op: 'ConvTranspose', x: { x: [1, 1, 2, 2, 2] }, consts: [{ name: 'w', dims: [1, 1, 1, 1, 1], data: Float32Array.of(1) }] }), /only 1-D \(NCL\) and 2-D \(NCHW\) ConvTranspose are supported/],
    ['GRU ragged sequence_lens', raggedGru(), /sequence_lens \[3, 1\] are not all the full length 3/],
    ['Pad with a run-time value', single('pv', { op: 'Pad', x: { x: [2, 3], v: [] }, consts: [i64('p', [1, 1, 1, 1])], inputs: ['x', 'p', 'v'] }), /input 2 \(constant_value\) "v" is run-time data/],
  ];
  for (const [name, c, message] of refusals) {
    it(name, () => {
      expect(() => loadStructured(c.model)).toThrow(UnsupportedOpError);
      expect(() => loadStructured(c.model)).toThrow(message);
    });
  }
});

describe('structure expanders refuse invalid or oversized models by name, before building anything', () => {
  const x = (dims: number[]): Record<string, number[]> => ({ x: dims });
  const padded = (dims: number[], pads: number[], mode: string, opset = 13): StructureCase => single('pad', {
    op: 'Pad', x: x(dims), consts: [i64('p', pads)], inputs: ['x', 'p'], attrs: { mode: { string: mode } }, opset,
  });
  const resized = (dims: number[], sizes: number[], mode: string): StructureCase => single('resize', {
    op: 'Resize', x: x(dims), consts: [i64('s', sizes)], inputs: ['x', '', '', 's'], attrs: { mode: { string: mode } }, opset: 13,
  });
  const huge = /more than 2\^28 elements; opml tensors hold at most 2\^28 elements/;
  const cases: [string, StructureCase, RegExp, typeof ShapeError | typeof UnsupportedOpError][] = [
    ['Pad constant 2e9', padded([2, 3], [2e9, 1, 1, 1], 'constant'), /node "n0" \(Pad\): the output \[2000000003, 5\] has more than 2\^28/, ShapeError],
    ['Pad reflect 2e9', padded([2, 3], [2e9, 1, 1, 1], 'reflect'), huge, ShapeError],
    ['Pad constant 1e9', padded([2, 3], [1e9, 1, 1, 1], 'constant'), /the output \[1000000003, 5\]/, ShapeError],
    ['Pad edge 1e9 on a cropped axis', padded([2, 3], [-1, 1e9, 1, 1], 'edge'), huge, ShapeError],
    ['Resize nearest sizes 2e9', resized([2, 3], [2, 2e9], 'nearest'), /node "n0" \(Resize\): the output \[2, 2000000000\] has more than 2\^28/, ShapeError],
    ['Resize linear sizes 2e9', resized([2, 3], [2, 2e9], 'linear'), huge, ShapeError],
    ['Resize linear matrix over 2^24', resized([1, 5000], [1, 4000], 'linear'), /linear resize of axis 1 from 5000 to 4000 entries needs a 5000×4000 interpolation matrix, more than 2\^24 entries/, ShapeError],
    ['Resize scales overflowing float32', single('rs', { op: 'Resize', x: x([2, 3]), consts: [{ name: 's', dims: [2], data: Float32Array.of(1, 3e38) }], inputs: ['x', '', 's'], opset: 13 }), /node "n0" \(Resize\): the output \[2, Infinity\] has a dim that is not a positive integer/, ShapeError],
    ['ConvTranspose strides [1, 2e9]', single('ct', { op: 'ConvTranspose', x: x([1, 1, 2, 2]), consts: [{ name: 'w', dims: [1, 1, 1, 1], data: Float32Array.of(1) }], attrs: { strides: { ints: [1, 2e9] } }, opset: 13 }), /node "n0" \(ConvTranspose\): the output \[1, 1, 2, 2000000001\] has more than 2\^28/, ShapeError],
    ['ConvTranspose huge zero-inserted input', single('ct', { op: 'ConvTranspose', x: x([1, 4096, 1, 2]), consts: [{ name: 'w', dims: [4096, 1, 1, 1], data: new Float32Array(4096) }], attrs: { strides: { ints: [1, 2 ** 17] } }, opset: 13 }), /the zero-inserted input \[1, 4096, 1, 131073\] has more than 2\^28/, ShapeError],
    ['Pad reflect wider than the axis', padded([1, 4], [0, 4, 0, 0], 'reflect', 19), /node "n0" \(Pad\): reflect pads \[4, 0\] on axis 1 \(4 entries after cropping\) exceed the allowed 3; reflect pads must be below the axis length/, ShapeError],
    ['Pad reflect wider than the cropped axis', padded([1, 4], [0, -1, 0, 3], 'reflect', 19), /reflect pads \[-1, 3\] on axis 1 \(3 entries after cropping\) exceed the allowed 2/, ShapeError],
    ['Pad reflect of an axis of 1', padded([1, 4], [1, 0, 0, 0], 'reflect', 19), /reflect pads \[1, 0\] on axis 0 \(1 entries after cropping\) exceed the allowed 0/, ShapeError],
    ['Pad wrap wider than the axis', padded([1, 4], [0, 5, 0, 0], 'wrap', 19), /wrap pads \[5, 0\] on axis 1 \(4 entries after cropping\) exceed its length; wrap pads must not exceed the axis length/, ShapeError],
    ['Pad wrap wider than the cropped axis', padded([1, 4], [0, 3, 0, -2], 'wrap', 19), /wrap pads \[3, -2\] on axis 1 \(2 entries after cropping\)/, ShapeError],
    ['Pad edge of an axis cropped to nothing', padded([1, 4], [0, -4, 0, 3], 'edge', 19), /its negative pads \[-4, 3\] crop axis 1 of \[1, 4\] to nothing; edge mode needs at least one entry left/, ShapeError],
    ['Pad constant of an axis cropped to nothing', padded([1, 4], [0, -5, 0, 3], 'constant', 19), /its negative pads \[-5, 3\] crop axis 1 of \[1, 4\] to nothing/, UnsupportedOpError],
    ['Pad with 2-D pads', single('p2', { op: 'Pad', x: x([2, 3]), consts: [{ name: 'p', dims: [1, 4], data: BigInt64Array.of(1n, 1n, 1n, 1n) }], opset: 13 }), /input 1 \(pads\) "p" has dims \[1, 4\], expected a 1-D list/, ShapeError],
    ['Split opset 18 with neither split nor num_outputs', single('s18', { op: 'Split', x: x([4, 6]), outputs: ['a', 'b'], opset: 18 }), /node "n0" \(Split\): it has neither a split input nor num_outputs; give the split sizes or num_outputs/, ShapeError],
    ['Split with 2-D split', single('s2', { op: 'Split', x: x([4, 6]), consts: [{ name: 'sp', dims: [1, 2], data: BigInt64Array.of(2n, 2n) }], outputs: ['a', 'b'], opset: 13 }), /input 1 \(split\) "sp" has dims \[1, 2\]/, ShapeError],
    ['Slice with 2-D starts', single('sl', { op: 'Slice', x: x([4, 6]), consts: [{ name: 's', dims: [1, 1], data: BigInt64Array.of(1n) }, i64('e', [3])], opset: 13 }), /node "n0" \(Slice\): input 1 \(starts\) "s" has dims \[1, 1\], expected a 1-D list/, ShapeError],
    ['Slice with scalar ends', single('sl', { op: 'Slice', x: x([4, 6]), consts: [i64('s', [1]), { name: 'e', dims: [], data: BigInt64Array.of(3n) }], opset: 13 }), /input 2 \(ends\) "e" has dims \[\], expected a 1-D list/, ShapeError],
    ['Slice with 2-D steps', single('sl', { op: 'Slice', x: x([4, 6]), consts: [i64('s', [1]), i64('e', [3]), i64('a', [1]), { name: 'st', dims: [1, 1], data: BigInt64Array.of(1n) }], opset: 13 }), /input 4 \(steps\) "st" has dims \[1, 1\]/, ShapeError],
    ['Tile with 2-D repeats', single('t2', { op: 'Tile', x: x([2, 3]), consts: [{ name: 'r', dims: [1, 2], data: BigInt64Array.of(2n, 2n) }], opset: 13 }), /input 1 \(repeats\) "r" has dims \[1, 2\]/, ShapeError],
  ];
  for (const [name, c, message, kind] of cases) {
    it(name, () => {
      expect(() => loadStructured(c.model)).toThrow(kind);
      expect(() => loadStructured(c.model)).toThrow(message);
    });
  }
});

function i64(name: string, values: number[]): WriterTensor {
  return { name, dims: [values.length], data: Int32Array.from(values) };
}

function resizeWith(attrs: Record<string, WriterAttr>): StructureCase {
  return single('resize', {
    op: 'Resize', x: { x: [1, 1, 2, 2] }, consts: [{ name: 'scales', dims: [4], data: Float32Array.of(1, 1, 2, 2) }],
    inputs: ['x', '', 'scales'], attrs,
  });
}

function raggedGru(): StructureCase {
  const c = rnn('ragged', { kind: 'GRU', seq: 3, seqLens: true });
  const inits = c.model.initializers!.map((t) => (t.name === 'lens' ? { ...t, data: BigInt64Array.of(3n, 1n) } : t));
  return { ...c, model: { ...c.model, initializers: inits } };
}
