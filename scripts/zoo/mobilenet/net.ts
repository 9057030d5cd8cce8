// The MobileNetV2-style MNIST network: architecture, initialization, forward (training or eval) and backward.
//   Pad 28×28 → 32×32 · stem Conv 3×3/2 (1→8) BN ReLU6 · 14 inverted residual blocks (1×1 expand BN ReLU6,
//   3×3 depthwise BN ReLU6, 1×1 linear project BN, + input when the shapes match) · Conv 1×1 (48→64) BN
//   HardSwish · GlobalAveragePool · Dropout · Gemm 64→10.   44 convolutions.

import type { Prng } from '../../../models/zoo/prng.ts';
import { act, addInto, BatchNorm, Conv, HardSwish, param, Relu6, type Act, type Param } from './layers.ts';

/** (expansion t, output channels c, repeats n, first stride s), as in the MobileNetV2 paper's table. */
export const STAGES: readonly [number, number, number, number][] = [
  [2, 8, 1, 1],
  [3, 16, 2, 2],
  [3, 24, 3, 2],
  [2, 32, 4, 1],
  [2, 40, 3, 1],
  [2, 48, 1, 1],
];
export const STEM = 8;
export const HEAD = 64;
export const CLASSES = 10;
export const PAD = 2; // 28 → 32
export const DROPOUT = 0.2;

export interface ConvBn {
  conv: Conv;
  bn: BatchNorm;
  act: Relu6 | HardSwish | null;
}

export interface Block {
  name: string;
  layers: ConvBn[];
  residual: boolean;
}

export class MobileNet {
  readonly stem: ConvBn;
  readonly blocks: Block[] = [];
  readonly head: ConvBn;
  readonly fcW: Param;
  readonly fcB: Param;
  private pooled: Act | undefined;
  private dropMask: Float32Array | undefined;
  private headShape: Act | undefined;

  constructor(rng: Prng) {
    const he = (n: number, fanIn: number) => rng.normals(n, Math.sqrt(2 / fanIn));
    const convBn = (name: string, cin: number, cout: number, k: number, s: number, group: number, a: ConvBn['act']): ConvBn => ({
      conv: new Conv(name, cin, cout, k, s, (k - 1) / 2, group, he(cout * (cin / group) * k * k, (cin / group) * k * k)),
      bn: new BatchNorm(`${name}_bn`, cout),
      act: a,
    });
    this.stem = convBn('stem', 1, STEM, 3, 2, 1, new Relu6());
    let cin = STEM;
    let index = 0;
    for (const [t, c, n, s] of STAGES) {
      for (let r = 0; r < n; r++) {
        const stride = r === 0 ? s : 1;
        const hidden = cin * t;
        const name = `block${++index}`;
        this.blocks.push({
          name,
          residual: stride === 1 && cin === c,
          layers: [
            convBn(`${name}_expand`, cin, hidden, 1, 1, 1, new Relu6()),
            convBn(`${name}_dw`, hidden, hidden, 3, stride, hidden, new Relu6()),
            convBn(`${name}_project`, hidden, c, 1, 1, 1, null),
          ],
        });
        cin = c;
      }
    }
    this.head = convBn('head', cin, HEAD, 1, 1, 1, new HardSwish());
    const bound = 1 / Math.sqrt(HEAD);
    this.fcW = param('fc.weight', rng.uniforms(CLASSES * HEAD, -bound, bound));
    this.fcB = param('fc.bias', new Float32Array(CLASSES));
  }

  convBns(): ConvBn[] {
    return [this.stem, ...this.blocks.flatMap((b) => b.layers), this.head];
  }

  params(): Param[] {
    return [...this.convBns().flatMap((l) => [l.conv.w, l.bn.gamma, l.bn.beta]), this.fcW, this.fcB];
  }

