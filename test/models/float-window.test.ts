/**
 * The float evaluator's Conv / MaxPool / AveragePool (models/float/kernels/window.ts) against the plain
 * per-output definitions below, bit for bit: calibration reads these values, so the loop order of the fast
 * kernels must not change a single float (the terms of each output in (channel, ky, kx) order). Random shapes,
 * strides, dilations, pads, groups, batches, and NaN / ±0 / ±Infinity / tiny inputs; huge terms (±1e17) that
 * cancel, so that any change in the order of a sum shows after rounding to float32.
 */
import { expect, it } from 'vitest';
import { averagePool, conv, maxPool } from '../../models/float/kernels/window.ts';

/* eslint-disable @typescript-eslint/no-explicit-any */
function forWindow(w: any, h: number, wid: number, oh: number, ow: number, visit: (offset: number, k: number) => void) {
  const [kh, kw] = w.kernelShape;
  for (let y = 0; y < kh; y++) { const iy = oh * w.strides[0] - w.pads[0] + y * w.dilations[0]; if (iy < 0 || iy >= h) continue;
    for (let x = 0; x < kw; x++) { const ix = ow * w.strides[1] - w.pads[1] + x * w.dilations[1]; if (ix < 0 || ix >= wid) continue; visit(iy * wid + ix, y * kw + x); } }
}
function oldConv(node: any, inputs: any[], outDims: number[]) {
  const x = inputs[0], w = inputs[1], bias = inputs[2];
  const [batch, c, h, wid] = x.dims; const [, m, oh, ow] = outDims;
  const cg = c / node.attrs.group, mg = m / node.attrs.group, kk = node.attrs.kernelShape[0] * node.attrs.kernelShape[1];
  const out = new Float32Array(outDims.reduce((a, b) => a * b, 1)); let o = 0;
  for (let b = 0; b < batch; b++) for (let oc = 0; oc < m; oc++) { const g = Math.floor(oc / mg);
    for (let y = 0; y < oh; y++) for (let xo = 0; xo < ow; xo++) { let acc = bias ? bias.data[oc] : 0;
      for (let ic = 0; ic < cg; ic++) { const plane = (b * c + g * cg + ic) * h * wid; const filter = (oc * cg + ic) * kk;
        forWindow(node.attrs, h, wid, y, xo, (off, k) => { acc += x.data[plane + off] * w.data[filter + k]; }); }
      out[o++] = acc; } }
  return out;
}
function oldPool(node: any, inputs: any[], outDims: number[], avg: boolean) {
  const x = inputs[0]; const [, , h, wid] = x.dims; const [batch, c, oh, ow] = outDims;
  const out = new Float32Array(outDims.reduce((a, b) => a * b, 1)); let o = 0;
  for (let plane = 0; plane < batch * c; plane++) { const base = plane * h * wid;
    for (let y = 0; y < oh; y++) for (let xo = 0; xo < ow; xo++) { const values: number[] = [];
      forWindow(node.attrs, h, wid, y, xo, (off) => values.push(x.data[base + off]));
      if (!avg) out[o++] = Math.max(...values); else { const sum = values.reduce((s, v) => s + v, 0);
        const count = node.attrs.countIncludePad ? node.attrs.kernelShape[0] * node.attrs.kernelShape[1] : values.length; out[o++] = sum / count; } } }
  return out;
}
let seed = 7; const rnd = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x7fffffff; };
const ri = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
it('equals the per-output definitions bit for bit on 400 random windows', () => {
let n = 0;
for (let t = 0; t < 400; t++) {
  const group = [1, 1, 2][ri(0, 2)]; const c = group * ri(1, 3), m = group * ri(1, 3);
  const kh = ri(1, 4), kw = ri(1, 4), sh = ri(1, 3), sw = ri(1, 3), dh = ri(1, 2), dw = ri(1, 2);
  const pads = [ri(0, 2), ri(0, 2), ri(0, 2), ri(0, 2)]; const h = ri(1, 9), wid = ri(1, 9); const batch = ri(1, 2);
  const oh = Math.floor((h + pads[0] + pads[2] - dh * (kh - 1) - 1) / sh) + 1, ow = Math.floor((wid + pads[1] + pads[3] - dw * (kw - 1) - 1) / sw) + 1;
  if (oh < 1 || ow < 1) continue;
  const attrs = { kernelShape: [kh, kw], strides: [sh, sw], pads, dilations: [dh, dw], group, countIncludePad: rnd() < 0.5 };
  const special = [0, -0, NaN, Infinity, -Infinity, 1e-30];
  const X = { dims: [batch, c, h, wid], data: Float32Array.from({ length: batch * c * h * wid }, () => (rnd() < 0.05 ? special[ri(0, 5)] : rnd() < 0.3 ? (rnd() - 0.5) * 1e18 : rnd() * 4 - 2)) };
  const W = { dims: [m, c / group, kh, kw], data: Float32Array.from({ length: m * (c / group) * kh * kw }, () => rnd() * 2 - 1) };
  const B = { dims: [m], data: Float32Array.from({ length: m }, () => rnd() - 0.5) };
  const node = { name: 'n', op: 'Conv', attrs } as any;
  const outC = [batch, m, oh, ow];
  const a = oldConv(node, [X, W, B], outC), b = conv(node, [X, W, B] as any, outC).data;
  const eq = (p: Float32Array, q: Float32Array) => Buffer.compare(Buffer.from(p.buffer), Buffer.from(q.buffer)) === 0;
  expect(eq(a, b), `conv ${JSON.stringify(attrs)} ${X.dims}`).toBe(true);
  const outP = [batch, c, oh, ow];
  expect(eq(oldPool(node, [X], outP, false), maxPool(node, [X] as any, outP).data), 'maxpool').toBe(true);
  expect(eq(oldPool(node, [X], outP, true), averagePool(node, [X] as any, outP).data), 'avgpool').toBe(true);
  n++;
}
expect(n).toBeGreaterThan(250);
});

it('adds each output’s terms in (channel, ky, kx) order: cancelling terms pin the order', () => {
  const f = (dims: number[], data: number[]) => ({ dims, data: Float32Array.from(data) }) as any;
  const attrs = (kh: number, kw: number) => ({ kernelShape: [kh, kw], strides: [1, 1], pads: [0, 0, 0, 0], dilations: [1, 1], group: 1 });
  // Channels 1, 1e20, -1e20: ((0 + 1) + 1e20) − 1e20 = 0 in double; any other order that adds the 1 last gives 1.
  const byChannel = conv({ name: 'c', op: 'Conv', attrs: attrs(1, 1) } as any, [f([1, 3, 1, 1], [1, 1e20, -1e20]), f([1, 3, 1, 1], [1, 1, 1])], [1, 1, 1, 1]);
  expect(Array.from(byChannel.data)).toEqual([0]);
  // Along ky then kx: taps (0,0)=1, (0,1)=1e20, (1,0)=-1e20, (1,1)=0.
  const byTap = conv({ name: 'c', op: 'Conv', attrs: attrs(2, 2) } as any, [f([1, 1, 2, 2], [1, 1e20, -1e20, 0]), f([1, 1, 2, 2], [1, 1, 1, 1])], [1, 1, 1, 1]);
  expect(Array.from(byTap.data)).toEqual([0]);
  const reversedTaps = conv({ name: 'c', op: 'Conv', attrs: attrs(2, 2) } as any, [f([1, 1, 2, 2], [0, -1e20, 1e20, 1]), f([1, 1, 2, 2], [1, 1, 1, 1])], [1, 1, 1, 1]);
  expect(Array.from(reversedTaps.data)).toEqual([1]);
});
