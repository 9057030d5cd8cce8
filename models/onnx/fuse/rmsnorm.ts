// The decomposed RMSNorm an exporter writes for a hand-written norm (Hugging Face LlamaRMSNorm, T5LayerNorm, ...)
// becomes one RMSNormalization node, after the pipeline has imported every node (models/onnx/load.ts):
//
//   sq = Pow(x, 2) | Mul(x, x)
//   m  = ReduceMean(sq, axes = [axis .. rank-1], keepdims = 1)
//   s  = Sqrt(Add(m, ε) | Add(ε, m))
//   n  = Mul(x, Reciprocal(s)) | Mul(x, Div(1, s)) (either operand order) | Div(x, s)
//   y  = Mul(n, g) | Mul(g, n)            (optional: without it the scale is 1)
//   → y = RMSNormalization(x, g, axis, epsilon = ε)
//
// Conditions, each checked (anything else is left as it is and runs op by op): x is not centered (x = Sub(y,
// ReduceMean(y)): that is a decomposed LayerNorm, left to run as it always has); the exponent, ε, the 1 and g are
// constants; the exponent and the 1 are single values equal to 2 and 1, ε a single finite value ≥ 0; g broadcasts
// to the normalized dims (leading size-1 dims are dropped) and y has x's dims; every intermediate value (sq, m, the
// Add, s, the reciprocal, n) is read by exactly the next node of the pattern and is not a graph output. The fused
// node takes the name the pattern's nodes share (their longest common prefix up to a `/` or `.`, e.g.
// `/model/layers.0/input_layernorm`), or the final node's name, and sits where the final node was (its inputs are
// earlier), so the order stays topological.

import type { FloatTensor, GraphNode, ValueInfo } from '../../graph.ts';
import { broadcastsTo, sameDims } from '../../shape.ts';

export interface FusableGraph {
  nodes: GraphNode[];
  initializers: Map<string, FloatTensor>;
  values: Map<string, ValueInfo>;
  outputs: string[];
}

/** A constant holding one value (any dims of one element), or undefined. */
function scalar(g: FusableGraph, name: string): number | undefined {
  const t = g.initializers.get(name);
  return t && t.data.length === 1 ? t.data[0] : undefined;
}

function commonName(names: string[], fallback: string, taken: Set<string>): string {
  let prefix = names[0];
  for (const n of names) {
    let k = 0;
    while (k < prefix.length && k < n.length && prefix[k] === n[k]) k++;
    prefix = prefix.slice(0, k);
  }
  // cut back to a separator, then drop it: "/m/l0/norm/Pow", "/m/l0/norm/Add" → "/m/l0/norm"
  const cut = Math.max(prefix.lastIndexOf('/'), prefix.lastIndexOf('.'));
  const name = cut > 0 ? prefix.slice(0, cut) : '';
  return name !== '' && !taken.has(name) ? name : fallback;
}

/**
 * Fuses every decomposed RMSNorm of `g` in place. `fresh(hint)` names a new constant (a gain with its leading
 * size-1 dims dropped, or a unit gain). Returns the number of norms fused.
 */
