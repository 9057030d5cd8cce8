/**
 * matmul: y[b,i,j] = clamp(requant(bias[j] + Σ_k x[b,i,k]·w[b',k,j], mult[j], shift), lo, hi)
 * Inputs: x [...batch, M, K]; w [K, N] (shared) or [...batch, K, N]; bias [N] (int32); mult [N] (int32).
 * Products and the sum wrap (add32/mul32), so any summation order gives the same bits.
 * Lowering: for K ≤ MAX_UNROLL the k loop is fully unrolled (LOAD + MAC per product, immediates carry the
 * offsets), so a product costs 2 VM steps. A longer K loops over `blocks` blocks of `block` unrolled products
 * (x and w cursors in registers, advanced by block and block·wRow per trip), then a tail of K mod blocks
 * unrolled products: 2K + 3·blocks + 3 steps per dot product (`matmulDotSteps`). Trip counts come from K only.
 */
import { asm, MEM_WORDS } from '../../../vm/isa.ts';
import { clamp32, requant } from '../../../vm/numerics.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel, type KernelCall } from './kernel.ts';

interface Geometry {
  batch: number;
  m: number;
  k: number;
  n: number;
  /** words between consecutive batches of w (0 when w is shared) */
  wBatchStride: number;
}

/** The longest K whose dot product is one unrolled run; a longer K loops over blocks of at most this many. */
export const MAX_UNROLL = 4096;

/**
 * How a dot product over K is lowered: `blocks` = 0 for K ≤ MAX_UNROLL (one unrolled run of K products, the
 * original lowering); else `blocks` = ⌈K / MAX_UNROLL⌉ loop trips of `block` = ⌊K / blocks⌋ products each, then
 * `tail` = K − blocks·block (< blocks) unrolled products after the loop.
 */
export function matmulKBlocks(k: number): { blocks: number; block: number; tail: number } {
  if (k <= MAX_UNROLL) return { blocks: 0, block: 0, tail: k };
  const blocks = Math.ceil(k / MAX_UNROLL);
  const block = Math.floor(k / blocks);
  return { blocks, block, tail: k - blocks * block };
}

/** Steps of one dot product over K as `emitDot` lowers it (the LOADs and MACs, and for K > MAX_UNROLL the loop). */
export function matmulDotSteps(k: number): number {
  const { blocks, block, tail } = matmulKBlocks(k);
  if (blocks === 0) return 2 * k;
  // two cursor copies, LI, per trip (2·block products + two cursor steps + LOOP), the tail
  return 2 + 1 + blocks * (2 * block + 3) + 2 * tail; // = 2K + 3·blocks + 3
}

/**
 * acc += Σ_{s<K} M[px + s] · M[pw + s·wRow] (add32/mul32; t is scratch). K ≤ MAX_UNROLL: fully unrolled, exactly
 * the original code. Longer: two cursor registers walk x and w block by block under a `repeat` with a static trip
 * count; every immediate is below block·wRow ≤ K·wRow, which the caller's memory layout bounds.
 */
export function emitDot(g: Codegen, k: number, acc: number, t: number, px: number, pw: number, wRow: number): void {
  const { blocks, block, tail } = matmulKBlocks(k);
  if (blocks === 0) {
    for (let s = 0; s < k; s++) g.emit(asm.LOAD(t, px, s), asm.MAC(acc, t, pw, s * wRow));
    return;
  }
  // Never reached by a layout that fits VM memory (w alone spans K·wRow words); a clear refusal if it were.
  if (block * wRow >= MEM_WORDS) throw new KernelShapeError('matmul', `a block of ${block} rows of w spans ${block * wRow} words, more than VM memory's ${MEM_WORDS}`);
  const xk = g.reg(); // x cursor: x[row, blk·block]
  const wk = g.reg(); // w cursor: w[blk·block, j]
  g.addi(xk, px, 0);
  g.addi(wk, pw, 0);
  g.repeat(blocks, () => {
    for (let s = 0; s < block; s++) g.emit(asm.LOAD(t, xk, s), asm.MAC(acc, t, wk, s * wRow));
    g.addi(xk, xk, block);
    g.addi(wk, wk, block * wRow);
  });
  for (let s = 0; s < tail; s++) g.emit(asm.LOAD(t, xk, s), asm.MAC(acc, t, wk, s * wRow));
  g.release(xk, wk);
}

