/**
 * The WebAssembly SIMD product (models/int/kernels/gemmSimd.ts, gemmWasm.ts) against a Math.imul reference,
 * word for word: every shape M, N, K in 1..9 (off the 4-row and 8-column register blocks, odd K for the int16
 * pairs) with int32 words (gemm32), int16 and int8 words (gemm16), edge words, and int16 words with one word
 * just outside int16 (must fall back to gemm32); B both row-major and transposed, cached and per product; the
 * weight cache across its refill. Then matmulFast / conv2dFast (wasm from 0 MACs, the default threshold, and
 * JS only) against the reference kernels' execute for batched (also batched w), strided, dilated, padded and
 * grouped shapes; the wasm requant epilogue for every shift with extreme words and with products beyond 2^52
 * built to round the wrong way as doubles; a call object reused with other attrs and dims.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { conv2dFast, matmulFast, setWasmMinMacs } from '../../../models/int/kernels/fastGemm.ts';
import { copyRowsA, planGemm, runGemm, setCacheBytes, type BSource } from '../../../models/int/kernels/gemmSimd.ts';
import { executeGraph } from '../../../models/int/execute.ts';
import { isImmutable } from '../../../models/int/kernels/fastCommon.ts';
import { kernelOf } from '../../../models/int/kernels/index.ts';
import { prepareModel } from '../../../models/prepare.ts';
import { requant } from '../../../vm/numerics.ts';
import { Rng } from '../../support/rng.ts';

const EDGE = [-2147483648, 2147483647, -2147483647, -32768, 32767, -128, 127, 0, 1, -1];

/** C[i, j] = Σ_t A[i, t] · B(t, j) with mul32 / add32. */
function reference(a: Int32Array, m: number, k: number, b: BSource): Int32Array {
  const c = new Int32Array(m * b.n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < b.n; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s = (s + Math.imul(a[i * k + t], b.src[b.off + t * b.sk + j * b.sn])) | 0;
      c[i * b.n + j] = s;
    }
  }
  return c;
}

/** The wasm product of row-major a (m × k) and b; returns C and whether gemm32 ran. */
function wasmProduct(a: Int32Array, m: number, k: number, b: BSource, aFits16: boolean, cacheB: boolean): { c: Int32Array; wide: boolean } {
  const plan = planGemm(m, k, b, aFits16, cacheB);
  copyRowsA(plan, a, 0);
  const { c, cBase, cStride } = runGemm(plan);
  const out = new Int32Array(m * b.n);
  for (let i = 0; i < m; i++) for (let j = 0; j < b.n; j++) out[i * b.n + j] = c[cBase + i * cStride + j];
  return { c: out, wide: plan.wide };
}

const fits16 = (w: Int32Array) => w.every((v) => v >= -32768 && v <= 32767);

type Fill = (rng: Rng, n: number) => Int32Array;
const FILLS: [string, Fill][] = [
  ['int32', (rng, n) => Int32Array.from({ length: n }, () => rng.u32() | 0)],
  ['int16', (rng, n) => Int32Array.from({ length: n }, () => rng.int(-32768, 32767))],
  ['int8', (rng, n) => Int32Array.from({ length: n }, () => rng.int(-128, 127))],
  ['edge', (rng, n) => Int32Array.from({ length: n }, () => rng.pick(EDGE))],
  ['int16 extremes', (rng, n) => Int32Array.from({ length: n }, () => rng.pick([-32768, 32767, -32767, 0]))],
];

function checkProduct(label: string, a: Int32Array, m: number, k: number, b: BSource, cacheB: boolean): void {
  const want = reference(a, m, k, b);
  const { c, wide } = wasmProduct(a, m, k, b, fits16(a), cacheB);
  const bValues = Int32Array.from({ length: k * b.n }, (_, e) => b.src[b.off + Math.floor(e / b.n) * b.sk + (e % b.n) * b.sn]);
  const expectWide = !(fits16(a) && fits16(bValues));
  if (wide !== expectWide) expect.fail(`${label}: ran ${wide ? 'gemm32' : 'gemm16'}, expected ${expectWide ? 'gemm32' : 'gemm16'}`);
  const i = c.findIndex((v, e) => v !== want[e]);
  if (i >= 0) expect.fail(`${label}: C[${Math.floor(i / b.n)}, ${i % b.n}] = ${c[i]}, reference ${want[i]}`);
}

