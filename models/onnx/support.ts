// Which nodes of an ONNX file opml cannot run, all at once (the loader stops at the first): for
// `opml inspect`, so a user sees the whole list before re-exporting. Nodes inside subgraphs (If branches,
// Loop/Scan bodies) are listed by path: `<node>/<attribute>/<inner node>`.

import type { GraphProto } from 'onnx-buf';
import { QUANTIZERS } from '../quantize/ops/index.ts';
import { isSupportedOp } from '../ops.ts';
import { decodeModel } from './decode.ts';
import { isLoadableOp } from './opsets/loadable.ts';

export { isLoadableOp } from './opsets/loadable.ts';

export interface UnsupportedNode {
  /** The node's name, or its path inside subgraphs (`L/body/foo`). */
  name: string;
  op: string;
  why: string;
}

export function unsupportedNodes(bytes: Uint8Array): UnsupportedNode[] {
  const { graph } = decodeModel(bytes);
  const out: UnsupportedNode[] = [];
  collect(graph, '', out);
  return out;
}

function collect(graph: GraphProto, prefix: string, out: UnsupportedNode[]): void {
  graph.node.forEach((n, i) => {
    const name = `${prefix}${n.name || `${n.opType}_${i}`}`;
    if (n.domain && n.domain !== 'ai.onnx') out.push({ name, op: n.opType, why: `custom domain "${n.domain}"` });
    else if (!isLoadableOp(n.opType)) out.push({ name, op: n.opType, why: 'no such op in opml' });
    else if (isSupportedOp(n.opType) && !(n.opType in QUANTIZERS)) out.push({ name, op: n.opType, why: 'no integer implementation' });
    for (const a of n.attribute) for (const g of a.g ? [a.g] : a.graphs) collect(g, `${name}/${a.name}/`, out);
  });
}
