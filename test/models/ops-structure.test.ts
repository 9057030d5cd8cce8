// The structure expanders (Squeeze, Unsqueeze, Slice, Split, Pad, Resize, ConvTranspose, Tile, Expand, LSTM,
// GRU) against onnxruntime-node: single-op models expanded into canonical ops, graph outputs compared.

import { describe, expect, it } from 'vitest';
import { STRUCTURE_EXPANDERS } from '../../models/onnx/expanders/structure.ts';
import { UnsupportedOpError } from '../../models/errors.ts';
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
