// What an ONNX file takes and gives (inputs with their declared, possibly symbolic dims; outputs), read without
// loading the graph: for `opml inspect` and for checking `--shape` before anything else runs.

import { TensorProto_DataType, type GraphProto } from 'onnx-buf';
import { decodeModel } from './decode.ts';

/** One graph input or output as an ONNX file declares it: dims are numbers, symbolic names, or null (unknown). */
export interface OnnxValue {
  name: string;
  dtype: string;
  /** null: no shape declared at all. */
  dims: (number | string | null)[] | null;
}

export interface OnnxInterface {
  opset: number;
  producer: string;
  inputs: OnnxValue[];
  outputs: OnnxValue[];
}

const DTYPE_NAMES: Record<string, string> = { FLOAT: 'float32', DOUBLE: 'float64', FLOAT16: 'float16', BFLOAT16: 'bfloat16' };

function onnxValue(v: GraphProto['input'][number]): OnnxValue {
  if (v.type?.value.case !== 'tensorType') return { name: v.name, dtype: v.type?.value.case ?? 'unknown', dims: null };
  const t = v.type.value.value;
  const raw = TensorProto_DataType[t.elemType] ?? String(t.elemType);
  const dims = t.shape ? t.shape.dim.map((d) => (d.value.case === 'dimValue' ? Number(d.value.value) : d.value.case === 'dimParam' ? d.value.value : null)) : null;
  return { name: v.name, dtype: DTYPE_NAMES[raw] ?? raw.toLowerCase(), dims };
}

/** What an ONNX file takes and gives, read without loading it (no shapes inferred, nothing checked but the opset). */
export function onnxInterface(bytes: Uint8Array): OnnxInterface {
  const { graph, opset, producer } = decodeModel(bytes);
  const constants = new Set(graph.initializer.map((t) => t.name));
  return { opset, producer, inputs: graph.input.filter((v) => !constants.has(v.name)).map(onnxValue), outputs: graph.output.map(onnxValue) };
}

/** Inputs with a dim that is not a fixed number (symbolic, unknown, or no shape at all): these need --shape. */
export function symbolicInputs(i: OnnxInterface): OnnxValue[] {
  return i.inputs.filter((v) => v.dims === null || v.dims.some((d) => typeof d !== 'number'));
}
