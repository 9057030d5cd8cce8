/**
 * A small, strict reader of NumPy's .npy files (format versions 1.0, 2.0 and 3.0, as documented in
 * numpy/lib/format.py): the magic "\x93NUMPY", a version, a header length (uint16 in v1, uint32 in v2/v3), a
 * Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)}, then the raw data. Only what a model
 * input can be: little-endian float32, float64, int64 and int32, in C order. Anything else (a truncated file, a
 * wrong magic, a header that is not that dict, Fortran order, another dtype, a data length that does not match
 * the shape) is refused with one line saying which.
 */
import { ModelError } from '../errors.ts';

export type NpyDType = 'float32' | 'float64' | 'int64' | 'int32';

export interface NpyArray {
  dims: number[];
  dtype: NpyDType;
  /** The values, as numbers (int64 values outside ±2^53 are refused). */
  values: Float64Array;
}

/** A .npy file that cannot be read (or an input file in the wrong form). */
export class InputFormatError extends ModelError {}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const DESCRS: Record<string, { dtype: NpyDType; size: number }> = {
  '<f4': { dtype: 'float32', size: 4 },
  '<f8': { dtype: 'float64', size: 8 },
  '<i8': { dtype: 'int64', size: 8 },
  '<i4': { dtype: 'int32', size: 4 },
};
const FIX = 'write it with numpy.save from a C-ordered float32, float64, int64 or int32 array (np.ascontiguousarray(x).astype(np.float32))';
/** Most elements one file may hold (a model input is far smaller; this keeps a hostile header from allocating gigabytes). */
export const NPY_MAX_ELEMENTS = 1 << 28;

/** Parse the bytes of a .npy file; `what` names it in errors (e.g. `--input x.npy`). */
export function readNpy(bytes: Uint8Array, what: string): NpyArray {
  const bad = (why: string, fix = FIX): never => {
    throw new InputFormatError(what, why, fix);
  };
  if (bytes.length < 10) bad(bytes.length === 0 ? 'the file is empty' : `the file is truncated (${bytes.length} bytes, shorter than a .npy header)`);
  if (!MAGIC.every((b, i) => bytes[i] === b)) bad('not a .npy file (it does not start with "\\x93NUMPY")');
  const major = bytes[6];
  const minor = bytes[7];
  if (![1, 2, 3].includes(major) || minor !== 0) bad(`.npy format version ${major}.${minor} is not one of 1.0, 2.0, 3.0`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) bad('the file is truncated inside its header');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + headerLen > bytes.length) bad(`the file is truncated: its header claims ${headerLen} bytes, ${bytes.length - start} remain`);
  let header: string;
  try {
    header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1', { fatal: true }).decode(bytes.subarray(start, start + headerLen));
  } catch {
    bad('its header is not valid text');
  }
  const { descr, fortran, shape } = parseHeader(header!, bad);
  const kind = DESCRS[descr];
  if (!kind) {
    const big = /^>/.test(descr) ? ' (big-endian)' : '';
    bad(`dtype "${descr.slice(0, 20)}"${big} is not supported: opml reads little-endian float32 (<f4), float64 (<f8), int64 (<i8) and int32 (<i4)`);
  }
  if (fortran) bad('it is in Fortran order', 'save a C-ordered array (np.ascontiguousarray(x)) or pass fortran_order=False');
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > NPY_MAX_ELEMENTS) bad(`its shape (${shape.join(', ')}) holds more than ${NPY_MAX_ELEMENTS} values`);
  }
  const dataStart = start + headerLen;
  const want = count * kind.size;
  const have = bytes.length - dataStart;
  if (have !== want) bad(`shape (${shape.join(', ')}) of ${kind.dtype} needs ${want} data bytes, the file has ${have}${have < want ? ' (truncated?)' : ''}`);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const at = dataStart + i * kind.size;
    if (kind.dtype === 'float32') values[i] = view.getFloat32(at, true);
    else if (kind.dtype === 'float64') values[i] = view.getFloat64(at, true);
    else if (kind.dtype === 'int32') values[i] = view.getInt32(at, true);
    else {
      const v = view.getBigInt64(at, true);
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) bad(`value ${i} (${v}) is far outside the int32 range opml computes in`, 'int64 inputs must fit int32 (token ids, indices)');
      values[i] = Number(v);
    }
  }
  return { dims: shape, dtype: kind.dtype, values };
}

/** The header dict: exactly the keys descr, fortran_order and shape, in any order. */
function parseHeader(text: string, bad: (why: string, fix?: string) => never): { descr: string; fortran: boolean; shape: number[] } {
  const t = text.replace(/[\s\n]+$/, '');
  const m = /^\{(.*)\}$/s.exec(t);
  if (!m) bad('its header is not a {...} dict');
  let rest = m![1].trim();
  const seen: Record<string, string> = {};
  const item = /^'(descr|fortran_order|shape)'\s*:\s*('[^']*'|True|False|\(\s*(?:\d+\s*,\s*)*(?:\d+\s*,?\s*)?\))\s*(,\s*|$)/;
  while (rest.length > 0) {
    const i = item.exec(rest);
    if (!i) bad(`its header is not the dict numpy writes (at "${rest.slice(0, 30).replace(/[^\x20-\x7e]/g, '?')}")`);
    if (seen[i![1]] !== undefined) bad(`its header names "${i![1]}" twice`);
    seen[i![1]] = i![2];
    rest = rest.slice(i![0].length);
  }
  for (const k of ['descr', 'fortran_order', 'shape']) if (seen[k] === undefined) bad(`its header has no "${k}"`);
  if (!seen.descr.startsWith("'")) bad('its header\'s "descr" is not a string');
  if (seen.fortran_order !== 'True' && seen.fortran_order !== 'False') bad('its header\'s "fortran_order" is not True or False');
  if (!seen.shape.startsWith('(')) bad('its header\'s "shape" is not a tuple');
  const shape = seen.shape
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => Number(s));
  if (shape.length > 8 || shape.some((d) => !Number.isSafeInteger(d) || d > 2 ** 31)) bad(`its shape (${seen.shape.slice(0, 40)}) is not a tuple of at most 8 sizes`);
  return { descr: seen.descr.slice(1, -1), fortran: seen.fortran_order === 'True', shape };
}

/** A .npy file's bytes (v1.0) for `values` of `dims`: for tests and for writing datasets. */
export function writeNpy(dims: number[], values: ArrayLike<number> | BigInt64Array, dtype: NpyDType = 'float32'): Uint8Array {
  const descr = Object.entries(DESCRS).find(([, k]) => k.dtype === dtype)![0];
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header = `${header}${' '.repeat(pad % 64)}\n`;
  const size = DESCRS[descr].size;
  const count = dims.reduce((a, d) => a * d, 1);
  const out = new Uint8Array(10 + header.length + count * size);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const at = 10 + header.length;
  for (let i = 0; i < count; i++) {
    const v = values[i];
    if (dtype === 'float32') view.setFloat32(at + i * 4, Number(v), true);
    else if (dtype === 'float64') view.setFloat64(at + i * 8, Number(v), true);
    else if (dtype === 'int32') view.setInt32(at + i * 4, Number(v), true);
    else view.setBigInt64(at + i * 8, BigInt(v), true);
  }
  return out;
}
