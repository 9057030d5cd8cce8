// Shape arithmetic shared by the loader (shape inference) and the evaluator.

/** Row-major strides of a shape. */
export function stridesOf(dims: readonly number[]): number[] {
  const strides = new Array<number>(dims.length);
  let s = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= dims[i];
  }
  return strides;
}

/** Multidirectional (numpy) broadcast of two shapes, or null when they are incompatible. */
export function broadcastDims(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** True when `from` broadcasts to exactly `to` (unidirectional broadcasting). */
export function broadcastsTo(from: readonly number[], to: readonly number[]): boolean {
  const out = broadcastDims(from, to);
  return out !== null && out.length === to.length && out.every((d, i) => d === to[i]);
}

export function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export function product(dims: readonly number[], from = 0, to = dims.length): number {
  let p = 1;
  for (let i = from; i < to; i++) p *= dims[i];
  return p;
}

/** For each flat index of `dims`, the dot product of its coordinates with `strides`. */
export function strideIndex(dims: readonly number[], strides: readonly number[]): Int32Array {
  const n = dims.reduce((p, d) => p * d, 1);
  const out = new Int32Array(n);
  const rank = dims.length;
  const coord = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let i = 0; i < n; i++) {
    out[i] = offset;
    for (let a = rank - 1; a >= 0; a--) {
      coord[a]++;
      offset += strides[a];
      if (coord[a] < dims[a]) break;
      offset -= coord[a] * strides[a];
      coord[a] = 0;
    }
  }
  return out;
}

/** Strides that read a tensor of `dims` broadcast to `outDims` (0 along broadcast axes). */
export function broadcastStrides(dims: readonly number[], outDims: readonly number[]): number[] {
  const own = stridesOf(dims);
  const lead = outDims.length - dims.length;
  return outDims.map((_, i) => (i < lead || dims[i - lead] === 1 ? 0 : own[i - lead]));
}

/** For each element of `outDims`, the flat index into a tensor of `dims` broadcast to it. */
export function broadcastIndex(dims: readonly number[], outDims: readonly number[]): Int32Array {
  return strideIndex(outDims, broadcastStrides(dims, outDims));
}
