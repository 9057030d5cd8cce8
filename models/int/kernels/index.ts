/** Every integer kernel, by op. Adding an op: its attrs in graph.ts, its kernel file here, one line below. */
import type { IntOp } from '../graph.ts';
import { argmax } from './argmax.ts';
import { channelAffine } from './channelAffine.ts';
import { conv2d } from './conv2d.ts';
import { avgpool2d, maxpool2d } from './pool2d.ts';
import { binary } from './binary.ts';
import { clamp } from './clamp.ts';
import { concat } from './concat.ts';
import { copy } from './copy.ts';
import { gather } from './gather.ts';
import type { IntKernel } from './kernel.ts';
import { matmul } from './matmul.ts';
import { layernorm } from './layernorm.ts';
import { lut } from './lut.ts';
import { reducemean } from './reducemean.ts';
import { rmsnorm } from './rmsnorm.ts';
import { softmax } from './softmax.ts';
import { sqrt } from './sqrt.ts';
import { transpose } from './transpose.ts';

export const INT_KERNELS: { [K in IntOp]: IntKernel<K> } = {
  conv2d,
  maxpool2d,
  avgpool2d,
  channelAffine,
  matmul,
  clamp,
  binary,
  lut,
  copy,
  softmax,
  layernorm,
  reducemean,
  sqrt,
  transpose,
  concat,
  gather,
  rmsnorm,
  argmax,
};

export function kernelOf<K extends IntOp>(op: K): IntKernel<K> {
  return INT_KERNELS[op];
}
