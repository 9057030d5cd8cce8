/**
 * Lowering helpers of the normalization kernels (softmax, layernorm, reducemean, sqrt): strided passes over a
 * row with the body unrolled in blocks (addresses in immediates), and nested static loops that walk a pointer
 * over (count, stride) levels. Trip counts come from shapes only.
 */
import { stridesOf } from '../../shape.ts';
import type { Codegen } from '../codegen.ts';

/** Elements per unrolled block of a pass. */
export const PASS_BLOCK = 16;

export interface Pointer {
  reg: number;
  /** words the pointer advances per element */
  stride: number;
}

/**
 * Emit `body(k)` for every element k in [0, n), where element k of pointer P sits at `R[P.reg] + k·P.stride`
 * and `body` receives, per pointer, the immediate offset of the element relative to the register (the
 * register itself advances block by block). Afterwards every pointer is back where it started.
 */
export function emitPass(g: Codegen, n: number, ptrs: readonly Pointer[], body: (offsets: number[]) => void): void {
  if (n <= 0) return;
  const block = Math.min(n, PASS_BLOCK);
  const emitBlock = (len: number): void => {
    for (let k = 0; k < len; k++) body(ptrs.map((p) => k * p.stride));
    for (const p of ptrs) if (p.stride !== 0) g.addi(p.reg, p.reg, len * p.stride);
  };
  g.repeat(Math.floor(n / block), () => emitBlock(block));
  if (n % block > 0) emitBlock(n % block);
  for (const p of ptrs) if (p.stride !== 0) g.addi(p.reg, p.reg, -n * p.stride);
}

export interface Level {
  count: number;
  stride: number;
}

/**
 * Run `body` once per point of the product of `levels` (outermost first, row-major), with register `p`
 * advanced by Σ index·stride over the levels; `p` is restored afterwards.
 */
export function emitNest(g: Codegen, p: number, levels: readonly Level[], body: () => void): void {
  if (levels.length === 0) {
    body();
    return;
  }
  const [first, ...rest] = levels;
  g.repeat(first.count, () => {
    emitNest(g, p, rest, body);
    g.addi(p, p, first.stride);
  });
  g.addi(p, p, -first.count * first.stride);
}

export { stridesOf };
