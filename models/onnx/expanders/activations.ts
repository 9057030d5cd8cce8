// Expanders for elementwise families (Max/Min/Sum/Mean, PRelu, ReduceMax/Min, the ReduceSum family, GlobalMaxPool): each family in
// its own act*.ts file, rewritten onto canonical ops that already have integer kernels.
import { expandPRelu } from './actPrelu.ts';
import { expandGlobalMaxPool, expandReduceMax, expandReduceMin } from './actReduce.ts';
import { expandReduceL1, expandReduceL2, expandReduceLogSum, expandReduceLogSumExp, expandReduceSumSquare } from './actReduceSum.ts';
import { expandMax, expandMean, expandMin, expandSum } from './actVariadic.ts';
import type { Expander } from './types.ts';

export const ACTIVATION_EXPANDERS: Record<string, Expander> = {
  Max: expandMax,
  Min: expandMin,
  Sum: expandSum,
  Mean: expandMean,
  PRelu: expandPRelu,
  ReduceMax: expandReduceMax,
  ReduceMin: expandReduceMin,
  GlobalMaxPool: expandGlobalMaxPool,
  ReduceSumSquare: expandReduceSumSquare,
  ReduceL1: expandReduceL1,
  ReduceL2: expandReduceL2,
  ReduceLogSum: expandReduceLogSum,
  ReduceLogSumExp: expandReduceLogSumExp,
};
