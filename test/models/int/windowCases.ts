/**
 * Random cases of the window kernels (conv2d, maxpool2d, avgpool2d) and channelAffine, for KERNEL_CASES in
 * cases.ts. Geometries mix strides 1–2, dilations 1–2, asymmetric pads up to 2 (windows wholly in padding
 * included), groups 1, 2 and depthwise; two rarer modes reach the lowering's loops: many input channels per
 * group (channel blocks) and windows of more than MAX_UNROLL_TAPS taps (kernel-row loops).
 */
import type { IntWindow2d } from '../../../models/int/graph.ts';
import { elementCount } from '../../../models/int/graph.ts';
import type { Rng } from '../../support/rng.ts';
import type { KernelCase } from './cases.ts';

// (local copies of cases.ts's helpers, so the two modules do not import each other)
const words = (rng: Rng, dims: number[], lo: number, hi: number): Int32Array => Int32Array.from({ length: elementCount(dims) }, () => rng.int(lo, hi));
const int8 = (rng: Rng, dims: number[]): Int32Array => words(rng, dims, -128, 127);
const multiplier = (rng: Rng): number => rng.int(2 ** 30, 2 ** 31 - 1);

/** A window that fits a C-channel input, with the input's spatial dims. */
function randomWindow(rng: Rng, big: boolean): { win: IntWindow2d; h: number; w: number } {
  if (big) {
    // one window of more than 256 taps (kernel-row loop), maybe padded and strided
    const kh = rng.int(16, 18);
    const kw = rng.int(16, 18);
    const pads: [number, number, number, number] = [rng.int(0, 1), rng.int(0, 1), rng.int(0, 1), rng.int(0, 1)];
    return { win: { kernel: [kh, kw], strides: [rng.int(1, 2), rng.int(1, 2)], pads, dilations: [1, 1] }, h: kh + rng.int(0, 2), w: kw + rng.int(0, 2) };
  }
  const kernel: [number, number] = [rng.int(1, 3), rng.int(1, 3)];
  const strides: [number, number] = [rng.int(1, 2), rng.int(1, 2)];
  const dilations: [number, number] = [rng.pick([1, 1, 2]), rng.pick([1, 1, 2])];
  const pads: [number, number, number, number] = [rng.int(0, 2), rng.int(0, 2), rng.int(0, 2), rng.int(0, 2)];
  const dim = (a: number) => {
    const extent = (kernel[a] - 1) * dilations[a] + 1;
    return Math.max(1, extent - pads[a] - pads[a + 2]) + rng.int(0, 6);
  };
  return { win: { kernel, strides, pads, dilations }, h: dim(0), w: dim(1) };
}

export function conv2dCase(rng: Rng): KernelCase<'conv2d'> {
  const mode = rng.pick(['plain', 'group2', 'depthwise', 'plain', 'group2', 'depthwise', 'wide', 'big'] as const);
  const { win, h, w } = randomWindow(rng, mode === 'big');
  let c: number;
  let m: number;
  let group = 1;
  if (mode === 'group2') {
    group = 2;
    c = 2 * rng.int(1, 3);
    m = 2 * rng.int(1, 3);
  } else if (mode === 'depthwise') {
    c = rng.int(1, 5);
    group = c;
    m = c * rng.int(1, 2);
  } else if (mode === 'wide') {
    // C/group · kh·kw > 256: several channel blocks
    c = rng.pick([30, 60]);
    m = rng.int(1, 2);
    win.kernel = [3, 3];
    win.dilations = [1, 1];
  } else {
    c = rng.int(1, 4);
    m = rng.int(1, 4);
  }
  const n = mode === 'wide' || mode === 'big' ? 1 : rng.int(1, 2);
  const [hh, ww] = mode === 'wide' ? [rng.int(3, 4), rng.int(3, 4)] : [h, w];
  const xDims = [n, c, hh, ww];
  const wDims = [m, c / group, ...win.kernel];
  return {
    attrs: { ...win, group, shift: rng.int(36, 42), lo: rng.pick([-128, 0]), hi: 127 },
    inputDims: [xDims, wDims, [m], [m]],
    inputs: [int8(rng, xDims), words(rng, wDims, -127, 127), words(rng, [m], -20000, 20000), Int32Array.from({ length: m }, () => multiplier(rng))],
  };
}

export function maxpool2dCase(rng: Rng): KernelCase<'maxpool2d'> {
  const { win, h, w } = randomWindow(rng, rng.int(0, 5) === 0);
  const xDims = [rng.int(1, 2), rng.int(1, 3), h, w];
  const [lo, hi] = rng.pick([[-128, 127], [0, 127], [-(2 ** 31), 2 ** 31 - 1], [-50, 60]]);
  return { attrs: { ...win, lo, hi }, inputDims: [xDims], inputs: [int8(rng, xDims)] };
}

export function avgpool2dCase(rng: Rng): KernelCase<'avgpool2d'> {
  const { win, h, w } = randomWindow(rng, rng.int(0, 5) === 0);
  const xDims = [rng.int(1, 2), rng.int(1, 3), h, w];
  const kk = win.kernel[0] * win.kernel[1];
  return {
    attrs: {
      ...win,
      countIncludePad: rng.int(0, 1) === 1,
      mults: Array.from({ length: kk + 1 }, () => multiplier(rng)),
      shift: rng.int(31, 36),
      lo: rng.pick([-128, 0]),
      hi: 127,
    },
    inputDims: [xDims],
    inputs: [int8(rng, xDims)],
  };
}

export function channelAffineCase(rng: Rng): KernelCase<'channelAffine'> {
  const c = rng.int(1, 5);
  const xDims = [rng.int(1, 2), c, ...rng.pick([[], [rng.int(1, 7)], [rng.int(1, 5), rng.int(1, 5)]])];
  return {
    // |x·w| < 2^19 and |bias| ≤ 2^18; shift 40–44 brings them back near int8 (some saturate)
    attrs: { shift: rng.int(40, 44), lo: rng.pick([-128, 0]), hi: 127 },
    inputDims: [xDims, [c], [c], [c]],
    inputs: [int8(rng, xDims), words(rng, [c], -4096, 4096), words(rng, [c], -(2 ** 18), 2 ** 18), Int32Array.from({ length: c }, () => multiplier(rng))],
  };
}
