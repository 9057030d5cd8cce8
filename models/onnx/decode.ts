// Bytes → ONNX protobuf messages (onnx-buf), plus the model-level checks: a graph exists, the default-domain
// opset is one we know the semantics of (older opsets are adapted node by node, models/onnx/opsets/).

import { fromBinary } from '@bufbuild/protobuf';
import { ModelProtoSchema, type GraphProto } from 'onnx-buf';
import { OnnxLoadError } from '../errors.ts';

/** Default-domain opsets whose semantics for the supported ops the loader implements. */
export const MIN_OPSET = 7;
export const MAX_OPSET = 25;

export interface DecodedModel {
  graph: GraphProto;
  opset: number;
  /** producer_name and producer_version, space-separated ('' when absent). */
  producer: string;
}

export function decodeModel(bytes: Uint8Array): DecodedModel {
  const subject = `ONNX model (${bytes.length} bytes)`;
  if (bytes.length === 0) throw new OnnxLoadError(subject, 'the file is empty', 'pass the bytes of a .onnx file');
  let model;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (e) {
    throw new OnnxLoadError(
      subject,
      `cannot decode the protobuf (${(e as Error).message})`,
      'the file is truncated or is not an ONNX model; re-export or re-download it',
    );
  }
  if (!model.graph) {
    throw new OnnxLoadError(subject, 'it has no graph', 'the file is truncated or is not an ONNX model');
  }
  const imports = model.opsetImport.filter((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (imports.length === 0) {
    throw new OnnxLoadError(subject, 'it imports no default-domain (ai.onnx) opset', 'add an opset_import entry');
  }
  const opset = Number(imports[0].version);
  if (opset < MIN_OPSET) {
    throw new OnnxLoadError(
      subject,
      `opset ${opset} is older than the supported range ${MIN_OPSET}..${MAX_OPSET}`,
      `convert it with onnx.version_converter to opset ${MIN_OPSET} or later`,
    );
  }
  if (opset > MAX_OPSET) {
    throw new OnnxLoadError(
      subject,
      `opset ${opset} is newer than the supported range ${MIN_OPSET}..${MAX_OPSET}`,
      `re-export with an opset in that range (e.g. torch.onnx.export(..., opset_version=17))`,
    );
  }
  return { graph: model.graph, opset, producer: [model.producerName, model.producerVersion].filter(Boolean).join(' ') };
}
