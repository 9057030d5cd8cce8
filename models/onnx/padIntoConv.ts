// A zero constant Pad of the spatial axes whose output only Convs read (as X, with explicit pads) is folded into
// those Convs' pads: the same float result (a Conv pads with zeros), one node fewer to run, commit and dispute.
// TF→ONNX and PyTorch's explicit ZeroPad2d both write this pattern.

import type { GraphProto, NodeProto } from 'onnx-buf';
import { decodeAttribute } from './attributes.ts';
import type { Tensor } from '../graph.ts';
import { attributeProto } from './writer.ts';

/** Values whose every reader is a top-level Conv taking it as X without auto_pad (and not a graph output). */
export function convOnlyValues(graph: GraphProto): Set<string> {
  const readers = new Map<string, boolean>();
  const mark = (v: string, ok: boolean) => readers.set(v, (readers.get(v) ?? true) && ok);
  for (const n of graph.node) {
    const autoPad = n.attribute.find((a) => a.name === 'auto_pad');
    const explicit = !autoPad || new TextDecoder().decode(autoPad.s) === 'NOTSET';
    n.input.forEach((v, i) => {
      if (v !== '') mark(v, n.opType === 'Conv' && (n.domain === '' || n.domain === 'ai.onnx') && i === 0 && explicit);
    });
    for (const a of n.attribute) for (const g of a.g ? [a.g] : a.graphs) markSubgraphReads(g, (v) => mark(v, false));
  }
  for (const o of graph.output) mark(o.name, false);
  return new Set([...readers].filter(([, ok]) => ok).map(([v]) => v));
}

function markSubgraphReads(g: GraphProto, mark: (v: string) => void): void {
  for (const n of g.node) {
    for (const v of n.input) if (v !== '') mark(v);
    for (const a of n.attribute) for (const inner of a.g ? [a.g] : a.graphs) markSubgraphReads(inner, mark);
  }
  for (const o of g.output) mark(o.name);
}

/**
 * The [top, left, bottom, right] pads of a latest-form Pad (data, pads, constant_value?, axes?) on a rank-4
 * input when it pads only H and W, with non-negative amounts, in constant mode with the value 0; else undefined.
 */
export function spatialZeroPads(proto: NodeProto, rank: number, constant: (v: string) => Tensor | undefined): number[] | undefined {
  if (rank !== 4) return undefined;
  for (const a of proto.attribute) {
    if (a.name !== 'mode') return undefined;
    const mode = decodeAttribute('', a);
    if (mode.type !== 'string' || mode.value !== 'constant') return undefined;
  }
  const [, padsName, valueName, axesName] = proto.input;
  const pads = padsName ? constant(padsName) : undefined;
  if (!pads || !(pads.data instanceof Int32Array)) return undefined;
  if (valueName) {
    const value = constant(valueName);
    if (!value || value.data.length !== 1 || value.data[0] !== 0) return undefined;
  }
  let axes = [0, 1, 2, 3];
  if (axesName) {
    const given = constant(axesName);
    if (!given || !(given.data instanceof Int32Array)) return undefined;
    axes = [...given.data].map((a) => (a < 0 ? a + rank : a));
    if (new Set(axes).size !== axes.length) return undefined; // the expander refuses repeated axes
  }
  if (pads.data.length !== 2 * axes.length) return undefined;
  const begin = [0, 0, 0, 0];
  const end = [0, 0, 0, 0];
  for (const [k, axis] of axes.entries()) {
    if (axis < 0 || axis >= rank) return undefined;
    begin[axis] += pads.data[k];
    end[axis] += pads.data[k + axes.length];
  }
  if ([...begin, ...end].some((p) => p < 0) || begin[0] + begin[1] + end[0] + end[1] !== 0) return undefined;
  return [begin[2], begin[3], end[2], end[3]];
}

/** The Conv with `extra` added to its pads attribute ([top, left, bottom, right]). */
export function withExtraPads(conv: NodeProto, extra: readonly number[]): NodeProto {
  const old = conv.attribute.find((a) => a.name === 'pads');
  const pads = old ? old.ints.map((p) => Number(p)) : [0, 0, 0, 0];
  const sum = pads.length === 4 ? pads.map((p, i) => p + extra[i]) : pads;
  return { ...conv, attribute: [...conv.attribute.filter((a) => a.name !== 'pads'), attributeProto('pads', { ints: sum })] };
}
