// Training layers for the MobileNetV2-style zoo model, in plain TypeScript with hand-written backward passes.
// Activations are NCHW batches (`Act`); each layer keeps what its backward pass needs from the last forward.

export interface Act {
  n: number;
  c: number;
  h: number;
  w: number;
  d: Float32Array;
}

export function act(n: number, c: number, h: number, w: number): Act {
  return { n, c, h, w, d: new Float32Array(n * c * h * w) };
}

/** Trainable parameters with their gradients (the optimizer walks these). */
export interface Param {
  name: string;
  value: Float32Array;
  grad: Float32Array;
}

function param(name: string, value: Float32Array): Param {
  return { name, value, grad: new Float32Array(value.length) };
}

/** 2-D convolution, no bias (a BatchNormalization follows every conv), square kernel, grouped/depthwise. */
export class Conv {
  readonly w: Param;
  private x: Act | undefined;
  constructor(
    readonly name: string,
    readonly cin: number,
    readonly cout: number,
    readonly k: number,
    readonly stride: number,
    readonly pad: number,
    readonly group: number,
    init: Float32Array,
  ) {
    this.w = param(`${name}.weight`, init);
  }

  outSize(h: number): number {
    return Math.floor((h + 2 * this.pad - this.k) / this.stride) + 1;
  }

  forward(x: Act): Act {
    this.x = x;
    const { k, stride: s, pad: p, group } = this;
    const M = this.cout;
    const C = this.cin;
    const cg = C / group;
    const mg = M / group;
    const OH = this.outSize(x.h);
    const OW = this.outSize(x.w);
    const y = act(x.n, M, OH, OW);
    const H = x.h;
    const W = x.w;
    const w = this.w.value;
    const xd = x.d;
    const yd = y.d;
    const pointwise = k === 1 && s === 1 && p === 0;
    const S = OH * OW;
    for (let b = 0; b < x.n; b++) {
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / mg);
        const o = (b * M + m) * S;
        for (let ic = 0; ic < cg; ic++) {
          const ip = (b * C + g * cg + ic) * H * W;
          if (pointwise) {
            const wv = w[m * cg + ic];
            for (let i = 0; i < S; i++) yd[o + i] += wv * xd[ip + i];
            continue;
          }
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const wv = w[((m * cg + ic) * k + ky) * k + kx];
              const ox0 = Math.max(0, Math.ceil((p - kx) / s));
              const ox1 = Math.min(OW, Math.floor((W - 1 + p - kx) / s) + 1);
              for (let oy = 0; oy < OH; oy++) {
                const iy = oy * s - p + ky;
                if (iy < 0 || iy >= H) continue;
                const row = ip + iy * W - p + kx;
                const orow = o + oy * OW;
                for (let ox = ox0; ox < ox1; ox++) yd[orow + ox] += wv * xd[row + ox * s];
              }
            }
          }
        }
      }
    }
    return y;
  }

  backward(dy: Act): Act {
    const x = this.x!;
    const { k, stride: s, pad: p, group } = this;
    const M = this.cout;
    const C = this.cin;
    const cg = C / group;
    const mg = M / group;
    const OH = dy.h;
    const OW = dy.w;
    const H = x.h;
    const W = x.w;
    const dx = act(x.n, C, H, W);
    const w = this.w.value;
    const gw = this.w.grad;
    const xd = x.d;
    const dxd = dx.d;
    const dyd = dy.d;
    const pointwise = k === 1 && s === 1 && p === 0;
    const S = OH * OW;
    for (let b = 0; b < x.n; b++) {
      for (let m = 0; m < M; m++) {
        const g = Math.floor(m / mg);
        const o = (b * M + m) * S;
        for (let ic = 0; ic < cg; ic++) {
          const ip = (b * C + g * cg + ic) * H * W;
          if (pointwise) {
            const wi = m * cg + ic;
            const wv = w[wi];
            let acc = 0;
            for (let i = 0; i < S; i++) {
              const d = dyd[o + i];
              acc += d * xd[ip + i];
              dxd[ip + i] += wv * d;
            }
            gw[wi] += acc;
            continue;
          }
          for (let ky = 0; ky < k; ky++) {
            for (let kx = 0; kx < k; kx++) {
              const wi = ((m * cg + ic) * k + ky) * k + kx;
              const wv = w[wi];
              const ox0 = Math.max(0, Math.ceil((p - kx) / s));
              const ox1 = Math.min(OW, Math.floor((W - 1 + p - kx) / s) + 1);
              let acc = 0;
              for (let oy = 0; oy < OH; oy++) {
                const iy = oy * s - p + ky;
                if (iy < 0 || iy >= H) continue;
                const row = ip + iy * W - p + kx;
                const orow = o + oy * OW;
                for (let ox = ox0; ox < ox1; ox++) {
                  const d = dyd[orow + ox];
                  acc += d * xd[row + ox * s];
                  dxd[row + ox * s] += wv * d;
                }
              }
              gw[wi] += acc;
            }
          }
        }
      }
    }
    return dx;
  }
}

export const BN_EPSILON = 1e-5;

/** BatchNormalization: batch statistics in training (running averages kept for export), running ones in eval. */
export class BatchNorm {
  readonly gamma: Param;
  readonly beta: Param;
  readonly mean: Float32Array;
  readonly variance: Float32Array;
  /** Running-average momentum (PyTorch's convention: new = (1 − m)·old + m·batch); null = cumulative average. */
  momentum: number | null = 0.1;
  private seen = 0;
  private xhat: Float32Array | undefined;
  private invStd: Float64Array;
  private shape: Act | undefined;