export function fuseRmsNorm(g: FusableGraph, fresh: (hint: string) => string): number {
  const readers = new Map<string, GraphNode[]>();
  for (const n of g.nodes) {
    for (const i of new Set(n.inputs)) readers.set(i, [...(readers.get(i) ?? []), n]);
  }
  const outputs = new Set(g.outputs);
  /** The one node reading `v` (which must not be a graph output), or undefined. */
  const sole = (v: string): GraphNode | undefined => {
    const r = readers.get(v);
    return !outputs.has(v) && r && r.length === 1 ? r[0] : undefined;
  };
  const other = (n: GraphNode, v: string): string | undefined => (n.inputs.length === 2 && n.inputs.includes(v) ? (n.inputs[0] === v ? n.inputs[1] : n.inputs[0]) : undefined);
  const producers = new Map<string, GraphNode>();
  for (const n of g.nodes) for (const o of n.outputs) producers.set(o, n);
  /** x = Sub(y, ReduceMean(y)): the second half of a decomposed LayerNorm, which keeps running as it did. */
  const centered = (x: string): boolean => {
    const sub = producers.get(x);
    const mean = sub?.op === 'Sub' ? producers.get(sub.inputs[1]) : undefined;
    return mean?.op === 'ReduceMean' && mean.inputs[0] === sub!.inputs[0];
  };
  const taken = new Set(g.nodes.map((n) => n.name));
  const removed = new Set<GraphNode>();
  const replaced = new Map<GraphNode, GraphNode>();
  let fused = 0;

  for (const first of g.nodes) {
    if (removed.has(first)) continue;
    // sq = Pow(x, 2) | Mul(x, x)
    let x: string;
    if (first.op === 'Pow' && scalar(g, first.inputs[1]) === 2) x = first.inputs[0];
    else if (first.op === 'Mul' && first.inputs.length === 2 && first.inputs[0] === first.inputs[1]) x = first.inputs[0];
    else continue;
    const xInfo = g.values.get(x);
    if (!xInfo || xInfo.dtype !== 'float32' || g.initializers.has(x)) continue;
    const rank = xInfo.dims.length;
    if (centered(x)) continue;
    const chain: GraphNode[] = [first];
    // m = ReduceMean(sq, trailing axes, keepdims)
    const mean = sole(first.outputs[0]);
    if (mean?.op !== 'ReduceMean' || !mean.attrs.keepdims || mean.attrs.axes.length === 0) continue;
    const axis = mean.attrs.axes[0];
    if (!mean.attrs.axes.every((a, k) => a === axis + k) || mean.attrs.axes[mean.attrs.axes.length - 1] !== rank - 1) continue;
    chain.push(mean);
    // Add(m, ε)
    const add = sole(mean.outputs[0]);
    const epsName = add?.op === 'Add' ? other(add, mean.outputs[0]) : undefined;
    const epsilon = epsName === undefined ? undefined : scalar(g, epsName);
    if (!add || epsilon === undefined || !Number.isFinite(epsilon) || epsilon < 0) continue;
    if (!sameDims(g.values.get(add.outputs[0])!.dims, g.values.get(mean.outputs[0])!.dims)) continue;
    chain.push(add);
    // s = Sqrt(·)
    const sqrt = sole(add.outputs[0]);
    if (sqrt?.op !== 'Sqrt') continue;
    chain.push(sqrt);
    // n = Div(x, s) | Mul(x, Reciprocal(s) | Div(1, s))
    const s = sqrt.outputs[0];
    const next = sole(s);
    let norm: GraphNode | undefined;
    if (next?.op === 'Div' && next.inputs[0] === x && next.inputs[1] === s) norm = next;
    else if ((next?.op === 'Reciprocal' && next.inputs[0] === s) || (next?.op === 'Div' && next.inputs[1] === s && scalar(g, next.inputs[0]) === 1)) {
      chain.push(next);
      const mul = sole(next.outputs[0]);
      if (mul?.op === 'Mul' && other(mul, next.outputs[0]) === x) norm = mul;
    }
    if (!norm || !sameDims(g.values.get(norm.outputs[0])!.dims, xInfo.dims)) continue;
    chain.push(norm);
    // y = Mul(n, g) with a constant g broadcasting to the normalized dims (optional)
    const normDims = xInfo.dims.slice(axis);
    let last = norm;
    let gain: string | undefined;
    const scaleMul = sole(norm.outputs[0]);
    const gName = scaleMul?.op === 'Mul' ? other(scaleMul, norm.outputs[0]) : undefined;
    const gT = gName === undefined ? undefined : g.initializers.get(gName);
    if (scaleMul && gName !== undefined && gT && sameDims(g.values.get(scaleMul.outputs[0])!.dims, xInfo.dims)) {
      const lead = gT.dims.length - normDims.length;
      if (lead <= 0 && broadcastsTo(gT.dims, normDims)) gain = gName;
      else if (lead > 0 && gT.dims.slice(0, lead).every((d) => d === 1) && broadcastsTo(gT.dims.slice(lead), normDims)) {
        gain = fresh(`${gName}/rms_scale`);
        const dims = gT.dims.slice(lead);
        g.initializers.set(gain, { dims, data: gT.data });
        g.values.set(gain, { name: gain, dims, dtype: 'float32' });
      }
      if (gain !== undefined) {
        chain.push(scaleMul);
        last = scaleMul;
      }
    }
    if (gain === undefined) {
      gain = fresh(`${last.name}/rms_scale`);
      g.initializers.set(gain, { dims: [...normDims], data: new Float32Array(normDims.reduce((p, d) => p * d, 1)).fill(1) });
      g.values.set(gain, { name: gain, dims: [...normDims], dtype: 'float32' });
    }
    const y = last.outputs[0];
    for (const n of chain) if (n !== last) taken.delete(n.name);
    const name = commonName(chain.map((n) => n.name), last.name, taken);
    taken.add(name);
    const node: GraphNode = { name, op: 'RMSNormalization', inputs: [x, gain], outputs: [y], attrs: { axis, epsilon } };
    for (const n of chain) {
      removed.add(n);
      if (n !== last) for (const o of n.outputs) g.values.delete(o);
    }
    replaced.set(last, node);
    fused++;
  }
  if (fused === 0) return 0;
  const nodes = g.nodes.flatMap((n) => (replaced.has(n) ? [replaced.get(n)!] : removed.has(n) ? [] : [n]));
  g.nodes.length = 0;
  g.nodes.push(...nodes);
  return fused;
}
