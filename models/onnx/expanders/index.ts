// ONNX op → expander: ops opml runs as a small graph of canonical ops (docs/MODELS.md, "Expanded ops").
// Each family lives in its own file; this table merges them.

import { ACTIVATION_EXPANDERS } from './activations.ts';
import { LOGSOFTMAX_EXPANDERS } from './logsoftmax.ts';
import { STRUCTURE_EXPANDERS } from './structure.ts';
import type { Expander } from './types.ts';

export const EXPANDERS: Readonly<Record<string, Expander>> = { ...ACTIVATION_EXPANDERS, ...STRUCTURE_EXPANDERS, ...LOGSOFTMAX_EXPANDERS };

export type { Expander, RawNode, RewriteContext } from './types.ts';