export function matmulGeometry({ inputDims }: { inputDims: number[][] }): Geometry {
  const [x, w] = inputDims;
  if (x.length < 2 || w.length < 2) throw new KernelShapeError('matmul', `operands must have rank ≥ 2, got [${x}] and [${w}]`);
  const k = x[x.length - 1];
  const m = x[x.length - 2];
  const n = w[w.length - 1];
  if (w[w.length - 2] !== k) throw new KernelShapeError('matmul', `inner dimensions differ: [${x}] · [${w}]`);
  const batch = elementCount(x.slice(0, -2));
  const wBatch = elementCount(w.slice(0, -2));
  if (wBatch !== 1 && wBatch !== batch) throw new KernelShapeError('matmul', `batch of w (${wBatch}) must be 1 or x's (${batch})`);
  return { batch, m, k, n, wBatchStride: wBatch === 1 ? 0 : k * n };
}

export const matmul: IntKernel<'matmul'> = {
  outputDims(_attrs, inputDims) {
    const [x, w] = inputDims;
    matmulGeometry({ inputDims });
    return [...x.slice(0, -1), w[w.length - 1]];
  },

  execute(call: KernelCall<'matmul'>, [x, w, bias, mult]) {
    const { batch, m, k, n, wBatchStride } = matmulGeometry(call);
    const { shift, lo, hi } = call.attrs;
    const y = new Int32Array(batch * m * n);
    // Row-at-a-time: acc[j] += x[t]·w[t, j] walks w contiguously. Int32Array stores wrap, so each update is
    // add32(acc, mul32(x, w)) and, sums being order-free, the bits equal any other order's.
    const acc = new Int32Array(n);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < m; i++) {
        const xRow = (b * m + i) * k;
        acc.set(bias.subarray(0, n));
        for (let t = 0; t < k; t++) {
          const xt = x[xRow + t];
          if (xt === 0) continue;
          const wRow = b * wBatchStride + t * n;
          for (let j = 0; j < n; j++) acc[j] += Math.imul(xt, w[wRow + j]);
        }
        const yRow = (b * m + i) * n;
        for (let j = 0; j < n; j++) y[yRow + j] = clamp32(requant(acc[j], mult[j], shift), lo, hi);
      }
    }
    return y;
  },

  lower(call, layout) {
    const { batch, m, k, n, wBatchStride } = matmulGeometry(call);
    const { shift, lo, hi } = call.attrs;
    const [xBase, wBase, biasBase, multBase] = layout.inputs;
    const g = new Codegen();
    const px = g.reg(); // start of the current x row
    const pw = g.reg(); // w[b, 0, j]
    const pj = g.reg(); // j (offset into bias and mult)
    const py = g.reg(); // next output word
    const acc = g.reg();
    const t = g.reg();
    const wBatchStart = g.reg(); // w[b, 0, 0]
    g.li(px, xBase);
    g.li(py, layout.output);
    g.li(wBatchStart, wBase);
    g.repeat(batch, () => {
      g.repeat(m, () => {
        g.addi(pw, wBatchStart, 0);
        g.li(pj, 0);
        g.repeat(n, () => {
          g.emit(asm.LOAD(acc, pj, biasBase));
          emitDot(g, k, acc, t, px, pw, n);
          g.emit(asm.LOAD(t, pj, multBase));
          g.emit(asm.RQ(acc, acc, t, shift));
          g.emit(asm.alu('MAX', acc, acc, 0, lo), asm.alu('MIN', acc, acc, 0, hi));
          g.emit(asm.STORE(py, acc, 0));
          g.addi(py, py, 1);
          g.addi(pw, pw, 1);
          g.addi(pj, pj, 1);
        });
        g.addi(px, px, k);
      });
      g.addi(wBatchStart, wBatchStart, wBatchStride);
    });
    return g.halt();
  },
};