describe('wasm gemm equals the mul32 / add32 reference', () => {
  afterEach(() => {
    setCacheBytes(32 << 20);
  });

  for (const [name, fill] of FILLS) {
    it(`${name} words, every M, N, K in 1..9`, () => {
      const rng = new Rng(0x5eed + name.length);
      for (let m = 1; m <= 9; m++) {
        for (let n = 1; n <= 9; n++) {
          for (let k = 1; k <= 9; k++) {
            const a = fill(rng, m * k);
            const w = fill(rng, k * n);
            // w as [K, N] row-major (matmul's B) and as [N, K] (conv2d's filters), cached and not
            checkProduct(`${name} ${m}×${k}×${n} row-major`, a, m, k, { src: w, off: 0, sk: n, sn: 1, k, n }, (m + n) % 2 === 0);
            checkProduct(`${name} ${m}×${k}×${n} transposed`, a, m, k, { src: w, off: 0, sk: 1, sn: k, k, n }, (m + n) % 2 === 1);
          }
        }
      }
    });
  }

  it('one word just outside int16 (in A or in B, anywhere) forces gemm32', () => {
    const rng = new Rng(77);
    for (let m = 1; m <= 9; m++) {
      for (let n = 1; n <= 9; n++) {
        for (const k of [1, 2, 5, 8, 9]) {
          const a = Int32Array.from({ length: m * k }, () => rng.int(-32768, 32767));
          const w = Int32Array.from({ length: k * n }, () => rng.int(-32768, 32767));
          const out = rng.pick([32768, -32769, 65535, -65536]);
          const inA = rng.int(0, 1) === 0;
          const target = inA ? a : w;
          target[rng.int(0, target.length - 1)] = out;
          checkProduct(`${m}×${k}×${n} ${out} in ${inA ? 'A' : 'B'}`, a, m, k, { src: w, off: 0, sk: n, sn: 1, k, n }, true);
        }
      }
    }
  });

  it('larger shapes, offsets into B, K = 0', () => {
    const rng = new Rng(91);
    for (const [m, k, n] of [[1, 784, 64], [16, 128, 32], [13, 33, 37], [5, 1, 130], [64, 72, 16], [3, 4096, 3]]) {
      for (const [name, fill] of FILLS.slice(0, 3)) {
        const a = fill(rng, m * k);
        const w = fill(rng, 7 + k * n);
        checkProduct(`${name} ${m}×${k}×${n}`, a, m, k, { src: w, off: 7, sk: n, sn: 1, k, n }, true);
      }
    }
    const { c } = wasmProduct(new Int32Array(0), 3, 0, { src: new Int32Array(0), off: 0, sk: 5, sn: 1, k: 0, n: 5 }, true, true);
    expect([...c]).toEqual(new Array(15).fill(0));
  });

  it('the weight cache: a reused array with other dims, refills of a small cache', () => {
    const rng = new Rng(5);
    const w = Int32Array.from({ length: 64 }, () => rng.int(-128, 127));
    const a = Int32Array.from({ length: 64 }, () => rng.int(-128, 127));
    checkProduct('8×8 of w', a, 8, 8, { src: w, off: 0, sk: 8, sn: 1, k: 8, n: 8 }, true);
    checkProduct('4×16 of the same w', a, 4, 4, { src: w, off: 0, sk: 16, sn: 1, k: 4, n: 16 }, true);
    checkProduct('16×4 of the same w', a, 4, 16, { src: w, off: 0, sk: 4, sn: 1, k: 16, n: 4 }, true);
    const wide = Int32Array.from(w);
    wide[3] = 1 << 20; // B outside int16: the gemm32 form
    checkProduct('8×8 wide', a, 8, 8, { src: wide, off: 0, sk: 8, sn: 1, k: 8, n: 8 }, true);
    checkProduct('8×8 of w again, A outside int16 (its gemm32 form)', Int32Array.from(a, (v, i) => (i === 9 ? 70000 : v)), 8, 8, { src: w, off: 0, sk: 8, sn: 1, k: 8, n: 8 }, true);
    setCacheBytes(1024); // a few operands fit: later ones drop the cache, earlier ones are placed again
    const ws = Array.from({ length: 6 }, () => Int32Array.from({ length: 16 * 12 }, () => rng.int(-1000, 1000)));
    for (let round = 0; round < 3; round++) {
      ws.forEach((wi, i) => checkProduct(`round ${round} operand ${i}`, a, 4, 16, { src: wi, off: 0, sk: 12, sn: 1, k: 16, n: 12 }, true));
    }
  });
});

