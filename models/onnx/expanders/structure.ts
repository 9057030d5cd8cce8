// Expanders for data-movement and structured families (Pad, Slice, Split, Resize, ConvTranspose, LSTM, GRU, ...).
import type { Expander } from './types.ts';

export const STRUCTURE_EXPANDERS: Record<string, Expander> = {};
