/**
 * Shared lowering helper of the data-movement kernels (transpose, concat, gather): copy a run of words from a
 * strided source to a contiguous destination, optionally transforming each word in registers on the way.
 * Unrolled in blocks (LOAD/STORE offsets in immediates), so a plain moved word costs 2 VM steps; trip counts
 * come from the run length only.
 */
import { asm } from '../../../vm/isa.ts';
import type { Codegen } from '../codegen.ts';

/** Words per unrolled block of a run. */
export const RUN_BLOCK = 64;

/**
 * Emit: for k in [0, n): y[dst + k] = f(M[src + k·stride]). `f` emits instructions that transform register
 * `v` in place (static, no branches). Afterwards `src` has advanced by n·stride and `dst` by n. Uses one
 * loop counter while it runs (for n > RUN_BLOCK).
 */
export function emitRun(g: Codegen, n: number, src: number, stride: number, dst: number, v: number, f?: (v: number) => void): void {
  if (n <= 0) return;
  const block = Math.min(n, RUN_BLOCK);
  const emitBlock = (len: number) => {
    for (let k = 0; k < len; k++) {
      g.emit(asm.LOAD(v, src, k * stride));
      f?.(v);
      g.emit(asm.STORE(dst, v, k));
    }
    g.addi(src, src, len * stride);
    g.addi(dst, dst, len);
  };
  g.repeat(Math.floor(n / block), () => emitBlock(block));
  if (n % block > 0) emitBlock(n % block);
}
