/** Symmetric int8 quantization of constant tensors (quantization time only). */

export interface QuantizedColumns {
  /** the K×N matrix in int8 range [-127, 127], row-major */
  q: Int32Array;
  /** real ≈ q[k, j] · scales[j] */
  scales: number[];
}

/** Quantize a K×N row-major float matrix per output column. */
export function quantizeColumns(w: Float32Array, k: number, n: number): QuantizedColumns {
  const scales: number[] = [];
  for (let j = 0; j < n; j++) {
    let m = 0;
    for (let t = 0; t < k; t++) m = Math.max(m, Math.abs(w[t * n + j]));
    scales.push(m > 0 ? m / 127 : 1);
  }
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
