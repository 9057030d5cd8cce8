/**
 * `npm run gemm-wasm`: writes models/int/kernels/gemmWasm.ts, the WebAssembly SIMD kernel behind the fast
 * matmul and conv2d (models/int/kernels/gemmSimd.ts drives it). Emitted byte by byte (scripts/wasm/emit.ts),
 * so the output is reproducible from this file alone. The module exports its memory and two functions of the
 * same shape,
 *
 *   gemm32(a, aStride, b, c, m, ks, n)   int32 operands, i32x4.mul + i32x4.add (4 MACs per multiply)
 *   gemm16(a, aStride, b, c, m, ks, n)   int16 operands, i32x4.dot_i16x8_s + i32x4.add (8 MACs per dot)
 *
 * both computing C = A · B, every word overwritten, for i < m and j < n (n a multiple of 4):
 *   C[i, j] = Σ_{q < ks} A-step(i, q) ⋅ B-step(q, j)
 * Operands, all byte addresses into the memory:
 *   A: m rows, row i at a + i·aStride; its step q is the 4 bytes at a + i·aStride + 4q. gemm32: one int32
 *      A[i, q]. gemm16: two int16 (A[i, 2q], A[i, 2q+1]) little-endian, i.e. an int16 row-major matrix whose
 *      row length is even.
 *   B: column panels. Columns [j0, j0 + W) form a panel of W·ks words at b + 4·j0·ks, step q's W words at
 *      4·(q·W + c) within it (W = PANEL_COLS for the full panels, then W = 4 for the rest). gemm32: word =
 *      B[q, j0 + c]. gemm16: word = the int16 pair (B[2q, j], B[2q+1, j]) (low half first).
 *   C: row-major, row i at c + 4·i·n.
 *
 * and, to build A for a convolution (im2col) without a JS loop per element, two gathers
 *
 *   gather32(x, a, runs, count, step, aStride) / gather16(...)   (int32 / int16 elements)
 *     for each of the `count` runs (4 int32 words at `runs`: src, pos, t, len) and l < len:
 *       a[(pos + l)·aStride + t] = x[src + l·step]        (indices in elements of 4 / 2 bytes)
 *
 * a pure copy (gather16: i32.load16_s / i32.store16 of values the caller checked to be int16), and the epilogue
 *
 *   requant(c, cStride, rows, cols, out, outRow, outCol, bias, mult, pre, add, post, lo, hi)
 *     for i < rows, j < cols (strides in words):
 *       out[i·outRow + j·outCol] = clamp32(requant(add32(bias[j], C[i·cStride + j]), mult[j], s), lo, hi)
 *
 * with (pre, add, post) = (0, 0, 0) for s = 0, (0, 1, 1) for s = 1, (1, 2^(s-2), s − 1) for s in [2, 63]
 * (add an f64, exact: at most 2^61), lo and hi int32. Exact: requant(v, m, s) is sat32(⌊(v·m + 2^(s-1)) / 2^s⌋)
 * on the exact product (vm/numerics.ts); here p = v·m is an exact i64 product (|p| ≤ 2^62), and
 * q = ((p >> pre) + add) >> post with arithmetic shifts (floor divisions by powers of two): for s ≥ 2,
 * ⌊(p + 2^(s-1)) / 2^s⌋ = ⌊(⌊p/2⌋ + 2^(s-2)) / 2^(s-1)⌋ (p = 2a + r, r ∈ {0, 1}: the r/2 cannot reach the
 * next multiple of 2^(s-1)), and |⌊p/2⌋ + 2^(s-2)| ≤ 2^62 cannot overflow (p + 2^62 could, at p = 2^62); for
 * s = 1, |p + 1| ≤ 2^62 + 1. Then min(max(q, lo), hi) on the i64, which equals min(max(sat32(q), lo), hi) for
 * int32 lo and hi (a q beyond int32 lands on the same bound either way). add32 is i32.add.
 * Register blocks: PANEL_ROWS rows × W columns of v128 accumulators (then single rows for the last m mod
 * PANEL_ROWS); per step a v128.load32_splat of each row's A step, one v128.load per 4 columns of B.
 *
 * Exactness (bit-exact mod 2^32 for every input, the reference's add32 / mul32 chain): i32x4.mul is the low
 * 32 bits of each lane's product, mul32, and i32x4.add is add32, lane-wise, for any int32 lanes. For gemm16,
 * i32x4.dot_i16x8_s multiplies the sign-extended int16 halves (each product |p| ≤ 2^30 is exact in int32) and
 * adds the two of a lane with wrapping (the one overflowing case, 2·(−2^15)² = 2^31, wraps to −2^31), so a lane
 * gets add32(mul32(a0, b0), mul32(a1, b1)) = the add32 of both products as the reference forms them (int16
 * values are int32 values with the same products). Addition mod 2^32 is order-free, so the accumulators equal
 * the reference's sums of the same products; a zero padding step (odd K) or column adds nothing. The caller
 * (gemmSimd.ts) must only choose gemm16 when every A and B value is in [−2^15, 2^15).
 */
