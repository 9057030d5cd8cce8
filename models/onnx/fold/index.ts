// Op → folder: what the loader evaluates at load time once every input dim is fixed (docs/MODELS.md,
// "Op × opset coverage").

import { cast } from './cast.ts';
import { ELEMENTWISE_FOLDERS } from './elementwise.ts';
import { LAYOUT_FOLDERS } from './layout.ts';
import { REDUCE_FOLDERS } from './reduce.ts';
import { SHAPE_FOLDERS } from './shape.ts';
import type { Folder } from './types.ts';

export const FOLDERS: Readonly<Record<string, Folder>> = {
  ...ELEMENTWISE_FOLDERS,
  ...LAYOUT_FOLDERS,
  ...REDUCE_FOLDERS,
  ...SHAPE_FOLDERS,
  Cast: cast,
};

export { ALIASES, type Alias, type Aliaser } from './aliases.ts';
export type { Folder } from './types.ts';
