// Op → folder: what the loader evaluates at load time once every input dim is fixed (docs/MODELS.md,
// "Op × opset coverage").

import { cast } from './cast.ts';
import { ELEMENTWISE_FOLDERS } from './elementwise.ts';
import { LAYOUT_FOLDERS } from './layout.ts';
import { REDUCE_FOLDERS } from './reduce.ts';
import { SHAPE_FOLDERS } from './shape.ts';
import { chargeFolded } from './tensor.ts';
import type { Folder } from './types.ts';

/** Counts every folded output against the model's folded-element budget (tensor.ts FOLD_BUDGET). */
function budgeted(folders: Record<string, Folder>): Record<string, Folder> {
  return Object.fromEntries(Object.entries(folders).map(([op, f]) => [op, (ctx) => {
    const out = f(ctx);
    if (out) chargeFolded(ctx, out);
    return out;
  }]));
}

export const FOLDERS: Readonly<Record<string, Folder>> = budgeted({
  ...ELEMENTWISE_FOLDERS,
  ...LAYOUT_FOLDERS,
  ...REDUCE_FOLDERS,
  ...SHAPE_FOLDERS,
  Cast: cast,
});

export { ALIASES, type Alias, type Aliaser } from './aliases.ts';
export type { Folder } from './types.ts';