import { fileURLToPath } from 'node:url';
import { Body, F64, I32, I64, MAGIC_VERSION, op, section, simdOp, str, uleb, V128, vec, writeBase64Module } from './wasm/emit.ts';

/**
 * Rows per register block (then single rows). GEMM_ROWS × 4·GEMM_VECS of 4×8, 4×12, 2×16 and 4×4 were within
 * noise of each other on the zoo's shapes (Node 20, loaded 2-core box): the products there are dominated by
 * the operand copies and the epilogue, not by the kernel.
 */
const PANEL_ROWS = Number(process.env.GEMM_ROWS ?? 4);
/** v128 vectors (4 columns each) per register block. */
const PANEL_VECS = Number(process.env.GEMM_VECS ?? 2);

// parameters, then i32 locals, then v128 locals
const A = 0, A_STRIDE = 1, B = 2, C = 3, M = 4, KS = 5, N = 6;
const A_ROW = 7, C_ROW = 8, ROWS_LEFT = 9, B_PANEL = 10, PC = 11, COLS_LEFT = 12, PB = 13, CNT = 14, STRIDE_C = 15, TMP = 16;
const PA = 17; // PA + r: row r's A pointer in a block
const I32_LOCALS = PA + PANEL_ROWS - 7;
const ACC = PA + PANEL_ROWS; // ACC + r·PANEL_VECS + v
const BV = ACC + PANEL_ROWS * PANEL_VECS; // BV + v
const S = BV + PANEL_VECS;
const V128_LOCALS = PANEL_ROWS * PANEL_VECS + PANEL_VECS + 1;

/** local += value of the i32 expression `push` leaves on the stack. */
function addTo(f: Body, local: number, push: () => void): void {
  f.get(local);
  push();
  f.emit(op.i32add);
  f.set(local);
}
const mulLocal = (f: Body, local: number, k: number) => () => {
  f.get(local);
  f.i32const(k);
  f.emit(op.i32mul);
};

/** A loop that runs while `counter` ≥ `step`, counting it down by `step` after `body`. */
function whileAtLeast(f: Body, counter: number, step: number, body: () => void): void {
  f.emit(op.block, op.void, op.loop, op.void);
  f.get(counter);
  f.i32const(step);
  f.emit(op.i32ltU, op.brIf, 1);
  body();
  addTo(f, counter, () => f.i32const(-step));
  f.emit(op.br, 0, op.end, op.end);
}

