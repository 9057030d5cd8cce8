/** Symmetric int8 quantization of constant tensors (quantization time only). */

export interface QuantizedColumns {
  /** the K×N matrix in int8 range [-127, 127], row-major */
  q: Int32Array;
  /** real ≈ q[k, j] · scales[j] */
  scales: number[];
}

/**
 * Per-channel scales where a channel that holds nothing (scale 0: all-zero weights and no bias that needs a
 * scale) takes the largest scale of the others. Its words are 0 whatever its scale, but its requant factor
 * (scale_x·scale/scale_y) shares one shift with every other channel's: an arbitrary scale such as 1 could
 * set that shift and cost the live channels their multiplier precision. Every channel empty: 1.
 */
export function fillEmptyScales(scales: readonly number[]): number[] {
  const top = scales.reduce((a, s) => (s > a ? s : a), 0);
  return scales.map((s) => (s > 0 ? s : top > 0 ? top : 1));
}

/** Quantize a K×N row-major float matrix per output column. */
export function quantizeColumns(w: Float32Array, k: number, n: number): QuantizedColumns {
  const raw: number[] = [];
  for (let j = 0; j < n; j++) {
    let m = 0;
    for (let t = 0; t < k; t++) m = Math.max(m, Math.abs(w[t * n + j]));
    raw.push(m / 127);
  }
  const scales = fillEmptyScales(raw);
  const q = new Int32Array(k * n);
  for (let t = 0; t < k; t++) for (let j = 0; j < n; j++) q[t * n + j] = Math.max(-127, Math.min(127, Math.round(w[t * n + j] / scales[j])));
  return { q, scales };
}

/** Round to int32, saturating. */
export function roundInt32(x: number): number {
  return Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, Math.round(x)));
}

/** The K×N matrix of a row-major N×K matrix. */
export function transposed(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
  return t;
}
