// BatchNormalization before opset 14: `spatial` (7–8; only 1, per-channel statistics, is supported) and the
// training-statistics outputs (must be unused; they are dropped).

import { latest, passAttrs } from './common.ts';
import type { Adapter, AdapterContext } from './types.ts';

const batchNormalization: Adapter = {
  before: 14,
  adapt: (ctx: AdapterContext) => {
    if (ctx.attrs.int('spatial', 1) !== 1) {
      ctx.unsupported('spatial=0 (per-element statistics) is not supported', 'export with spatial=1 (per-channel statistics)');
    }
    ctx.outputs.forEach((o, i) => {
      if (i > 0 && o !== '' && ctx.isUsed(o)) {
        ctx.unsupported(`output ${i} ("${o}") holds training statistics, which are not supported`, 'export the model in eval mode (model.eval())');
      }
    });
    return [{ ...latest(ctx, [...ctx.inputs], passAttrs(ctx, 'spatial', 'is_test')), outputs: [ctx.outputs[0]] }];
  },
};

export const NORMALIZE_ADAPTERS: Record<string, Adapter> = { BatchNormalization: batchNormalization };
