/**
 * argmax over the last axis (greedy decoding: the next token id from a row of logits). Inputs: x [..., V] (any
 * int32 words, rank ≥ 1, V ≥ 1). Output: x's dims without the last axis, at least rank 1 ([V] → [1]), one word
 * per row r:
 *   y[r] = the smallest i in [0, V) with x[r, i] = max_j x[r, j]      (signed int32 compares)
 * i.e. ONNX ArgMax with axis = -1, keepdims = 0, select_last_index = 0: a tie goes to the lowest index. The
 * output words are indices, not quantized values: the output tensor is integer-valued (`integer: true`, scale 1,
 * like token-id graph inputs), so it can feed a `gather` as its indices (the next decode step's embedding lookup).
 *
 * Lowering: per row `LI m, INT32_MIN; LI b, 0; LI ri, 0`, then for every element i (unrolled in blocks of
 * ARGMAX_BLOCK with addresses and the in-block index k in immediates; ri holds the block's first index):
 *   LOAD v, px, k;  SLT t, m, v;  MAX m, m, v;  MUL t, t, ri, k  (t·(ri + k) = t·i);  MAX b, b, t
 * (5 steps per element). t = [m < v] is 1 exactly when x[r, i] beats every earlier element strictly; then t·i = i
 * exceeds b (b < i always), else t·i = 0 ≤ b: so MAX updates b to i exactly on a strict new maximum, and a tie
 * keeps the earlier index. Starting from m = INT32_MIN, b = 0 is right for i = 0 too (x[r, 0] = INT32_MIN gives
 * t = 0 and b stays 0). No branch on data; trip counts from shapes only. Exact step count: `argmaxSteps`.
 */
import { asm } from '../../../vm/isa.ts';
import { Codegen } from '../codegen.ts';
import { elementCount } from '../graph.ts';
import { KernelShapeError, type IntKernel } from './kernel.ts';

/** Elements per unrolled block of a row in the lowering. */
export const ARGMAX_BLOCK = 64;

const INT32_MIN = -(2 ** 31);

/** Rows and row length V of argmax over the last axis of `x`, checking the shape. */
export function argmaxRows(inputDims: readonly (readonly number[])[]): { rows: number; v: number } {
  if (inputDims.length !== 1) throw new KernelShapeError('argmax', `takes one input x, got ${inputDims.length} inputs`);
  const [x] = inputDims;
  if (x.length < 1) throw new KernelShapeError('argmax', 'x must have rank ≥ 1 (argmax runs over its last axis)');
  const v = x[x.length - 1];
  if (!(v >= 1)) throw new KernelShapeError('argmax', `the last axis of x [${x}] is empty: no index to choose`);
  return { rows: elementCount(x.slice(0, -1)), v };
}

/** The output dims: x's without the last axis, and [1] for a rank-1 x. */
export function argmaxOutputDims(x: readonly number[]): number[] {
  return x.length === 1 ? [1] : x.slice(0, -1);
}

/** Steps of `Codegen.repeat(count, body)` around a body of `body` steps (the LI, and a LOOP per trip). */
const repeatSteps = (count: number, body: number): number => (count <= 0 ? 0 : count === 1 ? body : 1 + count * (body + 1));

/**
 * The exact VM step count of the lowering (HALT included), for `rows` rows of `v` words, with nb = ⌊v / 64⌋ full
 * blocks and a remainder of r = v mod 64 words:
 *   row   = 3 + repeat(nb, 5·64 + 2) + (r > 0 ? 5·r + 1 : 0) + 2
 *   total = 2 + repeat(rows, row) + 1,     repeat(n, b) = 0 (n = 0), b (n = 1), 1 + n·(b + 1) (n ≥ 2)
 * (3: the row's LIs; per full block its 64 bodies and two ADDIs; the remainder's bodies and one ADDI; STORE and
 * ADDI of the output pointer; 2 + 1: the two pointer LIs and the HALT).
 */
export function argmaxSteps(rows: number, v: number): number {
  const nb = Math.floor(v / ARGMAX_BLOCK);
  const r = v % ARGMAX_BLOCK;
  const row = 3 + repeatSteps(nb, 5 * ARGMAX_BLOCK + 2) + (r > 0 ? 5 * r + 1 : 0) + 2;
  return 2 + repeatSteps(rows, row) + 1;
}

export const argmax: IntKernel<'argmax'> = {
  outputDims(_attrs, inputDims) {
    argmaxRows(inputDims);
    return argmaxOutputDims(inputDims[0]);
  },

  execute({ inputDims }, [x]) {
    const { rows, v } = argmaxRows(inputDims);
    const y = new Int32Array(rows);
    for (let r = 0; r < rows; r++) {
      const base = r * v;
      let best = 0;
      for (let i = 1; i < v; i++) if (x[base + i] > x[base + best]) best = i;
      y[r] = best;
    }
    return y;
  },

  lower({ inputDims }, layout) {
    const { rows, v } = argmaxRows(inputDims);
    const g = new Codegen();
    const px = g.reg(); // x[r, i] of the current block's first i
    const py = g.reg(); // y[r]
    const ri = g.reg(); // the current block's first index
    const m = g.reg(); // the row's maximum so far
    const b = g.reg(); // its lowest index
    const val = g.reg();
    const t = g.reg();
    g.li(px, layout.inputs[0]);
    g.li(py, layout.output);
    const emitBlock = (len: number, bumpIndex: boolean): void => {
      for (let k = 0; k < len; k++) {
        g.emit(
          asm.LOAD(val, px, k),
          asm.alu('SLT', t, m, val), // t = m < x[r, i]
          asm.alu('MAX', m, m, val),
          asm.alu('MUL', t, t, ri, k), // t · (ri + k) = t · i
          asm.alu('MAX', b, b, t),
        );
      }
      g.addi(px, px, len);
      if (bumpIndex) g.addi(ri, ri, len);
    };
    g.repeat(rows, () => {
      g.li(m, INT32_MIN);
      g.li(b, 0);
      g.li(ri, 0);
      g.repeat(Math.floor(v / ARGMAX_BLOCK), () => emitBlock(ARGMAX_BLOCK, true));
      if (v % ARGMAX_BLOCK > 0) emitBlock(v % ARGMAX_BLOCK, false);
      g.emit(asm.STORE(py, b, 0));
      g.addi(py, py, 1);
    });
    return g.halt();
  },
};