function compare(op: 'matmul' | 'conv2d', attrs: unknown, inputDims: number[][], inputs: Int32Array[], label: string): void {
  const kernel = kernelOf(op);
  const outDims = kernel.outputDims(attrs as never, inputDims);
  const call = { attrs: attrs as never, inputDims, outDims };
  const want = kernel.execute(call, inputs);
  const got = new Int32Array(want.length);
  (op === 'matmul' ? matmulFast : conv2dFast)(call, inputs, got);
  const i = got.findIndex((v, e) => v !== want[e]);
  if (i >= 0) expect.fail(`${label}: word ${i} fast ${got[i]} reference ${want[i]} (dims ${JSON.stringify(inputDims)} attrs ${JSON.stringify(attrs)})`);
}

const wordsOf = (rng: Rng, n: number, kind: number): Int32Array => {
  const out = Int32Array.from({ length: n }, () => (kind === 0 ? rng.int(-128, 127) : kind === 1 ? rng.u32() | 0 : kind === 2 ? rng.pick(EDGE) : rng.int(-32768, 32767)));
  if (kind === 3 && n > 0) out[rng.int(0, n - 1)] = rng.pick([32768, -32769]);
  return out;
};
const KINDS = ['int8', 'int32', 'edge', 'int16 + one outside'];
const multipliers = (rng: Rng, n: number) => Int32Array.from({ length: n }, () => rng.pick([rng.int(2 ** 30, 2 ** 31 - 1), rng.u32() | 0, -2147483648, 2147483647, 1, 3]));