  constructor(
    readonly name: string,
    readonly c: number,
  ) {
    this.gamma = param(`${name}.weight`, new Float32Array(c).fill(1));
    this.beta = param(`${name}.bias`, new Float32Array(c));
    this.mean = new Float32Array(c);
    this.variance = new Float32Array(c).fill(1);
    this.invStd = new Float64Array(c);
  }

  resetStats(): void {
    this.mean.fill(0);
    this.variance.fill(1);
    this.seen = 0;
  }

  forward(x: Act, training: boolean): Act {
    const y = act(x.n, x.c, x.h, x.w);
    const S = x.h * x.w;
    const g = this.gamma.value;
    const be = this.beta.value;
    if (!training) {
      for (let c = 0; c < x.c; c++) {
        const inv = 1 / Math.sqrt(this.variance[c] + BN_EPSILON);
        for (let b = 0; b < x.n; b++) {
          const base = (b * x.c + c) * S;
          for (let i = 0; i < S; i++) y.d[base + i] = g[c] * (x.d[base + i] - this.mean[c]) * inv + be[c];
        }
      }
      return y;
    }
    this.shape = x;
    this.xhat = new Float32Array(x.d.length);
    const n = x.n * S;
    for (let c = 0; c < x.c; c++) {
      let mean = 0;
      for (let b = 0; b < x.n; b++) {
        const base = (b * x.c + c) * S;
        for (let i = 0; i < S; i++) mean += x.d[base + i];
      }
      mean /= n;
      let sq = 0;
      for (let b = 0; b < x.n; b++) {
        const base = (b * x.c + c) * S;
        for (let i = 0; i < S; i++) sq += (x.d[base + i] - mean) ** 2;
      }
      const variance = sq / n;
      const inv = 1 / Math.sqrt(variance + BN_EPSILON);
      this.invStd[c] = inv;
      for (let b = 0; b < x.n; b++) {
        const base = (b * x.c + c) * S;
        for (let i = 0; i < S; i++) {
          const xh = (x.d[base + i] - mean) * inv;
          this.xhat[base + i] = xh;
          y.d[base + i] = g[c] * xh + be[c];
        }
      }
      const unbiased = n > 1 ? (variance * n) / (n - 1) : variance;
      const m = this.momentum ?? 1 / (this.seen + 1);
      this.mean[c] = (1 - m) * this.mean[c] + m * mean;
      this.variance[c] = (1 - m) * this.variance[c] + m * unbiased;
    }
    this.seen++;
    return y;
  }

  backward(dy: Act): Act {
    const x = this.shape!;
    const xhat = this.xhat!;
    const S = x.h * x.w;
    const n = x.n * S;
    const dx = act(x.n, x.c, x.h, x.w);
    for (let c = 0; c < x.c; c++) {
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let b = 0; b < x.n; b++) {
        const base = (b * x.c + c) * S;
        for (let i = 0; i < S; i++) {
          sumDy += dy.d[base + i];
          sumDyXhat += dy.d[base + i] * xhat[base + i];
        }
      }
      this.beta.grad[c] += sumDy;
      this.gamma.grad[c] += sumDyXhat;
      const k = (this.gamma.value[c] * this.invStd[c]) / n;
      for (let b = 0; b < x.n; b++) {
        const base = (b * x.c + c) * S;
        for (let i = 0; i < S; i++) dx.d[base + i] = k * (n * dy.d[base + i] - sumDy - xhat[base + i] * sumDyXhat);
      }
    }
    return dx;
  }
}

/** ReLU6 = Clip(x, 0, 6). */
export class Relu6 {
  private x: Act | undefined;
  forward(x: Act): Act {
    this.x = x;
    const y = act(x.n, x.c, x.h, x.w);
    for (let i = 0; i < x.d.length; i++) y.d[i] = Math.min(6, Math.max(0, x.d[i]));
    return y;
  }
  backward(dy: Act): Act {
    const x = this.x!;
    const dx = act(x.n, x.c, x.h, x.w);
    for (let i = 0; i < x.d.length; i++) dx.d[i] = x.d[i] > 0 && x.d[i] < 6 ? dy.d[i] : 0;
    return dx;
  }
}

/** HardSwish = x · HardSigmoid(x), HardSigmoid(x) = clip(x/6 + 1/2, 0, 1). */
export class HardSwish {
  private x: Act | undefined;
  forward(x: Act): Act {
    this.x = x;
    const y = act(x.n, x.c, x.h, x.w);
    for (let i = 0; i < x.d.length; i++) {
      const v = x.d[i];
      y.d[i] = v * Math.min(1, Math.max(0, v / 6 + 0.5));
    }
    return y;
  }
  backward(dy: Act): Act {
    const x = this.x!;
    const dx = act(x.n, x.c, x.h, x.w);
    for (let i = 0; i < x.d.length; i++) {
      const v = x.d[i];
      dx.d[i] = dy.d[i] * (v <= -3 ? 0 : v >= 3 ? 1 : (2 * v + 3) / 6);
    }
    return dx;
  }
}

export function addActs(a: Act, b: Act): Act {
  const y = act(a.n, a.c, a.h, a.w);
  for (let i = 0; i < y.d.length; i++) y.d[i] = a.d[i] + b.d[i];
  return y;
}

export function addInto(into: Act, b: Act): void {
  for (let i = 0; i < into.d.length; i++) into.d[i] += b.d[i];
}

export { param };
