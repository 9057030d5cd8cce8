// Expanders for elementwise families (Max/Min/Sum/Mean, PRelu, ReduceMax/Min, GlobalMaxPool, ...).
import type { Expander } from './types.ts';

export const ACTIVATION_EXPANDERS: Record<string, Expander> = {};
