// Op → opset adapter: rewrites a node read at an older opset into its latest form (docs/MODELS.md, "Op ×
// opset coverage"). Ops with no entry mean the same at every opset from 7 (or from when they exist).

import { AXES_ADAPTERS } from './axes.ts';
import { NORMALIZE_ADAPTERS } from './normalize.ts';
import { RESIZE_ADAPTERS } from './resize.ts';
import { SOFTMAX_ADAPTERS } from './softmax.ts';
import type { Adapter, AdapterContext } from './types.ts';
import { VALUE_ADAPTERS } from './values.ts';

export const ADAPTERS: Readonly<Record<string, Adapter>> = {
  ...AXES_ADAPTERS,
  ...VALUE_ADAPTERS,
  ...SOFTMAX_ADAPTERS,
  ...RESIZE_ADAPTERS,
  ...NORMALIZE_ADAPTERS,
};

/** Ops that exist only in old opsets, and the op their adapter emits. */
export const ADAPTED_TO: Readonly<Record<string, string>> = { Upsample: 'Resize' };

export type { Adapter, AdapterContext } from './types.ts';
