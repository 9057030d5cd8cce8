// onnxruntime-node as the float reference: run a model's bytes on opml Tensors, optionally exposing every
// intermediate value as an output so node-by-node comparisons are possible.

import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, ValueInfoProtoSchema } from 'onnx-buf';
import * as ort from 'onnxruntime-node';
import { isFloatTensor, type FloatTensor, type Tensor } from '../graph.ts';

export type OrtFeeds = Record<string, Tensor>;

export function toOrtTensor(t: Tensor): ort.Tensor {
  if (isFloatTensor(t)) return new ort.Tensor('float32', t.data, t.dims);
  return new ort.Tensor('int64', BigInt64Array.from(t.data, (v) => BigInt(v)), t.dims);
}

export function fromOrtTensor(t: ort.Tensor): FloatTensor {
  if (t.type !== 'float32') throw new Error(`onnxruntime returned a ${t.type} tensor; expected float32`);
  return { dims: [...t.dims], data: t.data as Float32Array };
}

/** A session plus a typed `run`. Create once per model; `run` may be called many times. */
export class OrtModel {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async create(bytes: Uint8Array): Promise<OrtModel> {
    const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return new OrtModel(session);
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** `floatOnly`: leave out outputs that are not float32 (the shape arithmetic `exposeAllValues` exposes). */
  async run(feeds: OrtFeeds, floatOnly = false): Promise<Map<string, FloatTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = toOrtTensor(t);
    const result = Object.entries(await this.session.run(ortFeeds));
    return new Map(result.filter(([, t]) => !floatOnly || t.type === 'float32').map(([name, t]) => [name, fromOrtTensor(t)]));
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** The same model with every node output (except Constant nodes') added to the graph outputs. */
export function exposeAllValues(bytes: Uint8Array): Uint8Array {
  const model = fromBinary(ModelProtoSchema, bytes);
  const graph = model.graph!;
  const present = new Set(graph.output.map((o) => o.name));
  for (const node of graph.node) {
    if (node.opType === 'Constant') continue;
    for (const o of node.output) {
      if (o !== '' && !present.has(o)) {
        graph.output.push(create(ValueInfoProtoSchema, { name: o }));
        present.add(o);
      }
    }
  }
  return toBinary(ModelProtoSchema, model);
}
