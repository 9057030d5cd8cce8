// Training kernels for the CNN: 3×3 convolution with padding 1 and stride 1 through im2col (so the inner
// loops run over whole planes), and 2×2/2 max pooling of ReLU outputs. Tensors are CHW blocks at an offset.

/** col[(c·9 + k)·S + pos] = in[c, pos shifted by tap k] (0 outside the plane); col has C·9·H·W entries. */
export function im2col(inp: Float32Array, inOff: number, C: number, H: number, W: number, col: Float32Array): void {
  const S = H * W;
  for (let c = 0; c < C; c++) {
    for (let k = 0; k < 9; k++) {
      const dy = Math.floor(k / 3) - 1;
      const dx = (k % 3) - 1;
      const row = (c * 9 + k) * S;
      for (let y = 0; y < H; y++) {
        const iy = y + dy;
        for (let x = 0; x < W; x++) {
          const ix = x + dx;
          col[row + y * W + x] = iy >= 0 && iy < H && ix >= 0 && ix < W ? inp[inOff + c * S + iy * W + ix] : 0;
        }
      }
    }
  }
}

/**
 * out[m, pos] = bias[m] + Σ_r w[m, r] · col[r, pos], for M filters (a multiple of 4 or not) of R = C·9 taps
 * over S positions. Four filters share each pass over `col`.
 */
export function convForward(col: Float32Array, R: number, S: number, w: Float32Array, bias: Float32Array | null, out: Float32Array, outOff: number, M: number): void {
  for (let m = 0; m < M; m++) out.fill(bias ? bias[m] : 0, outOff + m * S, outOff + (m + 1) * S);
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const o0 = outOff + m * S;
    const o1 = o0 + S;
    const o2 = o1 + S;
    const o3 = o2 + S;
    for (let r = 0; r < R; r++) {
      const w0 = w[m * R + r];
      const w1 = w[(m + 1) * R + r];
      const w2 = w[(m + 2) * R + r];
      const w3 = w[(m + 3) * R + r];
      const c = r * S;
      for (let p = 0; p < S; p++) {
        const v = col[c + p];
        out[o0 + p] += w0 * v;
        out[o1 + p] += w1 * v;
        out[o2 + p] += w2 * v;
        out[o3 + p] += w3 * v;
      }
    }
  }
  for (; m < M; m++) {
    const o = outOff + m * S;
    for (let r = 0; r < R; r++) {
      const wv = w[m * R + r];
      const c = r * S;
      for (let p = 0; p < S; p++) out[o + p] += wv * col[c + p];
    }
  }
}

/** dW[m, r] += Σ_pos dOut[m, pos] · col[r, pos] (four filters per pass over `col`). */
export function convGradWeights(col: Float32Array, R: number, S: number, dOut: Float32Array, dOff: number, M: number, dW: Float32Array): void {
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const d0 = dOff + m * S;
    const d1 = d0 + S;
    const d2 = d1 + S;
    const d3 = d2 + S;
    for (let r = 0; r < R; r++) {
      const c = r * S;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let p = 0; p < S; p++) {
        const v = col[c + p];
        a0 += dOut[d0 + p] * v;
        a1 += dOut[d1 + p] * v;
        a2 += dOut[d2 + p] * v;
        a3 += dOut[d3 + p] * v;
      }
      dW[m * R + r] += a0;
      dW[(m + 1) * R + r] += a1;
      dW[(m + 2) * R + r] += a2;
      dW[(m + 3) * R + r] += a3;
    }
  }
  for (; m < M; m++) {
    const d = dOff + m * S;
    for (let r = 0; r < R; r++) {
      const c = r * S;
      let acc = 0;
      for (let p = 0; p < S; p++) acc += dOut[d + p] * col[c + p];
      dW[m * R + r] += acc;
    }
  }
}

/** dIn (C×H×W, zeroed by the caller) += col2im(wᵀ · dOut); `dcol` is scratch of C·9·H·W entries. */
export function convGradInput(dOut: Float32Array, M: number, C: number, H: number, W: number, w: Float32Array, dcol: Float32Array, dIn: Float32Array): void {
  const S = H * W;
  const R = C * 9;
  dcol.fill(0);
  let m = 0;
  for (; m + 4 <= M; m += 4) {
    const d0 = m * S;
    const d1 = d0 + S;
    const d2 = d1 + S;
    const d3 = d2 + S;
    for (let r = 0; r < R; r++) {
      const w0 = w[m * R + r];
      const w1 = w[(m + 1) * R + r];
      const w2 = w[(m + 2) * R + r];
      const w3 = w[(m + 3) * R + r];
      const c = r * S;
      for (let p = 0; p < S; p++) {
        dcol[c + p] += w0 * dOut[d0 + p] + w1 * dOut[d1 + p] + w2 * dOut[d2 + p] + w3 * dOut[d3 + p];
      }
    }
  }
  for (; m < M; m++) {
    const d = m * S;
    for (let r = 0; r < R; r++) {
      const wv = w[m * R + r];
      const c = r * S;
      for (let p = 0; p < S; p++) dcol[c + p] += wv * dOut[d + p];
    }
  }
  for (let c = 0; c < C; c++) {
    for (let k = 0; k < 9; k++) {
      const dy = Math.floor(k / 3) - 1;
      const dx = (k % 3) - 1;
      const row = (c * 9 + k) * S;
      for (let y = 0; y < H; y++) {
        const iy = y + dy;
        if (iy < 0 || iy >= H) continue;
        for (let x = 0; x < W; x++) {
          const ix = x + dx;
          if (ix >= 0 && ix < W) dIn[c * S + iy * W + ix] += dcol[row + y * W + x];
        }
      }
    }
  }
}

/**
 * 2×2 stride-2 max pooling of relu(in) over C planes. `arg` receives the argmax's index within the input
 * block, or -1 when the pooled value is 0 (all four inputs ≤ 0, so no gradient flows).
 */
export function maxPool2Relu(inp: Float32Array, inOff: number, C: number, H: number, W: number, out: Float32Array, arg: Int32Array): void {
  const OH = H >> 1;
  const OW = W >> 1;
  for (let c = 0; c < C; c++) {
    for (let y = 0; y < OH; y++) {
      for (let x = 0; x < OW; x++) {
        let best = 0;
        let at = -1;
        for (let k = 0; k < 4; k++) {
          const idx = c * H * W + (2 * y + (k >> 1)) * W + 2 * x + (k & 1);
          const v = inp[inOff + idx];
          if (v > best) {
            best = v;
            at = idx;
          }
        }
        const o = c * OH * OW + y * OW + x;
        out[o] = best;
        arg[o] = at;
      }
    }
  }
}