describe('matmulFast and conv2dFast (wasm and JS paths) equal the reference kernels', () => {
  afterEach(() => {
    setWasmMinMacs(128);
  });

  for (const minMacs of [0, 128, Infinity]) {
    it(`matmul: batches, batched w, shapes off the blocks (wasm from ${minMacs} MACs)`, () => {
      setWasmMinMacs(minMacs);
      const rng = new Rng(13);
      const shapes: [number, number, number, number, boolean][] = [
        [1, 1, 1, 1, false], [1, 1, 784, 64, false], [1, 16, 32, 128, false], [1, 16, 128, 32, false], [2, 16, 16, 16, true],
        [3, 5, 6, 7, true], [2, 9, 13, 6, false], [1, 7, 300, 3, false], [4, 1, 1, 1, true], [2, 4, 9, 10, true], [1, 3, 5, 130, false],
      ];
      for (const [batch, m, k, n, batchedW] of shapes) {
        for (let kind = 0; kind < KINDS.length; kind++) {
          const x = wordsOf(rng, batch * m * k, kind);
          const w = wordsOf(rng, (batchedW ? batch : 1) * k * n, kind === 3 ? 0 : kind);
          const bias = Int32Array.from({ length: n }, () => rng.u32() | 0);
          const attrs = { shift: rng.int(0, 63), lo: rng.pick([-128, -2147483648]), hi: rng.pick([127, 2147483647]) };
          const xDims = batch === 1 ? [m, k] : [batch, m, k];
          const wDims = batchedW ? [batch, k, n] : [k, n];
          compare('matmul', attrs, [xDims, wDims, [n], [n]], [x, w, bias, multipliers(rng, n)], `matmul ${batch}×${m}×${k}×${n} ${KINDS[kind]}`);
        }
      }
    });

    it(`conv2d: strides, dilations, pads, groups, batches (wasm from ${minMacs} MACs)`, () => {
      setWasmMinMacs(minMacs);
      const rng = new Rng(17);
      const cases: { x: number[]; m: number; group: number; kernel: [number, number]; strides: [number, number]; pads: [number, number, number, number]; dil: [number, number] }[] = [
        { x: [1, 1, 28, 28], m: 8, group: 1, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] },
        { x: [1, 8, 14, 14], m: 16, group: 1, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] },
        { x: [2, 6, 9, 7], m: 6, group: 6, kernel: [3, 2], strides: [2, 1], pads: [2, 0, 1, 2], dil: [1, 2] },
        { x: [2, 4, 5, 5], m: 6, group: 2, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1] },
        { x: [1, 3, 3, 3], m: 5, group: 1, kernel: [3, 3], strides: [2, 2], pads: [2, 2, 2, 2], dil: [2, 2] },
        { x: [3, 2, 7, 9], m: 4, group: 1, kernel: [2, 3], strides: [1, 2], pads: [0, 1, 0, 1], dil: [2, 1] },
        { x: [1, 4, 6, 6], m: 12, group: 4, kernel: [3, 3], strides: [3, 3], pads: [1, 0, 2, 1], dil: [1, 1] },
        { x: [1, 30, 4, 3], m: 2, group: 1, kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dil: [1, 1] },
        { x: [1, 2, 1, 1], m: 3, group: 1, kernel: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1] },
        { x: [2, 2, 5, 4], m: 2, group: 1, kernel: [5, 4], strides: [1, 1], pads: [0, 0, 0, 0], dil: [1, 1] },
      ];
      for (const c of cases) {
        for (let kind = 0; kind < KINDS.length; kind++) {
          const wDims = [c.m, c.x[1] / c.group, ...c.kernel];
          const xLen = c.x.reduce((p, q) => p * q);
          const wLen = wDims.reduce((p, q) => p * q);
          const sparse = rng.int(0, 1) === 1;
          const x = wordsOf(rng, xLen, kind).map((v) => (sparse && rng.int(0, 9) < 8 ? 0 : v));
          const w = wordsOf(rng, wLen, kind === 3 ? 0 : kind);
          const attrs = { kernel: c.kernel, strides: c.strides, pads: c.pads, dilations: c.dil, group: c.group, shift: rng.int(0, 63), lo: rng.pick([-128, 0, -2147483648]), hi: rng.pick([127, 2147483647]) };
          const bias = Int32Array.from({ length: c.m }, () => rng.u32() | 0);
          compare('conv2d', attrs, [c.x, wDims, [c.m], [c.m]], [x, w, bias, multipliers(rng, c.m)], `conv2d ${JSON.stringify(c)} ${KINDS[kind]}${sparse ? ' sparse' : ''}`);
        }
      }
    });
  }

  it('the wasm requant epilogue: every shift, extreme and random accumulators and multipliers, every clamp', () => {
    setWasmMinMacs(0);
    const rng = new Rng(29);
    const n = 40;
    for (let shift = 0; shift < 64; shift++) {
      for (let trial = 0; trial < 8; trial++) {
        // x = [1]: the accumulator of column j is add32(bias[j], w[j])
        const w = Int32Array.from({ length: n }, () => rng.pick([rng.u32() | 0, rng.pick(EDGE), rng.int(-(2 ** 24), 2 ** 24)]));
        const bias = Int32Array.from({ length: n }, () => rng.pick([rng.u32() | 0, rng.pick(EDGE), 0]));
        const mult = Int32Array.from({ length: n }, () => rng.pick([rng.u32() | 0, ...EDGE, 2 ** 21, 2 ** 21 + 1, 2 ** 30, -(2 ** 30)]));
        const [lo, hi] = rng.pick([[-2147483648, 2147483647], [-128, 127], [0, 127], [0, 0], [5, -5], [-2147483648, -2147483648]]);
        compare('matmul', { shift, lo, hi }, [[1, 1], [1, n], [n], [n]], [Int32Array.of(1), w, bias, mult], `epilogue shift ${shift} trial ${trial}`);
      }
    }
  });

  it('the wasm requant epilogue: products beyond 2^52 whose double rounding would floor one too high', () => {
    // v·m ≥ 2^52 with the low s bits of v·m = 0b011…1: v·m + 2^(s-1) is one below a multiple of 2^s, so a
    // product rounded up as a double would give a quotient one too high (unsaturated for s ≥ 23)
    setWasmMinMacs(0);
    const rng = new Rng(31);
    const inverse = (m: bigint, mod: bigint) => {
      let [a, b, x0, x1] = [m % mod, mod, 1n, 0n];
      while (b !== 0n) {
        const q = a / b;
        [a, b, x0, x1] = [b, a - q * b, x1, x0 - q * x1];
      }
      return ((x0 % mod) + mod) % mod;
    };
    let naiveWrong = 0;
    for (let s = 23; s < 53; s++) {
      const vs: number[] = [];
      const ms: number[] = [];
      while (vs.length < 16) {
        const m = rng.int(2 ** 21, 2 ** 30) | 1;
        const mod = 1n << BigInt(s);
        const v0 = (((1n << BigInt(s - 1)) - 1n) * inverse(BigInt(m), mod)) % mod;
        for (const v of [v0, v0 - mod]) {
          const p = v * BigInt(m);
          if (v >= -2147483648n && v <= 2147483647n && (p >= 1n << 52n || p <= -(1n << 52n))) {
            vs.push(Number(v));
            ms.push(m);
          }
        }
      }
      naiveWrong += vs.filter((v, i) => Math.floor((v * ms[i] + 2 ** (s - 1)) / 2 ** s) !== requant(v, ms[i], s)).length;
      const n = vs.length;
      compare('matmul', { shift: s, lo: -2147483648, hi: 2147483647 }, [[1, 1], [1, n], [n], [n]], [Int32Array.of(1), Int32Array.from(vs), new Int32Array(n), Int32Array.from(ms)], `rounding shift ${s}`);
    }
    // the construction is what the test is about: the plain double formula is off by one on many of these
    expect(naiveWrong).toBeGreaterThan(100);
  });

  it('a call object reused with other attrs and dims is planned again', () => {
    const rng = new Rng(37);
    const call = { attrs: { shift: 38, lo: -128, hi: 127 }, inputDims: [[16, 32], [32, 24], [24], [24]], outDims: [16, 24] };
    const kernel = kernelOf('matmul');
    for (const [m, k, n, shift] of [[16, 32, 24, 38], [16, 32, 24, 20], [8, 32, 24, 20], [8, 16, 40, 30]]) {
      call.attrs.shift = shift;
      call.inputDims = [[m, k], [k, n], [n], [n]];
      call.outDims = [m, n];
      const inputs = [wordsOf(rng, m * k, 0), wordsOf(rng, k * n, 0), wordsOf(rng, n, 1), multipliers(rng, n)];
      const got = new Int32Array(m * n);
      matmulFast(call, inputs, got);
      expect([...got]).toEqual([...kernel.execute(call, inputs)]);
    }
  });

  it('weights with one word outside int16 in conv2d and matmul', () => {
    const rng = new Rng(23);
    const x = wordsOf(rng, 8 * 14 * 14, 0);
    const w = wordsOf(rng, 16 * 8 * 9, 0);
    w[500] = 40000;
    const attrs = { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, shift: 38, lo: -128, hi: 127 };
    compare('conv2d', attrs, [[1, 8, 14, 14], [16, 8, 3, 3], [16], [16]], [x, w, wordsOf(rng, 16, 1), multipliers(rng, 16)], 'conv2d w outside int16');
    const wm = wordsOf(rng, 32 * 128, 0);
    wm[4000] = -40000;
    compare('matmul', { shift: 38, lo: -128, hi: 127 }, [[16, 32], [32, 128], [128], [128]], [wordsOf(rng, 16 * 32, 0), wm, wordsOf(rng, 128, 1), multipliers(rng, 128)], 'matmul w outside int16');
  });
});

