/**
 * Fast CPU kernels: drop-in replacements for the kernels' reference `execute` (kernel.ts), producing the same
 * words for every input. The references stay the specification (the VM lowerings, the GPU kernels and the
 * judge are pinned to them); test/models/int/fast-kernels.test.ts compares these against them word for word
 * (random shapes and attrs, edge words, every zoo model node). Why they are exact: fastCommon.ts and the
 * comment of each kernel's file. Where they are:
 *   fastGemm.ts        matmul, conv2d
 *   fastElementwise.ts binary, lut, clamp, sqrt, copy
 *   fastLayout.ts      transpose, concat, gather
 *   fastNorm.ts        reducemean, layernorm, softmax
 *   fastWindow.ts      maxpool2d, avgpool2d, channelAffine
 *   rmsnormFast.ts     rmsnorm
 *   argmaxFast.ts      argmax
 * Every kernel is a FastPlanner: prepared once per call (the executor prepares each node once per graph) and
 * then run on input words.
 */
import type { IntOp } from '../graph.ts';
import { argmaxPlan } from './argmaxFast.ts';
import { oneOff, type FastKernel, type FastPlanner } from './fastCommon.ts';
import { binaryPlan, clampPlan, copyPlan, lutPlan, sqrtPlan } from './fastElementwise.ts';
import { conv2dPlan, matmulPlan } from './fastGemm.ts';
import { concatPlan, gatherPlan, transposePlan } from './fastLayout.ts';
import { layernormPlan, reducemeanPlan, softmaxPlan } from './fastNorm.ts';
import type { KernelCall } from './kernel.ts';
import { rmsnormPlan } from './rmsnormFast.ts';
import { avgpool2dPlan, channelAffinePlan, maxpool2dPlan } from './fastWindow.ts';

export { rq, slabWords, type FastKernel, type FastPlanner, type FastRunner } from './fastCommon.ts';

/** The fast kernel of every op, as a planner. */
export const FAST_PLANNERS: { [K in IntOp]: FastPlanner<K> } = {
  matmul: matmulPlan,
  conv2d: conv2dPlan,
  maxpool2d: maxpool2dPlan,
  avgpool2d: avgpool2dPlan,
  channelAffine: channelAffinePlan,
  binary: binaryPlan,
  lut: lutPlan,
  clamp: clampPlan,
  copy: copyPlan,
  softmax: softmaxPlan,
  layernorm: layernormPlan,
  reducemean: reducemeanPlan,
  sqrt: sqrtPlan,
  transpose: transposePlan,
  concat: concatPlan,
  gather: gatherPlan,
  rmsnorm: rmsnormPlan,
  argmax: argmaxPlan,
};

/** The fast kernels by op, one call at a time. */
export const FAST_KERNELS: { [K in IntOp]?: FastKernel<K> } = Object.fromEntries(
  (Object.keys(FAST_PLANNERS) as IntOp[]).map((op) => [op, oneOff(FAST_PLANNERS[op] as FastPlanner<never>)]),
);

/** The fast kernel of `op`'s call into a fresh output array, or undefined when `op` has none. */
export function runFast<K extends IntOp>(op: K, call: KernelCall<K>, inputs: Int32Array[]): Int32Array | undefined {
  const planner = FAST_PLANNERS[op] as FastPlanner<K> | undefined;
  if (!planner) return undefined;
  let words = 1;
  for (const d of call.outDims) words *= d;
  const y = new Int32Array(words);
  planner(call)(inputs, y);
  return y;
}
