// Graph inputs: ONNX ValueInfoProto → ValueInfo with static dims (symbolic dims resolved from options).

import { TensorProto_DataType, type ValueInfoProto } from 'onnx-buf';
import { InputShapeError, OnnxLoadError } from '../errors.ts';
import { formatDims, type DType, type ValueInfo } from '../graph.ts';
import { checkDims } from './tensors.ts';

export function dtypeOf(elemType: number): DType | undefined {
  if (elemType === TensorProto_DataType.FLOAT) return 'float32';
  if (elemType === TensorProto_DataType.INT64 || elemType === TensorProto_DataType.INT32) return 'int64';
  return undefined;
}

/** Reads a graph input. `override` (from LoadOptions.inputDims) replaces symbolic or missing dims. */
export function graphInput(v: ValueInfoProto, override: readonly number[] | undefined): ValueInfo {
  const subject = `graph input "${v.name}"`;
  if (v.type?.value.case !== 'tensorType') {
    throw new OnnxLoadError(subject, 'it is not a tensor', 'opml models take dense tensors as inputs');
  }
  const tensorType = v.type.value.value;
  const dtype = dtypeOf(tensorType.elemType);
  if (!dtype) {
    const name = TensorProto_DataType[tensorType.elemType] ?? String(tensorType.elemType);
    throw new OnnxLoadError(subject, `element type ${name} is not supported`, 'use float32 or int64 inputs');
  }
  const fix = (example: string) => `pass { inputDims: { "${v.name}": ${example} } } to loadOnnx`;
  const declared = tensorType.shape?.dim;
  if (!declared) {
    if (!override) throw new OnnxLoadError(subject, 'its shape is not declared', fix('[...]'));
    checkDims(subject, override);
    return { name: v.name, dims: [...override], dtype };
  }
  if (override && override.length !== declared.length) {
    throw new InputShapeError(subject, `inputDims ${formatDims(override)} has rank ${override.length}, the model declares rank ${declared.length}`, 'pass dims of the declared rank');
  }
  const dims = declared.map((d, i) => {
    const fixed = d.value.case === 'dimValue' ? Number(d.value.value) : undefined;
    const given = override?.[i];
    if (fixed !== undefined && given !== undefined && given !== fixed) {
      throw new InputShapeError(subject, `inputDims gives ${given} for axis ${i}, the model fixes it to ${fixed}`, `use ${fixed}`);
    }
    const dim = fixed ?? given;
    if (dim === undefined) {
      const label = d.value.case === 'dimParam' ? `symbolic ("${d.value.value}")` : 'unknown';
      const example = formatDims(declared.map((e) => (e.value.case === 'dimValue' ? Number(e.value.value) : 1)));
      throw new OnnxLoadError(subject, `dim ${i} is ${label}; opml needs static shapes`, fix(example));
    }
    return dim;
  });
  checkDims(subject, dims);
  return { name: v.name, dims, dtype };
}
