// The trained MobileNet as an opset-9 ONNX model, written the way a PyTorch exporter of that era writes it:
// Pad with `pads`/`mode`/`value` attributes, unfused Conv → BatchNormalization, ReLU6 as Clip with `min`/`max`
// attributes, HardSwish as x · HardSigmoid(x) (alpha 1/6, beta 0.5), Dropout with a `ratio` attribute, and the
// flatten `x.view(x.size(0), -1)` as Shape → Gather(0) → Unsqueeze(axes) → Concat(…, [-1]) → Reshape; a symbolic
// batch dim "batch" on the input and the output.

import type { WriterModel, WriterNode, WriterTensor } from '../../../models/onnx/writer.ts';
import { BN_EPSILON } from './layers.ts';
import { CLASSES, DROPOUT, HEAD, PAD, type ConvBn, type MobileNet } from './net.ts';

export const MOBILENET_OPSET = 9;

export function mobilenetModel(net: MobileNet): WriterModel {
  const nodes: WriterNode[] = [];
  const initializers: WriterTensor[] = [];
  let counter = 0;
  const fresh = () => String(++counter); // PyTorch-style numbered intermediate names

  nodes.push({ op: 'Pad', name: 'Pad_0', inputs: ['image'], outputs: ['padded'], attrs: { mode: { string: 'constant' }, pads: { ints: [0, 0, PAD, PAD, 0, 0, PAD, PAD] }, value: { float: 0 } } });

  const convBn = (l: ConvBn, x: string): string => {
    const { conv, bn } = l;
    const name = conv.name;
    initializers.push({ name: `${name}.weight`, dims: [conv.cout, conv.cin / conv.group, conv.k, conv.k], data: Float32Array.from(conv.w.value) });
    const c = fresh();
    nodes.push({
      op: 'Conv',
      name: `${name}`,
      inputs: [x, `${name}.weight`],
      outputs: [c],
      attrs: { dilations: { ints: [1, 1] }, group: { int: conv.group }, kernel_shape: { ints: [conv.k, conv.k] }, pads: { ints: [conv.pad, conv.pad, conv.pad, conv.pad] }, strides: { ints: [conv.stride, conv.stride] } },
    });
    const bnName = bn.name;
    for (const [suffix, data] of [['weight', bn.gamma.value], ['bias', bn.beta.value], ['running_mean', bn.mean], ['running_var', bn.variance]] as const) {
      initializers.push({ name: `${bnName}.${suffix}`, dims: [bn.c], data: Float32Array.from(data) });
    }
    const b = fresh();
    nodes.push({
      op: 'BatchNormalization',
      name: bnName,
      inputs: [c, `${bnName}.weight`, `${bnName}.bias`, `${bnName}.running_mean`, `${bnName}.running_var`],
      outputs: [b],
      attrs: { epsilon: { float: BN_EPSILON }, momentum: { float: 0.9 } },
    });
    if (!l.act) return b;
    if (l.act.constructor.name === 'Relu6') {
      const r = fresh();
      nodes.push({ op: 'Clip', name: `${name}_relu6`, inputs: [b], outputs: [r], attrs: { max: { float: 6 }, min: { float: 0 } } });
      return r;
    }
    const hs = fresh();
    const out = fresh();
    nodes.push({ op: 'HardSigmoid', name: `${name}_hardsigmoid`, inputs: [b], outputs: [hs], attrs: { alpha: { float: 1 / 6 }, beta: { float: 0.5 } } });
    nodes.push({ op: 'Mul', name: `${name}_hardswish`, inputs: [b, hs], outputs: [out] });
    return out;
  };

  let h = convBn(net.stem, 'padded');
  for (const block of net.blocks) {
    const input = h;
    for (const l of block.layers) h = convBn(l, h);
    if (block.residual) {
      const s = fresh();
      nodes.push({ op: 'Add', name: `${block.name}_add`, inputs: [h, input], outputs: [s] });
      h = s;
    }
  }
  h = convBn(net.head, h);
  const pooled = fresh();
  nodes.push({ op: 'GlobalAveragePool', name: 'GlobalAveragePool', inputs: [h], outputs: [pooled] });
  const dropped = fresh();
  nodes.push({ op: 'Dropout', name: 'Dropout', inputs: [pooled], outputs: [dropped], attrs: { ratio: { float: DROPOUT } } });
  // x.view(x.size(0), -1)
  const shape = fresh();
  const zero = fresh();
  const size0 = fresh();
  const unsq = fresh();
  const minus1 = fresh();
  const newShape = fresh();
  const flat = fresh();
  nodes.push({ op: 'Shape', name: 'Shape', inputs: [dropped], outputs: [shape] });
  nodes.push({ op: 'Constant', name: 'Constant_0', inputs: [], outputs: [zero], attrs: { value: { tensor: { dims: [], data: new BigInt64Array([0n]) } } } });
  nodes.push({ op: 'Gather', name: 'Gather', inputs: [shape, zero], outputs: [size0], attrs: { axis: { int: 0 } } });
  nodes.push({ op: 'Unsqueeze', name: 'Unsqueeze', inputs: [size0], outputs: [unsq], attrs: { axes: { ints: [0] } } });
  nodes.push({ op: 'Constant', name: 'Constant_1', inputs: [], outputs: [minus1], attrs: { value: { tensor: { dims: [1], data: new BigInt64Array([-1n]) } } } });
  nodes.push({ op: 'Concat', name: 'Concat', inputs: [unsq, minus1], outputs: [newShape], attrs: { axis: { int: 0 } } });
  nodes.push({ op: 'Reshape', name: 'Reshape', inputs: [dropped, newShape], outputs: [flat] });
  initializers.push({ name: 'fc.weight', dims: [CLASSES, HEAD], data: Float32Array.from(net.fcW.value) });
  initializers.push({ name: 'fc.bias', dims: [CLASSES], data: Float32Array.from(net.fcB.value) });
  nodes.push({ op: 'Gemm', name: 'fc', inputs: [flat, 'fc.weight', 'fc.bias'], outputs: ['logits'], attrs: { alpha: { float: 1 }, beta: { float: 1 }, transB: { int: 1 } } });

  return {
    opset: MOBILENET_OPSET,
    producer: 'opml (pytorch-style export)',
    graphName: 'mnist-mobilenet',
    inputs: [{ name: 'image', dims: ['batch', 1, 28, 28] }],
    outputs: [{ name: 'logits', dims: ['batch', CLASSES] }],
    nodes,
    initializers,
  };
}
