/**
 * A one-node integer graph for kernel tests: input 0 is a graph input; each other input is a weight when
 * `asWeight(k)` says so (its own read-only buffer on the GPU), else a graph input (in the arena).
 */
import type { IntAttrs, IntGraph, IntOp } from '../../models/int/graph.ts';

export interface OneNode<K extends IntOp> {
  op: K;
  attrs: IntAttrs[K];
  inputDims: number[][];
  inputs: Int32Array[];
  outDims: number[];
}

export function oneNodeGraph<K extends IntOp>(c: OneNode<K>, asWeight: (k: number) => boolean): { graph: IntGraph; inputs: Int32Array[] } {
  const tensors: IntGraph['tensors'] = c.inputDims.map((dims, k) => ({ name: `in${k}`, dims, kind: k > 0 && asWeight(k) ? 'weight' : 'input', scale: 1 }));
  // an argmax output is token ids: an integer tensor (models/int/validate.ts)
  tensors.push({ name: 'out', dims: c.outDims, kind: 'activation', scale: 1, ...(c.op === 'argmax' ? { integer: true } : {}) });
  const weights = new Map<number, Int32Array>();
  const graphInputs: number[] = [];
  const inputs: Int32Array[] = [];
  c.inputs.forEach((w, k) => {
    if (tensors[k].kind === 'weight') weights.set(k, w);
    else {
      graphInputs.push(k);
      inputs.push(w);
    }
  });
  const out = c.inputDims.length;
  const node = { name: c.op, op: c.op, inputs: c.inputDims.map((_, k) => k), output: out, attrs: c.attrs } as IntGraph['nodes'][number];
  return { graph: { tensors, weights, inputs: graphInputs, nodes: [node], outputs: [out] }, inputs };
}
