// A small ONNX writer (onnx-buf create/toBinary): used by the zoo build and by tests that need models
// built in memory. Not a general exporter: float32/int64 tensors, static or symbolic dims.

import { create, toBinary } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AttrType,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  TensorProto_DataType as DataType,
  TensorProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import type { DType } from '../graph.ts';

/** Float32Array data is written as FLOAT; Int32Array and BigInt64Array data as INT64. */
export interface WriterTensor {
  name: string;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array;
}

export type WriterAttr =
  | { int: number }
  | { float: number }
  | { ints: number[] }
  | { floats: number[] }
  | { string: string }
  | { tensor: Omit<WriterTensor, 'name'> & { name?: string } };

export interface WriterNode {
  op: string;
  name?: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, WriterAttr>;
  domain?: string;
}

export interface WriterValue {
  name: string;
  /** Omit for an output whose shape is left to the runtime; strings are symbolic dims. */
  dims?: (number | string)[];
  dtype?: DType;
}

export interface WriterModel {
  opset?: number;
  inputs: WriterValue[];
  outputs: WriterValue[];
  nodes: WriterNode[];
  initializers?: WriterTensor[];
  /** 'raw' (default) writes raw_data; 'typed' writes float_data / int64_data. */
  encoding?: 'raw' | 'typed';
  producer?: string;
  graphName?: string;
}

export const DEFAULT_OPSET = 17;

export function tensorProto(t: WriterTensor, encoding: 'raw' | 'typed' = 'raw'): TensorProto {
  const isFloat = t.data instanceof Float32Array;
  const proto = create(TensorProtoSchema, {
    name: t.name,
    dims: t.dims.map((d) => BigInt(d)),
    dataType: isFloat ? DataType.FLOAT : DataType.INT64,
  });
  const values = t.data instanceof Int32Array ? BigInt64Array.from(t.data, (v) => BigInt(v)) : t.data;
  if (encoding === 'typed') {
    if (values instanceof Float32Array) proto.floatData = [...values];
    else proto.int64Data = [...values];
  } else {
    proto.rawData = new Uint8Array(values.byteLength);
    proto.rawData.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return proto;
}

function attribute(name: string, a: WriterAttr): AttributeProto {
  if ('int' in a) return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(a.int) });
  if ('float' in a) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: a.float });
  if ('ints' in a) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: a.ints.map((v) => BigInt(v)) });
  if ('floats' in a) return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: a.floats });
  if ('string' in a) return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(a.string) });
  return create(AttributeProtoSchema, { name, type: AttrType.TENSOR, t: tensorProto({ name: a.tensor.name ?? '', ...a.tensor }) });
}

function valueInfo(v: WriterValue): ValueInfoProto {
  const shape = v.dims && create(TensorShapeProtoSchema, {
    dim: v.dims.map((d) => create(TensorShapeProto_DimensionSchema, {
      value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
    })),
  });
  const elemType = v.dtype === 'int64' ? DataType.INT64 : DataType.FLOAT;
  return create(ValueInfoProtoSchema, {
    name: v.name,
    type: create(TypeProtoSchema, { value: { case: 'tensorType', value: create(TypeProto_TensorSchema, { elemType, shape }) } }),
  });
}

/** One node as a NodeProto (the loader turns rewritten nodes back into protos with it). */
export function nodeProto(n: WriterNode, defaultName = n.op): NodeProto {
  return create(NodeProtoSchema, {
    name: n.name ?? defaultName,
    opType: n.op,
    domain: n.domain ?? '',
    input: n.inputs,
    output: n.outputs,
    attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
  });
}

export function writeOnnx(m: WriterModel): Uint8Array {
  const graph = create(GraphProtoSchema, {
    name: m.graphName ?? 'opml',
    input: m.inputs.map(valueInfo),
    output: m.outputs.map(valueInfo),
    initializer: (m.initializers ?? []).map((t) => tensorProto(t, m.encoding)),
    node: m.nodes.map((n, i) => nodeProto(n, `${n.op}_${i}`)),
  });
  const model = create(ModelProtoSchema, {
    irVersion: 10n,
    producerName: m.producer ?? 'opml',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(m.opset ?? DEFAULT_OPSET) })],
    graph,
  });
  return toBinary(ModelProtoSchema, model);
}
