/**
 * Fast argmax (FastPlanner, fastCommon.ts): the reference's words (kernels/argmax.ts) for every input. A plain loop
 * per row keeping the maximum in a local: a word replaces it only when strictly greater, so a tie keeps the lowest
 * index. Int32Array elements are exact integers, so `>` is the reference's signed compare.
 */
import { argmaxRows } from './argmax.ts';
import type { FastPlanner } from './fastCommon.ts';

export const argmaxPlan: FastPlanner<'argmax'> = ({ inputDims }) => {
  const { rows, v } = argmaxRows(inputDims);
  return ([x], y) => {
    for (let r = 0, base = 0; r < rows; r++, base += v) {
      let m = x[base];
      let best = 0;
      for (let i = 1; i < v; i++) {
        const w = x[base + i];
        if (w > m) {
          m = w;
          best = i;
        }
      }
      y[r] = best;
    }
  };
};
