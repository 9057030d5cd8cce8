// ONNX TensorProto → FloatTensor / IntTensor. Reads raw_data (little-endian) and the typed fields
// float_data, double_data, int64_data, int32_data, uint64_data. FLOAT, DOUBLE and FLOAT16 become float32;
// INT64, INT32, INT16, INT8, UINT8, UINT16, UINT32, UINT64 and BOOL become int32 words (saturated: INT64_MAX
// and INT64_MIN are "to the end" markers in Slice and friends).

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

/** Saturates an integer to the int32 range (int64 "infinities" such as INT64_MAX become INT32_MAX). */
export function saturateInt32(value: bigint | number): number {
  const v = Number(value);
  if (v < INT32_MIN) return INT32_MIN;
  if (v > INT32_MAX) return INT32_MAX;
  return v;
}

/** IEEE half → number. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Integer element types stored in raw_data: bytes per element and the little-endian reader. */
const RAW_INTS: Partial<Record<TensorProto_DataType, [number, (v: DataView, i: number) => number | bigint]>> = {
  [TensorProto_DataType.INT64]: [8, (v, i) => v.getBigInt64(8 * i, true)],
  [TensorProto_DataType.UINT64]: [8, (v, i) => v.getBigUint64(8 * i, true)],
  [TensorProto_DataType.INT32]: [4, (v, i) => v.getInt32(4 * i, true)],
  [TensorProto_DataType.UINT32]: [4, (v, i) => v.getUint32(4 * i, true)],
  [TensorProto_DataType.INT16]: [2, (v, i) => v.getInt16(2 * i, true)],
  [TensorProto_DataType.UINT16]: [2, (v, i) => v.getUint16(2 * i, true)],
  [TensorProto_DataType.INT8]: [1, (v, i) => v.getInt8(i)],
  [TensorProto_DataType.UINT8]: [1, (v, i) => v.getUint8(i)],
  [TensorProto_DataType.BOOL]: [1, (v, i) => (v.getUint8(i) !== 0 ? 1 : 0)],
};

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
    case TensorProto_DataType.DOUBLE: {
      const data = new Float32Array(n);
      if (raw.length > 0) {
        checkLength(subject, 'raw_data', raw.length, 8 * n, dims, 'bytes');
        const view = rawView(raw);
        for (let i = 0; i < n; i++) data[i] = view.getFloat64(8 * i, true);
      } else {
        checkLength(subject, 'double_data', t.doubleData.length, n, dims);
        data.set(t.doubleData);
      }
      return { dims, data };
    }
    case TensorProto_DataType.FLOAT16: {
      const data = new Float32Array(n);
      if (raw.length > 0) {
        checkLength(subject, 'raw_data', raw.length, 2 * n, dims, 'bytes');
        const view = rawView(raw);
        for (let i = 0; i < n; i++) data[i] = halfToNumber(view.getUint16(2 * i, true));
      } else {
        checkLength(subject, 'int32_data', t.int32Data.length, n, dims);
        for (let i = 0; i < n; i++) data[i] = halfToNumber(t.int32Data[i]);
      }
      return { dims, data };
    }
    case TensorProto_DataType.INT64:
    case TensorProto_DataType.UINT64:
    case TensorProto_DataType.INT32:
    case TensorProto_DataType.UINT32:
    case TensorProto_DataType.INT16:
    case TensorProto_DataType.UINT16:
    case TensorProto_DataType.INT8:
    case TensorProto_DataType.UINT8:
    case TensorProto_DataType.BOOL: {
      const data = new Int32Array(n);
      const [size, read] = RAW_INTS[t.dataType]!;
      if (raw.length > 0) {
        checkLength(subject, 'raw_data', raw.length, size * n, dims, 'bytes');
        const view = rawView(raw);
        for (let i = 0; i < n; i++) data[i] = saturateInt32(read(view, i));
      } else {
        const field = t.dataType === TensorProto_DataType.INT64 ? 'int64_data' : t.dataType === TensorProto_DataType.UINT64 ? 'uint64_data' : 'int32_data';
        const values: readonly (number | bigint)[] = field === 'int64_data' ? t.int64Data : field === 'uint64_data' ? t.uint64Data : t.int32Data;
        checkLength(subject, field, values.length, n, dims);
        for (let i = 0; i < n; i++) data[i] = t.dataType === TensorProto_DataType.BOOL ? (Number(values[i]) !== 0 ? 1 : 0) : saturateInt32(values[i]);
      }
      return { dims, data };
    }
    default: {
      const typeName = TensorProto_DataType[t.dataType] ?? String(t.dataType);
      throw new OnnxLoadError(
        subject,
        `data type ${typeName} is not supported (only float, integer and bool tensors)`,
        'convert the model to float32 before loading it',
      );
    }
  }
}
