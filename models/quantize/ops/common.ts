/** Shared constants of the quantized domain, and the activation clamps producers fold in. */
import type { GraphNode } from '../../graph.ts';

export const int8 = { lo: -128, hi: 127 } as const;
export const int16 = { lo: -32768, hi: 32767 } as const;

/**
 * The real interval a Relu or a Clip (constant bounds) clamps to, when `node` is one: a conv2d, matmul or
 * channelAffine producer folds it into its output clamp (Conv→Clip(0, 6) = ReLU6 is one node). Else undefined.
 */
export function foldableClamp(node: GraphNode | undefined): { min: number; max: number } | undefined {
  if (node?.op === 'Relu') return { min: 0, max: Infinity };
  if (node?.op === 'Clip') return { min: node.attrs.min, max: node.attrs.max };
  return undefined;
}

/** The int8 word bounds of real interval [min, max] at `scale` (rounded to the nearest word, within int8). */
export function clampWords(bounds: { min: number; max: number } | undefined, scale: number): { lo: number; hi: number } {
  if (!bounds) return { lo: int8.lo, hi: int8.hi };
  const word = (v: number) => Math.max(int8.lo, Math.min(int8.hi, Math.round(v / scale)));
  return { lo: word(bounds.min), hi: word(bounds.max) };
}
