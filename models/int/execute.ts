/**
 * The CPU executor: runs an integer graph node by node, and commits to the run: every tensor's root and the
 * graph states S_0 (inputs only) .. S_n (after the last node). By default a node runs its fast kernel
 * (kernels/fast.ts) where one exists, else the kernel's reference `execute`; the fast kernels give the same
 * words (test/models/int/fast-kernels.test.ts), and `kernels: 'reference'` runs the references only.
 */
import type { Hex } from 'viem';
import { elementCount, stateSlots, type IntGraph } from './graph.ts';
import { FAST_KERNELS, slabWords, type FastKernel } from './kernels/fast.ts';
import { kernelOf } from './kernels/index.ts';
import type { KernelCall } from './kernels/kernel.ts';
import { graphStates, tensorRoot } from './roots.ts';

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

/** Which CPU kernels run the nodes: the fast ones where they exist (default), or the references only. */
export type KernelChoice = 'fast' | 'reference';

/** Output words of node i from its input words (into `out`, of the output's size, when given and a fast kernel runs). */
export function executeNode(graph: IntGraph, i: number, inputs: Int32Array[], kernels: KernelChoice = 'fast', out?: Int32Array): Int32Array {
  const op = graph.nodes[i].op;
  const call = callOf(graph, i);
  const fast = kernels === 'fast' ? (FAST_KERNELS[op] as FastKernel<never> | undefined) : undefined;
  if (!fast) return kernelOf(op).execute(call, inputs);
  const y = out ?? new Int32Array(elementCount(call.outDims));
  fast(call, inputs, y);
  return y;
}

/** Runs the graph without committing: every input and node output by tensor id, and the graph outputs. */
export function executeGraph(
  graph: IntGraph,
  inputs: readonly Int32Array[],
  onNode?: (i: number, out: Int32Array) => void,
  override?: NodeOverride,
  kernels: KernelChoice = 'fast',
): Pick<GraphRun, 'values' | 'outputs'> {
  checkInputs(graph, inputs);
  const values = new Map<number, Int32Array>();
  // The inputs' copies and the fast kernels' outputs are views carved from a shared slab (slab.ts): a
  // fresh backing store per tensor, or per run, costs more than the small kernels themselves.
  const sizes = graph.inputs.map((t) => elementCount(graph.tensors[t].dims));
  const outSizes = graph.nodes.map((node) => (kernels === 'fast' && FAST_KERNELS[node.op] ? elementCount(graph.tensors[node.output].dims) : 0));
  const take = (words: number): Int32Array => slabWords(words);
  graph.inputs.forEach((t, i) => {
    const copy = take(sizes[i]);
    copy.set(inputs[i]);
    values.set(t, copy);
  });
  const word = (t: number): Int32Array => {
    const v = values.get(t) ?? graph.weights.get(t);
    if (!v) throw new Error(`internal: tensor ${t} (${graph.tensors[t].name}) has no value yet`);
    return v;
  };
  graph.nodes.forEach((node, i) => {
    const computed = executeNode(graph, i, node.inputs.map(word), kernels, outSizes[i] > 0 ? take(outSizes[i]) : undefined);
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
  const { values, outputs } = executeGraph(graph, inputs, (i, out) => {
    roots.set(graph.nodes[i].output, tensorRoot(out));
    onNode?.(i);
  }, override);
  // Every state S_0..S_n at once, hashed level by level across the states (roots.ts).
  const states = graphStates(stateSlots(graph).map((t) => roots.get(t) as Hex), graph.inputs.length);
  return { values, roots, states, outputs };
}