  /** [n, 784] pixels in [0, 1] → [n, 1, 32, 32], the 28×28 image placed at (top, left) (2, 2 in eval). */
  static padded(images: Float32Array, n: number, offsets?: Int32Array): Act {
    const x = act(n, 1, 28 + 2 * PAD, 28 + 2 * PAD);
    const W = x.w;
    for (let b = 0; b < n; b++) {
      const top = offsets ? offsets[2 * b] : PAD;
      const left = offsets ? offsets[2 * b + 1] : PAD;
      for (let y = 0; y < 28; y++) {
        for (let xx = 0; xx < 28; xx++) x.d[b * W * W + (y + top) * W + xx + left] = images[b * 784 + y * 28 + xx];
      }
    }
    return x;
  }

  private runConvBn(l: ConvBn, x: Act, training: boolean): Act {
    let y = l.bn.forward(l.conv.forward(x), training);
    if (l.act) y = l.act.forward(y);
    return y;
  }

  private backConvBn(l: ConvBn, dy: Act): Act {
    let d = dy;
    if (l.act) d = l.act.backward(d);
    return l.conv.backward(l.bn.backward(d));
  }

  /** Logits [n, 10] (row-major). `rng` (training only) draws the dropout mask. */
  forward(x: Act, training: boolean, rng?: Prng): Float64Array {
    let h = this.runConvBn(this.stem, x, training);
    for (const block of this.blocks) {
      const input = h;
      for (const l of block.layers) h = this.runConvBn(l, h, training);
      if (block.residual) addInto(h, input);
    }
    h = this.runConvBn(this.head, h, training);
    this.headShape = h;
    const S = h.h * h.w;
    const pooled = new Float32Array(h.n * h.c);
    for (let i = 0; i < h.n * h.c; i++) {
      let s = 0;
      for (let p = 0; p < S; p++) s += h.d[i * S + p];
      pooled[i] = s / S;
    }
    if (training) {
      this.dropMask = new Float32Array(pooled.length);
      for (let i = 0; i < pooled.length; i++) {
        this.dropMask[i] = rng!.uniform() < DROPOUT ? 0 : 1 / (1 - DROPOUT);
        pooled[i] *= this.dropMask[i];
      }
    }
    this.pooled = { n: h.n, c: h.c, h: 1, w: 1, d: pooled };
    const logits = new Float64Array(h.n * CLASSES);
    const w = this.fcW.value;
    for (let b = 0; b < h.n; b++) {
      for (let k = 0; k < CLASSES; k++) {
        let acc = this.fcB.value[k];
        for (let j = 0; j < HEAD; j++) acc += w[k * HEAD + j] * pooled[b * HEAD + j];
        logits[b * CLASSES + k] = acc;
      }
    }
    return logits;
  }

  /** Backward from d(loss)/d(logits) [n, 10]; accumulates every parameter's gradient. */
  backward(dlogits: Float64Array): void {
    const pooled = this.pooled!;
    const hs = this.headShape!;
    const n = pooled.n;
    const w = this.fcW.value;
    const dpool = new Float32Array(n * HEAD);
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < CLASSES; k++) {
        const d = dlogits[b * CLASSES + k];
        this.fcB.grad[k] += d;
        for (let j = 0; j < HEAD; j++) {
          this.fcW.grad[k * HEAD + j] += d * pooled.d[b * HEAD + j];
          dpool[b * HEAD + j] += d * w[k * HEAD + j];
        }
      }
    }
    if (this.dropMask) for (let i = 0; i < dpool.length; i++) dpool[i] *= this.dropMask[i];
    const S = hs.h * hs.w;
    const dh = act(hs.n, hs.c, hs.h, hs.w);
    for (let i = 0; i < n * HEAD; i++) for (let p = 0; p < S; p++) dh.d[i * S + p] = dpool[i] / S;
    let d = this.backConvBn(this.head, dh);
    for (let bi = this.blocks.length - 1; bi >= 0; bi--) {
      const block = this.blocks[bi];
      const skip = block.residual ? d : null;
      for (let li = block.layers.length - 1; li >= 0; li--) d = this.backConvBn(block.layers[li], d);
      if (skip) addInto(d, skip);
    }
    this.backConvBn(this.stem, d);
  }
}
