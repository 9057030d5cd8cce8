// Which nodes of an ONNX file opml cannot run, all at once (the loader stops at the first): for
// `opml inspect`, so a user sees the whole list before re-exporting.

import { QUANTIZERS } from '../quantize/ops/index.ts';
import { isSupportedOp } from '../ops.ts';
import { decodeModel } from './decode.ts';

export interface UnsupportedNode {
  name: string;
  op: string;
  why: string;
}

export function unsupportedNodes(bytes: Uint8Array): UnsupportedNode[] {
  const { graph } = decodeModel(bytes);
  const out: UnsupportedNode[] = [];
  graph.node.forEach((n, i) => {
    const name = n.name || `${n.opType}_${i}`;
    if (n.opType === 'Constant') return;
    if (n.domain && n.domain !== 'ai.onnx') out.push({ name, op: n.opType, why: `custom domain "${n.domain}"` });
    else if (!isSupportedOp(n.opType)) out.push({ name, op: n.opType, why: 'no such op in opml' });
    else if (!(n.opType in QUANTIZERS)) out.push({ name, op: n.opType, why: 'no integer implementation' });
  });
  return out;
}
