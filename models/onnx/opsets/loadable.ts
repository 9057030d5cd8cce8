// The one predicate for "can opml load this op": canonical ops, expanded ops, adapted-only ops (Upsample),
// folded ops, aliases, Constant and If (inlined when its condition is a constant).

import { isSupportedOp } from '../../ops.ts';
import { EXPANDERS } from '../expanders/index.ts';
import { ALIASES, FOLDERS } from '../fold/index.ts';
import { ADAPTED_TO } from './index.ts';

const STRUCTURAL = new Set(['Constant', 'If']);

/** Ops that can run only when their inputs are load-time constants (shape arithmetic). */
export function isFoldOnlyOp(op: string): boolean {
  return op in FOLDERS && !isSupportedOp(op) && !(op in EXPANDERS) && !(op in ALIASES);
}

export function isLoadableOp(op: string): boolean {
  if (isSupportedOp(op) || op in EXPANDERS || op in FOLDERS || op in ALIASES || STRUCTURAL.has(op)) return true;
  const target = ADAPTED_TO[op];
  return target !== undefined && isLoadableOp(target);
}
