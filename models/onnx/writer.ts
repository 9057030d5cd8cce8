// A small ONNX writer (onnx-buf create/toBinary): used by the zoo build and by tests that need models
// built in memory. Not a general exporter: float32/float64/int64/int32/int8/uint8/bool tensors, static or
// symbolic dims, graph-valued attributes (If/Loop bodies).

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
  type GraphProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from 'onnx-buf';
import type { DType } from '../graph.ts';

/** Element types the writer can emit. */
export type WriterDType = DType | 'float64' | 'int32' | 'int8' | 'uint8' | 'bool';

/**
 * Float32Array data is written as FLOAT; Int32Array and BigInt64Array data as INT64, unless `dtype` says
 * otherwise (values are converted: bool writes 0/1).
 */
export interface WriterTensor {
  name: string;
  dims: number[];
  data: Float32Array | Int32Array | BigInt64Array;
  dtype?: WriterDType;
}

/** A subgraph for a graph-valued attribute (If branches, Loop bodies); outer-scope values may be read. */
export interface WriterGraph {
  name?: string;
  inputs: WriterValue[];
  outputs: WriterValue[];
  nodes: WriterNode[];
  initializers?: WriterTensor[];
}

export type WriterAttr =
  | { int: number }
  | { float: number }
  | { ints: number[] }
  | { floats: number[] }
  | { string: string }
  | { strings: string[] }
  | { tensor: Omit<WriterTensor, 'name'> & { name?: string } }
  | { graph: WriterGraph };

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

const DATA_TYPES: Record<WriterDType, DataType> = {
  float32: DataType.FLOAT,
  float64: DataType.DOUBLE,
  int64: DataType.INT64,
  int32: DataType.INT32,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  bool: DataType.BOOL,
};

function defaultDType(t: WriterTensor): WriterDType {
  return t.dtype ?? (t.data instanceof Float32Array ? 'float32' : 'int64');
}

export function tensorProto(t: WriterTensor, encoding: 'raw' | 'typed' = 'raw'): TensorProto {
  const dtype = defaultDType(t);
  const proto = create(TensorProtoSchema, { name: t.name, dims: t.dims.map((d) => BigInt(d)), dataType: DATA_TYPES[dtype] });
  // float32 data written as float32 needs no conversion (large weight tensors: no per-element JS array)
  const numbers = dtype === 'float32' && t.data instanceof Float32Array ? [] : Array.from(t.data as ArrayLike<number | bigint>, (v) => Number(v));
  let values: Float32Array | Float64Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;
  switch (dtype) {
    case 'float32': values = t.data instanceof Float32Array ? t.data : Float32Array.from(numbers); break;
    case 'float64': values = Float64Array.from(numbers); break;
    case 'int64': values = t.data instanceof BigInt64Array ? t.data : BigInt64Array.from(numbers, (v) => BigInt(v)); break;
    case 'int32': values = Int32Array.from(numbers); break;
    case 'int8': values = Int8Array.from(numbers); break;
    case 'uint8': values = Uint8Array.from(numbers); break;
    case 'bool': values = Uint8Array.from(numbers, (v) => (v !== 0 ? 1 : 0)); break;
  }
  if (encoding === 'typed') {
    if (values instanceof Float32Array) proto.floatData = [...values];
    else if (values instanceof Float64Array) proto.doubleData = [...values];
    else if (values instanceof BigInt64Array) proto.int64Data = [...values];
    else proto.int32Data = [...values];
  } else {
    proto.rawData = new Uint8Array(values.byteLength);
    proto.rawData.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return proto;
}

export function attributeProto(name: string, a: WriterAttr): AttributeProto {
  if ('int' in a) return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(a.int) });
  if ('float' in a) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: a.float });
  if ('ints' in a) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: a.ints.map((v) => BigInt(v)) });
  if ('floats' in a) return create(AttributeProtoSchema, { name, type: AttrType.FLOATS, floats: a.floats });
  if ('string' in a) return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(a.string) });
  if ('strings' in a) return create(AttributeProtoSchema, { name, type: AttrType.STRINGS, strings: a.strings.map((v) => new TextEncoder().encode(v)) });
  if ('graph' in a) return create(AttributeProtoSchema, { name, type: AttrType.GRAPH, g: graphProto(a.graph) });
  return create(AttributeProtoSchema, { name, type: AttrType.TENSOR, t: tensorProto({ name: a.tensor.name ?? '', ...a.tensor }) });
}

function valueInfo(v: WriterValue): ValueInfoProto {
  const shape = v.dims && create(TensorShapeProtoSchema, {
    dim: v.dims.map((d) => create(TensorShapeProto_DimensionSchema, {
      value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
    })),
  });
  const elemType = DATA_TYPES[v.dtype ?? 'float32'];
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
    attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attributeProto(k, v)),
  });
}

function graphProto(g: WriterGraph, encoding: 'raw' | 'typed' = 'raw'): GraphProto {
  return create(GraphProtoSchema, {
    name: g.name ?? 'opml',
    input: g.inputs.map(valueInfo),
    output: g.outputs.map(valueInfo),
    initializer: (g.initializers ?? []).map((t) => tensorProto(t, encoding)),
    node: g.nodes.map((n, i) => nodeProto(n, `${n.op}_${i}`)),
  });
}

export function writeOnnx(m: WriterModel): Uint8Array {
  const graph = graphProto({ ...m, name: m.graphName }, m.encoding);
  const model = create(ModelProtoSchema, {
    irVersion: 10n,
    producerName: m.producer ?? 'opml',
    opsetImport: [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(m.opset ?? DEFAULT_OPSET) })],
    graph,
  });
  return toBinary(ModelProtoSchema, model);
}
