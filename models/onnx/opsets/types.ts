// An opset adapter rewrites a node written at an older opset into its latest-opset form.

import type { RawNode, RewriteContext } from '../expanders/types.ts';

export interface AdapterContext extends RewriteContext {
  /** Whether a value is read by any node (subgraphs included) or is a graph output. */
  isUsed(value: string): boolean;
}

export interface Adapter {
  /** The adapter applies to nodes read at an opset below this one. */
  before: number;
  adapt(ctx: AdapterContext): RawNode[];
}
