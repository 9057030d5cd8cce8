/** Every integer kernel, by op. Adding an op: its attrs in graph.ts, its kernel file here, one line below. */
import type { IntOp } from '../graph.ts';
import { clamp } from './clamp.ts';
import { copy } from './copy.ts';
import type { IntKernel } from './kernel.ts';
import { matmul } from './matmul.ts';

export const INT_KERNELS: { [K in IntOp]: IntKernel<K> } = {
  matmul,
  clamp,
  copy,
};

export function kernelOf<K extends IntOp>(op: K): IntKernel<K> {
  return INT_KERNELS[op];
}