describe('cached weight forms are for immutable arrays only (fastCommon.ts markImmutable)', () => {
  afterEach(() => {
    setWasmMinMacs(128);
  });

  for (const minMacs of [0, Infinity]) {
    it(`an unmarked array reused with new words gives the new product (${minMacs === 0 ? 'wasm' : 'JS'} path)`, () => {
      setWasmMinMacs(minMacs);
      const rng = new Rng(71);
      const w = wordsOf(rng, 32 * 16, 0);
      const x = wordsOf(rng, 8 * 32, 0);
      const mm = { shift: 20, lo: -2147483648, hi: 2147483647 };
      const ones = Int32Array.from({ length: 16 }, () => 1);
      const zeros = new Int32Array(16);
      compare('matmul', mm, [[8, 32], [32, 16], [16], [16]], [x, w, zeros, ones], 'matmul before');
      w.set(wordsOf(rng, w.length, 0));
      compare('matmul', mm, [[8, 32], [32, 16], [16], [16]], [x, w, zeros, ones], 'matmul after the array changed');
      // conv2d, dense and mostly-zero inputs (the JS path's scatter has its own cache)
      const cw = wordsOf(rng, 4 * 2 * 9, 0);
      const conv = { kernel: [3, 3], strides: [1, 1], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1, shift: 12, lo: -2147483648, hi: 2147483647 };
      for (const sparse of [false, true]) {
        const cx = wordsOf(rng, 2 * 6 * 6, 0).map((v, i) => (sparse && i % 5 !== 0 ? 0 : v));
        const dims = [[1, 2, 6, 6], [4, 2, 3, 3], [4], [4]];
        compare('conv2d', conv, dims, [cx, cw, new Int32Array(4), Int32Array.from({ length: 4 }, () => 1)], `conv sparse=${sparse} before`);
        cw.set(wordsOf(rng, cw.length, 0));
        compare('conv2d', conv, dims, [cx, cw, new Int32Array(4), Int32Array.from({ length: 4 }, () => 1)], `conv sparse=${sparse} after the array changed`);
      }
    });
  }

  it('the executor marks a graph’s weights, and their cached forms give the reference’s words', () => {
    const { int } = prepareModel('mnist-cnn');
    const weights = [...int.weights.values()];
    const input = [Int32Array.from({ length: 784 }, (_, i) => (i * 37) % 200 - 100)];
    const first = executeGraph(int, input).outputs[0].slice();
    expect(weights.every((w) => isImmutable(w))).toBe(true);
    expect(Array.from(executeGraph(int, input).outputs[0])).toEqual(Array.from(first));
    expect(Array.from(executeGraph(int, input, undefined, undefined, 'reference').outputs[0])).toEqual(Array.from(first));
  });
});
