/**
 * The CPU executor: runs an integer graph node by node, and commits to the run: every tensor's root and the
 * graph states S_0 (inputs only) .. S_n (after the last node). By default a node runs its fast kernel
 * (kernels/fast.ts) where one exists, else the kernel's reference `execute`; the fast kernels give the same
 * words (test/models/int/fast-kernels.test.ts), and `kernels: 'reference'` runs the references only.
 *
 * Per-node overhead: everything about a node that depends on the graph only (its kernel call, its prepared
 * fast kernel, its output size, its input tensor ids) is worked out once per graph and kept in a WeakMap keyed
 * by the graph object (GraphPlan), so the per-node loop allocates nothing but its output (a slab view). A
 * node's fast kernel is prepared on the node's first run (so a shape error surfaces where the reference's
 * would). The plan is rebuilt when the graph's node or tensor arrays, or any node object, are replaced; a
 * graph's nodes are not expected to be edited in place once it has run.
 */
import type { Hex } from 'viem';
import { elementCount, stateSlots, type IntGraph, type IntNode } from './graph.ts';
import { FAST_PLANNERS, slabWords, type FastPlanner, type FastRunner } from './kernels/fast.ts';
import { markImmutable } from './kernels/fastCommon.ts';
import { kernelOf } from './kernels/index.ts';
import type { IntKernel, KernelCall } from './kernels/kernel.ts';
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

/** One node of a graph, worked out once (see the file comment). */
interface NodeStep {
  call: KernelCall<never>;
  reference: IntKernel<never>;
  planner: FastPlanner<never> | undefined;
  /** The prepared fast kernel, made on the node's first fast run. */
  runner: FastRunner | undefined;
  /** Input tensor ids, and the argument array the kernels get (refilled on every run). */
  inputs: number[];
  args: Int32Array[];
  output: number;
  /** Output words. */
  words: number;
}

interface GraphPlan {
  nodes: IntNode[];
  tensors: IntGraph['tensors'];
  tensorCount: number;
  steps: NodeStep[];
  /** Tensors read that are neither graph inputs nor node outputs (weights, looked up on every run). */
  weightIds: number[];
  inputWords: number[];
}

const PLANS = new WeakMap<IntGraph, GraphPlan>();

function makeStep(graph: IntGraph, node: IntNode, i: number): NodeStep {
  const call = callOf(graph, i);
  return {
    call,
    reference: kernelOf(node.op) as IntKernel<never>,
    planner: FAST_PLANNERS[node.op] as FastPlanner<never> | undefined,
    runner: undefined,
    inputs: [...node.inputs],
    args: node.inputs.map(() => new Int32Array(0)),
    output: node.output,
    words: elementCount(call.outDims),
  };
}

function makePlan(graph: IntGraph): GraphPlan {
  const steps = graph.nodes.map((node, i) => makeStep(graph, node, i));
  const produced = new Set([...graph.inputs, ...graph.nodes.map((n) => n.output)]);
  const read = new Set([...graph.nodes.flatMap((n) => n.inputs), ...graph.outputs]);
  return {
    nodes: [...graph.nodes],
    tensors: graph.tensors,
    tensorCount: graph.tensors.length,
    steps,
    weightIds: [...read].filter((t) => !produced.has(t)),
    inputWords: graph.inputs.map((t) => elementCount(graph.tensors[t].dims)),
  };
}

function isCurrent(plan: GraphPlan, graph: IntGraph): boolean {
  if (plan.tensors !== graph.tensors || plan.tensorCount !== graph.tensors.length || plan.nodes.length !== graph.nodes.length) return false;
  for (let i = 0; i < plan.nodes.length; i++) if (plan.nodes[i] !== graph.nodes[i]) return false;
  return true;
}

/** The graph's plan, made on first use and remade when the graph's nodes or tensors were replaced. */
function planOf(graph: IntGraph): GraphPlan {
  let plan = PLANS.get(graph);
  if (!plan || !isCurrent(plan, graph)) {
    plan = makePlan(graph);
    PLANS.set(graph, plan);
  }
  return plan;
}

/** The step's fast kernel, prepared on first use. */
function runnerOf(step: NodeStep): FastRunner | undefined {
  if (!step.runner && step.planner) step.runner = step.planner(step.call);
  return step.runner;
}

/** Output words of node i from its input words (into `out`, of the output's size, when given and a fast kernel runs). */
export function executeNode(graph: IntGraph, i: number, inputs: Int32Array[], kernels: KernelChoice = 'fast', out?: Int32Array): Int32Array {
  const step = planOf(graph).steps[i];
  if (!step) throw new RangeError(`executeNode: the graph has no node ${i}`);
  const run = kernels === 'fast' ? runnerOf(step) : undefined;
  if (!run) return step.reference.execute(step.call, inputs);
  const y = out ?? new Int32Array(step.words);
  // The inputs that are the graph's own weight arrays never change (fastCommon.ts markImmutable).
  for (let k = 0; k < inputs.length; k++) if (graph.weights.get(step.inputs[k]) === inputs[k]) markImmutable(inputs[k]);
  run(inputs, y);
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
  const plan = planOf(graph);
  const values = new Map<number, Int32Array>();
  // Every tensor's words by id: weights, then the inputs' copies, then node outputs as they are made.
  const slots: (Int32Array | undefined)[] = new Array(plan.tensorCount);
  for (const t of plan.weightIds) {
    const w = graph.weights.get(t);
    // A graph's weights never change: their packed forms may be cached (fastCommon.ts markImmutable).
    if (w) markImmutable(w);
    slots[t] = w;
  }
  // The inputs' copies and the fast kernels' outputs are views carved from a shared slab (fastCommon.ts): a
  // fresh backing store per tensor, or per run, costs more than the small kernels themselves.
  for (let i = 0; i < graph.inputs.length; i++) {
    const copy = slabWords(plan.inputWords[i]);
    copy.set(inputs[i]);
    slots[graph.inputs[i]] = copy;
    values.set(graph.inputs[i], copy);
  }
  const word = (t: number): Int32Array => {
    const v = slots[t];
    if (!v) throw new Error(`internal: tensor ${t} (${graph.tensors[t].name}) has no value yet`);
    return v;
  };
  const fast = kernels === 'fast';
  for (let i = 0; i < plan.steps.length; i++) {
    const step = plan.steps[i];
    const args = step.args;
    for (let k = 0; k < args.length; k++) args[k] = word(step.inputs[k]);
    const run = fast ? runnerOf(step) : undefined;
    let computed: Int32Array;
    if (run) {
      computed = slabWords(step.words);
      run(args, computed);
    } else {
      computed = step.reference.execute(step.call, args);
    }
    const out = override?.(i, computed) ?? computed;
    slots[step.output] = out;
    values.set(step.output, out);
    onNode?.(i, out);
  }
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
