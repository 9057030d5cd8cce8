/**
 * A zero Pad of H and W that only Convs read is folded into their pads (models/onnx/padIntoConv.ts): the loaded
 * graph has no node for it and still matches onnxruntime; every other Pad is expanded as before.
 */
import { describe, expect, it } from 'vitest';
import type { FloatTensor } from '../../models/graph.ts';
import { loadOnnx } from '../../models/onnx/load.ts';
import { writeOnnx, type WriterAttr, type WriterModel, type WriterNode, type WriterTensor } from '../../models/onnx/writer.ts';
import { Prng } from '../../models/zoo/prng.ts';
import { compareWithOrt } from './compare.ts';

const rng = new Prng(11);
const X: FloatTensor = { dims: [1, 2, 5, 6], data: rng.uniforms(60, -1, 1) };
const W: WriterTensor = { name: 'w', dims: [3, 2, 3, 3], data: rng.uniforms(54, -1, 1) };
const ints = (name: string, v: number[]): WriterTensor => ({ name, dims: [v.length], data: Int32Array.from(v) });

function model(opset: number, pad: WriterNode, convAttrs: Record<string, WriterAttr> = {}, extra: { nodes?: WriterNode[]; inits?: WriterTensor[]; outputs?: string[] } = {}): WriterModel {
  return {
    opset,
    inputs: [{ name: 'x', dims: X.dims }],
    outputs: (extra.outputs ?? ['y']).map((name) => ({ name })),
    initializers: [W, ...(extra.inits ?? [])],
    nodes: [pad, { op: 'Conv', name: 'conv', inputs: ['p', 'w'], outputs: ['y'], attrs: { kernel_shape: { ints: [3, 3] }, ...convAttrs } }, ...(extra.nodes ?? [])],
  };
}

const pad13 = (pads: number[], more: { value?: number; mode?: string } = {}): [WriterNode, WriterTensor[]] => [
  { op: 'Pad', name: 'pad', inputs: ['x', 'pads', ...(more.value !== undefined ? ['v'] : [])], outputs: ['p'], attrs: more.mode ? { mode: { string: more.mode } } : undefined },
  [ints('pads', pads), ...(more.value !== undefined ? [{ name: 'v', dims: [], data: Float32Array.of(more.value) }] : [])],
];

async function check(m: WriterModel, folded: boolean): Promise<void> {
  const bytes = writeOnnx(m);
  const graph = loadOnnx(bytes);
  const ops = graph.nodes.map((n) => n.op);
  if (folded) expect(ops).toEqual(['Conv', ...ops.slice(1)]);
  else expect(ops.length, ops.join(' ')).toBeGreaterThan(1);
  const r = await compareWithOrt(bytes, { x: X }, { sharedOnly: true });
  expect(r.worst, r.worstValue).toBeLessThanOrEqual(1);
}

describe('a zero Pad read only by Convs is folded into their pads', () => {
  it('opset 13: H/W pads, asymmetric, added to the Conv\'s own pads, with strides and dilations', async () => {
    const [p, inits] = pad13([0, 0, 1, 2, 0, 0, 2, 0]);
    await check(model(13, p, {}, { inits }), true);
    await check(model(13, p, { pads: { ints: [1, 0, 0, 1] }, strides: { ints: [2, 1] }, dilations: { ints: [1, 2] } }, { inits }), true);
    const pads = loadOnnx(writeOnnx(model(13, p, { pads: { ints: [1, 0, 0, 1] } }, { inits }))).nodes[0];
    expect(pads.op === 'Conv' && pads.attrs.pads).toEqual([2, 2, 2, 1]);
  });

  it('explicit value 0, opset 9 attributes, opset 18 axes', async () => {
    const [p, inits] = pad13([0, 0, 1, 1, 0, 0, 1, 1], { value: 0 });
    await check(model(13, p, {}, { inits }), true);
    await check(model(9, { op: 'Pad', name: 'pad', inputs: ['x'], outputs: ['p'], attrs: { pads: { ints: [0, 0, 2, 1, 0, 0, 0, 1] } } }), true);
    await check(model(18, { op: 'Pad', name: 'pad', inputs: ['x', 'pads', '', 'axes'], outputs: ['p'] }, {}, { inits: [ints('pads', [1, 2, 1, 0]), ints('axes', [-2, -1])] }), true);
  });

  it('repeated axes are left to the Pad expander, which refuses them (onnxruntime does too)', () => {
    const m = model(18, { op: 'Pad', name: 'pad', inputs: ['x', 'pads', '', 'axes'], outputs: ['p'] }, {}, { inits: [ints('pads', [1, 1, 1, 1]), ints('axes', [2, 2])] });
    expect(() => loadOnnx(writeOnnx(m))).toThrow(/^node "pad" \(Pad\): [^\n]*$/);
  });

  it('is expanded instead for a non-zero value, another mode, batch pads, negative pads, auto_pad, or another reader', async () => {
    const cases: [WriterNode, WriterTensor[], Record<string, WriterAttr>?, { nodes?: WriterNode[]; outputs?: string[] }?][] = [
      [...pad13([0, 0, 1, 1, 0, 0, 1, 1], { value: 0.5 })],
      [...pad13([0, 0, 1, 1, 0, 0, 1, 1], { mode: 'reflect' })],
      [...pad13([1, 0, 1, 1, 0, 0, 1, 1])],
      [...pad13([0, 0, -1, 1, 0, 0, 1, 1])],
      [...pad13([0, 0, 1, 1, 0, 0, 1, 1]), { auto_pad: { string: 'SAME_UPPER' } }],
      [...pad13([0, 0, 1, 1, 0, 0, 1, 1]), {}, { nodes: [{ op: 'Relu', name: 'relu', inputs: ['p'], outputs: ['r'] }], outputs: ['y', 'r'] }],
      [...pad13([0, 0, 1, 1, 0, 0, 1, 1]), {}, { outputs: ['y', 'p'] }],
    ];
    for (const [p, inits, convAttrs, extra] of cases) {
      const m = model(13, p, convAttrs, { ...extra, inits });
      if (convAttrs?.auto_pad) delete m.nodes[1].attrs!.kernel_shape;
      await check(m, false);
    }
  });
});
