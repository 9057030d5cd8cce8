// Reads a trained MobileNet's parameters back from its exported .onnx (initializers by name; exact float32).

import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema } from 'onnx-buf';
import type { MobileNet } from './net.ts';

export function loadWeights(net: MobileNet, bytes: Uint8Array): MobileNet {
  const inits = new Map<string, Float32Array>();
  for (const t of fromBinary(ModelProtoSchema, bytes).graph!.initializer) {
    if (t.dataType !== 1) continue;
    const raw = t.rawData;
    inits.set(t.name, new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)));
  }
  const set = (name: string, into: Float32Array) => {
    const v = inits.get(name);
    if (!v || v.length !== into.length) throw new Error(`initializer ${name}: missing or of the wrong size`);
    into.set(v);
  };
  for (const l of net.convBns()) {
    set(`${l.conv.name}.weight`, l.conv.w.value);
    set(`${l.bn.name}.weight`, l.bn.gamma.value);
    set(`${l.bn.name}.bias`, l.bn.beta.value);
    set(`${l.bn.name}.running_mean`, l.bn.mean);
    set(`${l.bn.name}.running_var`, l.bn.variance);
  }
  set('fc.weight', net.fcW.value);
  set('fc.bias', net.fcB.value);
  return net;
}