/** One R × 4V register block: zero the accumulators, run the ks steps, store the block of C at PC. */
function block(f: Body, product: number, rows: number, vecs: number): void {
  const acc = (r: number, v: number) => ACC + r * PANEL_VECS + v;
  for (let r = 0; r < rows; r++) {
    for (let v = 0; v < vecs; v++) {
      f.simd(simdOp.const, ...new Array<number>(16).fill(0));
      f.set(acc(r, v));
    }
  }
  for (let r = 0; r < rows; r++) {
    f.get(A_ROW);
    if (r > 0) {
      mulLocal(f, A_STRIDE, r)();
      f.emit(op.i32add);
    }
    f.set(PA + r);
  }
  f.get(B_PANEL);
  f.set(PB);
  f.get(KS);
  f.set(CNT);
  f.emit(op.block, op.void);
  f.get(CNT);
  f.emit(op.i32eqz, op.brIf, 0);
  f.emit(op.loop, op.void);
  for (let v = 0; v < vecs; v++) {
    f.get(PB);
    f.simd(simdOp.load, 4, ...uleb(16 * v));
    f.set(BV + v);
  }
  for (let r = 0; r < rows; r++) {
    f.get(PA + r);
    f.simd(simdOp.load32Splat, 2, 0);
    f.set(S);
    for (let v = 0; v < vecs; v++) {
      f.get(acc(r, v));
      f.get(S);
      f.get(BV + v);
      f.simd(product);
      f.simd(simdOp.i32x4Add);
      f.set(acc(r, v));
    }
  }
  for (let r = 0; r < rows; r++) addTo(f, PA + r, () => f.i32const(4));
  addTo(f, PB, () => f.i32const(16 * vecs));
  f.get(CNT);
  f.i32const(1);
  f.emit(op.i32sub);
  f.tee(CNT);
  f.emit(op.brIf, 0, op.end, op.end);
  f.get(PC);
  f.set(TMP);
  for (let r = 0; r < rows; r++) {
    if (r > 0) addTo(f, TMP, () => f.get(STRIDE_C));
    for (let v = 0; v < vecs; v++) {
      f.get(TMP);
      f.get(acc(r, v));
      f.simd(simdOp.store, 4, ...uleb(16 * v));
    }
  }
}

/** Every column panel of `rows` rows of C (full panels, then 4-column ones). */
function columns(f: Body, product: number, rows: number): void {
  f.get(B);
  f.set(B_PANEL);
  f.get(C_ROW);
  f.set(PC);
  f.get(N);
  f.set(COLS_LEFT);
  for (const vecs of PANEL_VECS > 1 ? [PANEL_VECS, 1] : [1]) {
    whileAtLeast(f, COLS_LEFT, 4 * vecs, () => {
      block(f, product, rows, vecs);
      addTo(f, B_PANEL, mulLocal(f, KS, 16 * vecs));
      addTo(f, PC, () => f.i32const(16 * vecs));
    });
  }
}

function gemmFunction(product: number): number[] {
  const f = new Body();
  f.get(N);
  f.i32const(2);
  f.emit(op.i32shl);
  f.set(STRIDE_C);
  f.get(A);
  f.set(A_ROW);
  f.get(C);
  f.set(C_ROW);
  f.get(M);
  f.set(ROWS_LEFT);
  for (const rows of PANEL_ROWS > 1 ? [PANEL_ROWS, 1] : [1]) {
    whileAtLeast(f, ROWS_LEFT, rows, () => {
      columns(f, product, rows);
      addTo(f, A_ROW, mulLocal(f, A_STRIDE, rows));
      addTo(f, C_ROW, mulLocal(f, STRIDE_C, rows));
    });
  }
  f.emit(op.end);
  return f.entry([
    [I32_LOCALS, I32],
    [V128_LOCALS, V128],
  ]);
}

// gather(x, a, runs, count, step, aStride): parameters, then i32 locals
const GX = 0, GA = 1, RUNS = 2, COUNT = 3, STEP = 4, ASTRIDE = 5;
const SRC = 6, DST = 7, LEN = 8, SRC_STEP = 9, DST_STEP = 10;

