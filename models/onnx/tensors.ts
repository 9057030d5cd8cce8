// ONNX TensorProto → FloatTensor / IntTensor. Reads raw_data (little-endian) and the typed fields
// float_data, int64_data, int32_data.

import { TensorProto_DataLocation, TensorProto_DataType, type TensorProto } from 'onnx-buf';
import { OnnxLoadError, ShapeError } from '../errors.ts';
import { formatDims, MAX_ELEMENTS, numElements, type Tensor } from '../graph.ts';

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Checks that dims are sane and their element count is within MAX_ELEMENTS; returns the count. */
export function checkDims(subject: string, dims: readonly number[]): number {
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(subject, `dimension ${d} in ${formatDims(dims)} is not a non-negative integer`, 'fix the shape');
    }
  }
  const n = dims.reduce((p, d) => p * d, 1);
  if (n > MAX_ELEMENTS) {
    throw new ShapeError(
      subject,
      `dims ${formatDims(dims)} hold ${n} elements, more than the limit of 2^28 (${MAX_ELEMENTS})`,
      'the model is corrupt or too large for opml; check the exported shapes',
    );
  }
  return n;
}

export function dimsFromProto(subject: string, dims: readonly bigint[]): number[] {
  const out = dims.map((d) => (d > BigInt(Number.MAX_SAFE_INTEGER) || d < 0n ? Number.NaN : Number(d)));
  if (out.some((d) => Number.isNaN(d))) {
    throw new ShapeError(subject, `dims [${dims.join(', ')}] are negative or absurdly large`, 'the model is corrupt');
  }
  checkDims(subject, out);
  return out;
}

function toInt32(subject: string, value: bigint | number): number {
  const v = Number(value);
  if (v < INT32_MIN || v > INT32_MAX) {
    throw new OnnxLoadError(subject, `integer value ${value} is outside the int32 range`, 'opml stores integers in int32 words');
  }
  return v;
}

function rawView(raw: Uint8Array): DataView {
  return new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
}

function checkLength(subject: string, field: string, got: number, want: number, dims: number[], unit = 'values'): void {
  if (got !== want) {
    throw new OnnxLoadError(
      subject,
      `${field} holds ${got} ${unit} but dims ${formatDims(dims)} need ${want}`,
      'the file is truncated or corrupt; re-export it',
    );
  }
}

export function tensorFromProto(t: TensorProto, subject = `initializer "${t.name}"`): Tensor {
  if (t.dataLocation === TensorProto_DataLocation.EXTERNAL || t.externalData.length > 0) {
    throw new OnnxLoadError(
      subject,
      'its data is stored in an external file',
      'save the model with all tensors embedded (onnx.save(model, path, save_as_external_data=False))',
    );
  }
  if (t.segment) throw new OnnxLoadError(subject, 'segmented tensors are not supported', 're-save the model');
  const dims = dimsFromProto(subject, t.dims);
  const n = numElements(dims);
  const raw = t.rawData;
  switch (t.dataType) {
    case TensorProto_DataType.FLOAT: {
      const data = new Float32Array(n);
      if (raw.length > 0) {
        checkLength(subject, 'raw_data', raw.length, 4 * n, dims, 'bytes');
        const view = rawView(raw);
        for (let i = 0; i < n; i++) data[i] = view.getFloat32(4 * i, true);
      } else {
        checkLength(subject, 'float_data', t.floatData.length, n, dims);
        data.set(t.floatData);
      }
      return { dims, data };
    }
    case TensorProto_DataType.INT64: {
      const data = new Int32Array(n);
      if (raw.length > 0) {
        checkLength(subject, 'raw_data', raw.length, 8 * n, dims, 'bytes');
        const view = rawView(raw);
        for (let i = 0; i < n; i++) data[i] = toInt32(subject, view.getBigInt64(8 * i, true));
      } else {
        checkLength(subject, 'int64_data', t.int64Data.length, n, dims);
        for (let i = 0; i < n; i++) data[i] = toInt32(subject, t.int64Data[i]);
      }
      return { dims, data };
    }
    case TensorProto_DataType.INT32: {
      const data = new Int32Array(n);
      if (raw.length > 0) {
        checkLength(subject, 'raw_data', raw.length, 4 * n, dims, 'bytes');
        const view = rawView(raw);
        for (let i = 0; i < n; i++) data[i] = view.getInt32(4 * i, true);
      } else {
        checkLength(subject, 'int32_data', t.int32Data.length, n, dims);
        data.set(t.int32Data);
      }
      return { dims, data };
    }
    default: {
      const typeName = TensorProto_DataType[t.dataType] ?? String(t.dataType);
      throw new OnnxLoadError(
        subject,
        `data type ${typeName} is not supported (only FLOAT, INT64 and INT32)`,
        'convert the model to float32 before loading it',
      );
    }
  }
}
