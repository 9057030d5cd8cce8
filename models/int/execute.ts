/**
 * The CPU executor: runs an integer graph node by node with the kernels' reference `execute`, and commits to
 * the run: every tensor's root and the graph states S_0 (inputs only) .. S_n (after the last node).
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { elementCount, stateSlots, type IntGraph } from './graph.ts';
import { kernelOf } from './kernels/index.ts';
import type { KernelCall } from './kernels/kernel.ts';
import { slotTree, tensorRoot } from './roots.ts';

export class GraphInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GraphInputError';
  }
}

export interface GraphRun {
  /** Words of every input and node output, by tensor id. */
  values: Map<number, Int32Array>;
  /** Root of every input and node output, by tensor id. */
  roots: Map<number, Hex>;
  /** S_0 .. S_n. */
  states: Hex[];
  outputs: Int32Array[];
}

/** The kernel call of node i (attrs and static dims). */
export function callOf(graph: IntGraph, i: number): KernelCall<never> {
  const node = graph.nodes[i];
  return {
    attrs: node.attrs as never,
    inputDims: node.inputs.map((t) => graph.tensors[t].dims),
    outDims: graph.tensors[node.output].dims,
  };
}

export function checkInputs(graph: IntGraph, inputs: readonly Int32Array[]): void {
  if (inputs.length !== graph.inputs.length) {
    throw new GraphInputError(`the model takes ${graph.inputs.length} input(s), got ${inputs.length}`);
  }
  graph.inputs.forEach((t, i) => {
    const want = elementCount(graph.tensors[t].dims);
    if (inputs[i].length !== want) {
      throw new GraphInputError(`input "${graph.tensors[t].name}" needs ${want} values (dims [${graph.tensors[t].dims}]), got ${inputs[i].length}`);
    }
  });
}

/**
 * A hook on each node's output: return a replacement to run the rest of the graph on (used to model a party
 * that lies about one node), or nothing to keep it.
 */
export type NodeOverride = (i: number, out: Int32Array) => Int32Array | undefined;

/** Runs the graph without committing: every input and node output by tensor id, and the graph outputs. */
export function executeGraph(
  graph: IntGraph,
  inputs: readonly Int32Array[],
  onNode?: (i: number, out: Int32Array) => void,
  override?: NodeOverride,
): Pick<GraphRun, 'values' | 'outputs'> {
  checkInputs(graph, inputs);
  const values = new Map<number, Int32Array>();
  graph.inputs.forEach((t, i) => values.set(t, Int32Array.from(inputs[i])));
  const word = (t: number): Int32Array => {
    const v = values.get(t) ?? graph.weights.get(t);
    if (!v) throw new Error(`internal: tensor ${t} (${graph.tensors[t].name}) has no value yet`);
    return v;
  };
  graph.nodes.forEach((node, i) => {
    const computed = kernelOf(node.op).execute(callOf(graph, i), node.inputs.map(word));
    const out = override?.(i, computed) ?? computed;
    values.set(node.output, out);
    onNode?.(i, out);
  });
  return { values, outputs: graph.outputs.map(word) };
}

/** Runs the graph and commits to the run: every tensor root and the graph states S_0..S_n. */
export function runGraph(graph: IntGraph, inputs: readonly Int32Array[], onNode?: (i: number) => void, override?: NodeOverride): GraphRun {
  const roots = new Map<number, Hex>();
  graph.inputs.forEach((t, i) => roots.set(t, tensorRoot(inputs[i])));
  // One slot tree, updated a leaf at a time: each state costs one path of hashes, not a rebuild.
  const slots = slotTree(stateSlots(graph).map((t) => roots.get(t)));
  const states: Hex[] = [bytesToHex(slots.root())];
  const { values, outputs } = executeGraph(graph, inputs, (i, out) => {
    const root = tensorRoot(out);
    roots.set(graph.nodes[i].output, root);
    slots.setLeaf(graph.inputs.length + i, hexToBytes(root));
    states.push(bytesToHex(slots.root()));
    onNode?.(i);
  }, override);
  return { values, roots, states, outputs };
}