/** The gather of one element size (log2 bytes `shift`): see the header. */
function gatherFunction(shift: number): number[] {
  const f = new Body();
  const [load, store] = shift === 2 ? [op.i32load, op.i32store] : [op.i32load16s, op.i32store16];
  const scaled = (push: () => void) => {
    push();
    f.i32const(shift);
    f.emit(op.i32shl);
  };
  const runWord = (i: number) => () => {
    f.get(RUNS);
    f.emit(op.i32load, 2, ...uleb(4 * i));
  };
  scaled(() => f.get(STEP));
  f.set(SRC_STEP);
  scaled(() => f.get(ASTRIDE));
  f.set(DST_STEP);
  f.emit(op.block, op.void);
  f.get(COUNT);
  f.emit(op.i32eqz, op.brIf, 0);
  f.emit(op.loop, op.void);
  f.get(GX);
  scaled(runWord(0));
  f.emit(op.i32add);
  f.set(SRC);
  f.get(GA);
  scaled(() => {
    runWord(1)();
    f.get(ASTRIDE);
    f.emit(op.i32mul);
    runWord(2)();
    f.emit(op.i32add);
  });
  f.emit(op.i32add);
  f.set(DST);
  runWord(3)();
  f.set(LEN);
  f.emit(op.block, op.void);
  f.get(LEN);
  f.emit(op.i32eqz, op.brIf, 0);
  f.emit(op.loop, op.void);
  f.get(DST);
  f.get(SRC);
  f.emit(load, shift, 0);
  f.emit(store, shift, 0);
  addTo(f, SRC, () => f.get(SRC_STEP));
  addTo(f, DST, () => f.get(DST_STEP));
  f.get(LEN);
  f.i32const(1);
  f.emit(op.i32sub);
  f.tee(LEN);
  f.emit(op.brIf, 0, op.end, op.end);
  addTo(f, RUNS, () => f.i32const(16));
  f.get(COUNT);
  f.i32const(1);
  f.emit(op.i32sub);
  f.tee(COUNT);
  f.emit(op.brIf, 0, op.end, op.end);
  f.emit(op.end);
  return f.entry([[5, I32]]);
}

// requant(c, cStride, rows, cols, out, outRow, outCol, bias, mult, pre, add, post, lo, hi): parameters, locals
const RC = 0, RC_STRIDE = 1, ROWS = 2, COLS = 3, OUT = 4, OUT_ROW = 5, OUT_COL = 6, BIAS = 7, MULT = 8, PRE = 9, ADD = 10, POST = 11, LO = 12, HI = 13;
const R_PC = 14, R_PO = 15, R_PB = 16, R_PM = 17, R_J = 18, R_CROW = 19, R_OROW = 20, R_I = 21;
const R_PRE = 22, R_ADD = 23, R_POST = 24, R_LO = 25, R_HI = 26, R_Q = 27;

