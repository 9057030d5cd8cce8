// A folder evaluates one node at load time when its inputs are constants (Shape only needs static dims).

import type { Tensor } from '../../graph.ts';
import type { RewriteContext } from '../expanders/types.ts';

/** Returns one tensor per output, or undefined when an input it needs is run-time data. */
export type Folder = (ctx: RewriteContext) => Tensor[] | undefined;
