// Expanders for data-movement and structured families (Pad, Slice, Split, Resize, ConvTranspose, LSTM, GRU, ...).
// Each family lives in its own file; every one rewrites onto canonical ops that already have integer kernels.
import { expandConvTranspose } from './convTranspose.ts';
import { expandPad } from './pad.ts';
import { expandGru, expandLstm } from './recurrent.ts';
import { expandResize } from './resize.ts';
import { expandSlice } from './slice.ts';
import { expandSplit } from './split.ts';
import { expandSqueeze, expandUnsqueeze } from './squeeze.ts';
import { expandExpand, expandTile } from './tile.ts';
import type { Expander } from './types.ts';

export const STRUCTURE_EXPANDERS: Record<string, Expander> = {
  Squeeze: expandSqueeze,
  Unsqueeze: expandUnsqueeze,
  Slice: expandSlice,
  Split: expandSplit,
  Pad: expandPad,
  Resize: expandResize,
  ConvTranspose: expandConvTranspose,
  Tile: expandTile,
  Expand: expandExpand,
  LSTM: expandLstm,
  GRU: expandGru,
};