/** The requant epilogue: see the header. */
function requantFunction(): number[] {
  const f = new Body();
  const widen = (from: number, to: number) => {
    f.get(from);
    f.emit(op.i64extendI32S);
    f.set(to);
  };
  widen(PRE, R_PRE);
  widen(POST, R_POST);
  widen(LO, R_LO);
  widen(HI, R_HI);
  f.get(ADD);
  f.emit(op.i64truncF64S);
  f.set(R_ADD);
  for (const [from, to] of [[RC, R_CROW], [OUT, R_OROW], [ROWS, R_I]]) {
    f.get(from);
    f.set(to);
  }
  const words = (local: number) => () => {
    f.get(local);
    f.i32const(2);
    f.emit(op.i32shl);
  };
  f.emit(op.block, op.void);
  f.get(R_I);
  f.emit(op.i32eqz, op.brIf, 0);
  f.emit(op.loop, op.void); // rows
  for (const [from, to] of [[R_CROW, R_PC], [R_OROW, R_PO], [BIAS, R_PB], [MULT, R_PM], [COLS, R_J]]) {
    f.get(from);
    f.set(to);
  }
  f.emit(op.block, op.void);
  f.get(R_J);
  f.emit(op.i32eqz, op.brIf, 0);
  f.emit(op.loop, op.void); // columns
  // q = (((bias + c) as i64 · mult) >> pre + add) >> post
  f.get(R_PB);
  f.emit(op.i32load, 2, 0);
  f.get(R_PC);
  f.emit(op.i32load, 2, 0);
  f.emit(op.i32add, op.i64extendI32S);
  f.get(R_PM);
  f.emit(op.i64load32s, 2, 0);
  f.emit(op.i64mul);
  f.get(R_PRE);
  f.emit(op.i64shrS);
  f.get(R_ADD);
  f.emit(op.i64add);
  f.get(R_POST);
  f.emit(op.i64shrS);
  f.set(R_Q);
  // q = q < lo ? lo : q; q = q > hi ? hi : q
  for (const [bound, cmp] of [[R_LO, op.i64ltS], [R_HI, op.i64gtS]]) {
    f.get(bound);
    f.get(R_Q);
    f.get(R_Q);
    f.get(bound);
    f.emit(cmp, op.select);
    f.set(R_Q);
  }
  f.get(R_PO);
  f.get(R_Q);
  f.emit(op.i32wrapI64, op.i32store, 2, 0);
  for (const p of [R_PC, R_PB, R_PM]) addTo(f, p, () => f.i32const(4));
  addTo(f, R_PO, words(OUT_COL));
  f.get(R_J);
  f.i32const(1);
  f.emit(op.i32sub);
  f.tee(R_J);
  f.emit(op.brIf, 0, op.end, op.end);
  addTo(f, R_CROW, words(RC_STRIDE));
  addTo(f, R_OROW, words(OUT_ROW));
  f.get(R_I);
  f.i32const(1);
  f.emit(op.i32sub);
  f.tee(R_I);
  f.emit(op.brIf, 0, op.end, op.end);
  f.emit(op.end);
  return f.entry([
    [8, I32],
    [6, I64],
  ]);
}

const i32s = (n: number) => vec(new Array<number[]>(n).fill([I32]));
const module = Uint8Array.from([
  ...MAGIC_VERSION,
  ...section(1, vec([[0x60, ...i32s(7), 0], [0x60, ...i32s(6), 0], [0x60, ...vec([...new Array<number[]>(10).fill([I32]), [F64], [I32], [I32], [I32]]), 0]])),
  ...section(3, vec([[0], [0], [1], [1], [2]])),
  ...section(5, vec([[0x00, ...uleb(1)]])),
  ...section(7, vec([
    [...str('memory'), 0x02, 0],
    [...str('gemm32'), 0x00, 0],
    [...str('gemm16'), 0x00, 1],
    [...str('gather32'), 0x00, 2],
    [...str('gather16'), 0x00, 3],
    [...str('requant'), 0x00, 4],
  ])),
  ...section(10, vec([gemmFunction(simdOp.i32x4Mul), gemmFunction(simdOp.i32x4DotI16x8S), gatherFunction(2), gatherFunction(1), requantFunction()])),
]);
new WebAssembly.Module(module); // validates

const out = fileURLToPath(new URL('../models/int/kernels/gemmWasm.ts', import.meta.url));
writeBase64Module(
  out,
  'scripts/gen-gemm-wasm.ts (npm run gemm-wasm)',
  `int32 GEMM, WebAssembly SIMD: exports memory, gemm32 (i32x4.mul) and gemm16 (i32x4.dot_i16x8_s), gather32 / gather16 (im2col), requant (epilogue), ${PANEL_ROWS}×${4 * PANEL_VECS} register blocks.`,
  'GEMM_WASM_BASE64',
  module,
  `/** Rows of a register block (the last m mod GEMM_PANEL_ROWS rows go one at a time). */\n` +
    `export const GEMM_PANEL_ROWS = ${PANEL_ROWS};\n` +
    `/** Columns of a full B panel (then panels of 4). */\n` +
    `export const GEMM_PANEL_COLS = ${4 * PANEL_VECS};\n`,
);
console.log(`wrote ${out} (${module.length} bytes)`);
