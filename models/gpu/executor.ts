/**
 * The native GPU executor: runs an integer graph with its tensors resident on the GPU and commits to the run
 * there — every input's and node output's root is hashed on the GPU (models/gpu/merkle.ts: all tensors
 * together after the last node, in one dispatch when every tensor is small), and only the 32-byte roots (plus
 * the words asked for) come back. Graph states S_0..S_n are then the slot tree over those roots, built incrementally
 * on the CPU (O(log slots) small hashes per state).
 *
 * `GpuGraph.create` uploads the weights once and pre-builds every buffer, params block, bind group and
 * dispatch; `run` writes the inputs, records one compute pass (all nodes and all roots), submits it and maps
 * one read-back buffer. The result has runGraph's shape (models/int/execute.ts) and, by construction and by
 * test/gpu, its bits: values, roots, states and outputs equal the CPU executor's.
 *
 * matmul and conv2d nodes may run a tiled or packed kernel instead of the reference one (models/gpu/variants.ts):
 * chosen at creation by shape and int8 proofs; where a proof rests on a graph input's words, both dispatches
 * are built and each run picks by scanning those words (`kernelsFor`).
 */
import { bytesToHex, hexToBytes, type Hex } from 'viem';
import { MerkleTree } from '../../vm/merkle.ts';
import { callOf, checkInputs, type GraphRun } from '../int/execute.ts';
import { elementCount, stateSlots, type IntGraph, type IntNode } from '../int/graph.ts';
import type { KernelCall } from '../int/kernels/kernel.ts';
import { slotDepth } from '../int/roots.ts';
import type { GpuDevice } from './device.ts';
import { gemmKey, gemmSource, packWeight } from './gemm.ts';
import { allInt8, tensorRanges } from './int8Range.ts';
import { GPU_KERNELS, kernelSource, unsupportedOps, variantKey, type KernelDispatch } from './kernels.ts';
import { merklePipelines, packOffsets, planRoots, rootAt, rootDispatches } from './merkle.ts';
import { checkPackedDot, type PackedDotCheck } from './packedDot.ts';
import { bindGroup, encodeDispatches, grid, paramsBuffer, pipelineOf, stagingBuffer, storageBuffer, submitAndRead, type Dispatch } from './runtime.ts';
import { chooseKernels, type KernelChoice, type KernelKind, type NodeKernels, type VariantOptions } from './variants.ts';

export class GpuUnsupportedError extends Error {
  constructor(readonly ops: string[]) {
    super(`the GPU executor has no kernel for op(s) ${ops.join(', ')}: run this graph on the CPU executor`);
    this.name = 'GpuUnsupportedError';
  }
}

/** The graph's activations (inputs and node outputs) do not fit one storage binding of this adapter. */
export class GpuCapacityError extends Error {
  constructor(bytes: number, limit: number) {
    super(`the graph's inputs and activations need ${bytes} bytes, more than this adapter's ${limit}-byte storage binding: run it on the CPU executor`);
    this.name = 'GpuCapacityError';
  }
}

/** Options of GpuGraph.create: the kernel variants of matmul / conv2d (models/gpu/variants.ts), and `patch`. */
export interface GpuGraphOptions extends VariantOptions {
  /** Rewrite a kernel's WGSL before compiling it (mutation tests); pipelines are then not cached. */
  patch?: (key: string, code: string) => string;
}

/** A node's pre-built dispatches: `main`, or `guarded` in a run whose guard inputs are all int8. */
interface NodeDispatches {
  main: Dispatch[];
  guarded?: { inputs: number[]; dispatches: Dispatch[] };
}

export interface GpuRunOptions {
  /**
   * 'all' (default): every node output comes back, as runGraph gives it. 'outputs': only the graph outputs
   * (values then holds the inputs and the outputs); roots and states are complete either way.
   */
  readback?: 'all' | 'outputs';
}

/**
 * An integer graph resident on one GPU device. Memory: every graph input and node output in one arena
 * buffer (word offsets fixed at creation), each weight in its own read-only buffer, the Merkle levels and
 * the roots region in a hash buffer, one read-back buffer (roots, then the node outputs).
 */
export class GpuGraph {
  private readonly owned: GPUBuffer[] = [];
  private nodeDispatches: NodeDispatches[] = [];
  private rootDispatches: Dispatch[] = [];
  /** What each node runs (models/gpu/variants.ts), in node order. */
  choices: KernelChoice[] = [];
  /** The device's dot4I8Packed self-check, when packed kernels were considered. */
  packedDot: PackedDotCheck | undefined;
  private arena!: GPUBuffer;
  private hashes!: GPUBuffer;
  private staging!: GPUBuffer;
  /** Word offset in the arena of each input and node output. */
  private readonly offsets = new Map<number, number>();
  /** First arena word of the node outputs, and the arena's size in words. */
  private nodesStart = 0;
  private arenaWords = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private destroyed = false;

  private constructor(
    readonly gpu: GpuDevice,
    readonly graph: IntGraph,
  ) {}

  /**
   * Upload the weights and build every dispatch. Throws GpuUnsupportedError for an op without a GPU kernel,
   * GpuCapacityError when the activations exceed one storage binding.
   */
  static async create(gpu: GpuDevice, graph: IntGraph, options: GpuGraphOptions = {}): Promise<GpuGraph> {
    const missing = unsupportedOps(graph.nodes.map((n) => n.op));
    if (missing.length > 0) throw new GpuUnsupportedError(missing);
    const g = new GpuGraph(gpu, graph);
    try {
      await g.build(options);
    } catch (e) {
      g.destroy();
      throw e;
    }
    return g;
  }

  private async build(options: GpuGraphOptions): Promise<void> {
    const { gpu, graph } = this;
    const patch = options.patch;
    const words = (t: number): number => elementCount(graph.tensors[t].dims);
    const slots = stateSlots(graph);

    // Arena layout: inputs first, then node outputs.
    const inputs = packOffsets(graph.inputs.map(words));
    graph.inputs.forEach((t, i) => this.offsets.set(t, inputs.offsets[i]));
    const nodes = packOffsets(graph.nodes.map((n) => words(n.output)), inputs.end);
    graph.nodes.forEach((n, i) => this.offsets.set(n.output, nodes.offsets[i]));
    this.nodesStart = inputs.end;
    this.arenaWords = nodes.end;
    if (this.arenaWords * 4 > gpu.limits.maxStorageBufferBindingSize) throw new GpuCapacityError(this.arenaWords * 4, gpu.limits.maxStorageBufferBindingSize);

    // Plans (reference dispatches, then the tiled / packed variant each matmul and conv2d node takes), then
    // the pipeline variants they need (compiled concurrently, cached per device).
    const calls = graph.nodes.map((_, i) => callOf(graph, i));
    const reference = graph.nodes.map((node, i) => (GPU_KERNELS[node.op] as (c: KernelCall<never>) => KernelDispatch[])(calls[i]));
    const ctx = { graph, ranges: tensorRanges(graph), limits: gpu.limits, packedDot: undefined as PackedDotCheck | undefined, options };
    const choose = () => graph.nodes.map((_, i) => chooseKernels(ctx, i, calls[i], reference[i]));
    let plans: NodeKernels[] = choose();
    // The dot4I8Packed self-check (once per device) only when some node is tiled and so may run packed.
    if (options.packed !== false && plans.some((p) => p.choice.kernel === 'tiled')) {
      this.packedDot = ctx.packedDot = await checkPackedDot(gpu);
      plans = choose();
    }
    this.choices = plans.map((p) => p.choice);
    const separateOf = (node: IntNode, p: KernelDispatch): boolean[] => p.inputs.map((k) => graph.weights.has(node.inputs[k]));
    const keyOf = (p: KernelDispatch, separate: boolean[]) => (p.gemm ? gemmKey(p.gemm, separate) : variantKey(p.key, separate));
    const variants = new Map<string, () => string>();
    graph.nodes.forEach((node, i) => {
      for (const p of [...plans[i].main, ...(plans[i].guarded?.dispatches ?? [])]) {
        const separate = separateOf(node, p);
        variants.set(keyOf(p, separate), () => (p.gemm ? gemmSource(p.gemm, separate) : kernelSource(p.key, separate)));
      }
    });
    const compile = (vk: string, code: string) => (patch ? pipelineOf(gpu, vk, patch(vk, code), false) : pipelineOf(gpu, vk, code));
    const [merkle, compiled] = await Promise.all([merklePipelines(gpu, patch), Promise.all([...variants].map(([vk, source]) => compile(vk, source())))]);
    const pipes = new Map([...variants.keys()].map((vk, i) => [vk, compiled[i]]));

    // Buffers, params and bind groups, with allocation and validation errors caught here rather than later.
    const device = gpu.device;
    device.pushErrorScope('validation');
    device.pushErrorScope('out-of-memory');
    try {
      this.arena = this.own(storageBuffer(gpu, this.arenaWords * 4, 'arena'));
      const weights = new Map<number, GPUBuffer>();
      for (const [t, w] of graph.weights) weights.set(t, this.own(storageBuffer(gpu, w.length * 4, `weight ${graph.tensors[t].name}`, w)));
      // Weights packed 4 int8 per word for packed kernels, once per (tensor, layout).
      const packedWeights = new Map<string, GPUBuffer>();
      const packedOf = (problem: 'matmul' | 'conv2d', t: number): GPUBuffer => {
        const key = `${problem}/${t}`;
        let b = packedWeights.get(key);
        if (!b) {
          const words = packWeight(problem, graph.weights.get(t)!, graph.tensors[t].dims);
          b = this.own(storageBuffer(gpu, words.length * 4, `packed weight ${graph.tensors[t].name}`, words));
          packedWeights.set(key, b);
        }
        return b;
      };

      const build = (node: IntNode, p: KernelDispatch): Dispatch | undefined => {
        if (p.threads === 0) return undefined;
        const separate = separateOf(node, p);
        const pipeline = pipes.get(keyOf(p, separate))!;
        const { groups, rowThreads } = p.gemm ? { groups: p.gemm.groups, rowThreads: 0 } : grid(gpu, p.threads);
        const inputOffsets = p.inputs.map((k, j) => {
          const o = separate[j] ? 0 : this.offsets.get(node.inputs[k]);
          if (o === undefined) throw new Error(`internal: input ${k} of node ${node.name} is neither a weight nor produced before it`);
          return o;
        });
        const params = this.own(paramsBuffer(gpu, [p.threads, rowThreads, this.offsets.get(node.output)!, ...inputOffsets, ...p.params], `${node.name} params`));
        const bound = p.inputs
          .filter((_, j) => separate[j])
          .map((k) => (p.gemm?.prepacked && k === 1 ? packedOf(p.gemm.problem, node.inputs[k]) : weights.get(node.inputs[k])!));
        return { pipeline, bindGroup: bindGroup(gpu, pipeline, [params, this.arena, ...bound], node.name), groups, label: node.name };
      };
      const buildAll = (node: IntNode, ps: KernelDispatch[]) => ps.map((p) => build(node, p)).filter((d): d is Dispatch => d !== undefined);
      this.nodeDispatches = graph.nodes.map((node, i) => {
        const { main, guarded } = plans[i];
        return { main: buildAll(node, main), guarded: guarded && { inputs: guarded.inputs, dispatches: buildAll(node, guarded.dispatches) } };
      });

      // Roots of every slot, after the last node.
      const plan = planRoots(slots.map((t, slot) => ({ offset: this.offsets.get(t)!, words: words(t), slot })), slots.length);
      this.hashes = this.own(storageBuffer(gpu, plan.hashWords * 4, 'merkle levels'));
      const r = rootDispatches(gpu, merkle, plan, this.arena, this.hashes);
      this.rootDispatches = r.dispatches;
      this.owned.push(...r.buffers);

      // Read-back: roots, then the node outputs as laid out in the arena.
      this.staging = this.own(stagingBuffer(gpu, slots.length * 32 + (this.arenaWords - this.nodesStart) * 4, 'read-back'));
    } finally {
      const oom = await device.popErrorScope();
      const invalid = await device.popErrorScope();
      if (oom) throw new Error(`GPU out of memory building the graph: ${oom.message}`);
      if (invalid) throw new Error(`GPU: ${invalid.message}`);
    }
  }

  private own(b: GPUBuffer): GPUBuffer {
    this.owned.push(b);
    return b;
  }

  /** Run on `inputs` (the graph's input words, in order). Runs on one GpuGraph are serialized. */
  run(inputs: readonly Int32Array[], options: GpuRunOptions = {}): Promise<GraphRun> {
    const next = this.queue.then(() => this.runNow(inputs, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(inputs: readonly Int32Array[], options: GpuRunOptions): Promise<GraphRun> {
    if (this.destroyed) throw new Error('GpuGraph was destroyed');
    const { gpu, graph } = this;
    checkInputs(graph, inputs);
    const device = gpu.device;
    graph.inputs.forEach((t, i) => {
      const w = inputs[i];
      if (w.length > 0) device.queue.writeBuffer(this.arena, this.offsets.get(t)! * 4, w.buffer, w.byteOffset, w.byteLength);
    });
    const slots = stateSlots(graph);
    const rootBytes = slots.length * 32;
    const encoder = device.createCommandEncoder();
    encodeDispatches(encoder, this.dispatchesFor(inputs));
    encoder.copyBufferToBuffer(this.hashes, 0, this.staging, 0, rootBytes);
    const nodeOutputs = new Set(graph.nodes.map((n) => n.output));
    const wanted = options.readback === 'outputs' ? graph.outputs.filter((t) => nodeOutputs.has(t)) : undefined;
    const place = (t: number) => ({ at: rootBytes + (this.offsets.get(t)! - this.nodesStart) * 4, bytes: elementCount(graph.tensors[t].dims) * 4 });
    let readBytes = rootBytes;
    if (!wanted) {
      const bytes = (this.arenaWords - this.nodesStart) * 4;
      if (bytes > 0) encoder.copyBufferToBuffer(this.arena, this.nodesStart * 4, this.staging, rootBytes, bytes);
      readBytes += bytes;
    } else {
      for (const t of new Set(wanted)) {
        const { at, bytes } = place(t);
        if (bytes > 0) encoder.copyBufferToBuffer(this.arena, this.offsets.get(t)! * 4, this.staging, at, bytes);
        readBytes = Math.max(readBytes, at + bytes);
      }
    }
    const data = await submitAndRead(gpu, encoder, this.staging, readBytes);

    const values = new Map<number, Int32Array>();
    graph.inputs.forEach((t, i) => values.set(t, Int32Array.from(inputs[i])));
    for (const n of graph.nodes) {
      if (wanted && !wanted.includes(n.output)) continue;
      const { at, bytes } = place(n.output);
      values.set(n.output, new Int32Array(data.buffer.slice(data.byteOffset + at, data.byteOffset + at + bytes)));
    }
    const roots = new Map<number, Hex>();
    slots.forEach((t, s) => roots.set(t, rootAt(data, s)));
    const states = graphStates(slots.map((t) => roots.get(t)!), graph.inputs.length);
    const outputs = graph.outputs.map((t) => values.get(t) ?? graph.weights.get(t)!);
    return { values, roots, states, outputs };
  }

  /**
   * The kernel each node runs on these inputs: a guarded packed dispatch only when every graph input it
   * depends on has all words in [-128, 127] (checked here on the words about to be uploaded).
   */
  kernelsFor(inputs: readonly Int32Array[]): KernelKind[] {
    const ok = this.guardsHolding(inputs);
    return this.choices.map((c) => (c.guard && !c.guard.every((t) => ok(t)) ? c.fallback! : c.kernel));
  }

  private guardsHolding(inputs: readonly Int32Array[]): (t: number) => boolean {
    const cache = new Map<number, boolean>();
    return (t) => {
      let v = cache.get(t);
      if (v === undefined) {
        v = allInt8(inputs[this.graph.inputs.indexOf(t)]);
        cache.set(t, v);
      }
      return v;
    };
  }

  private dispatchesFor(inputs: readonly Int32Array[]): Dispatch[] {
    const ok = this.guardsHolding(inputs);
    const out: Dispatch[] = [];
    for (const n of this.nodeDispatches) out.push(...(n.guarded && n.guarded.inputs.every((t) => ok(t)) ? n.guarded.dispatches : n.main));
    out.push(...this.rootDispatches);
    return out;
  }

  /** Release every GPU buffer of this graph (the device stays open). */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const b of this.owned) b.destroy();
    this.owned.length = 0;
    this.nodeDispatches = [];
    this.rootDispatches = [];
  }
}

/**
 * S_0..S_n from the slot roots (models/int/roots.ts graphState): S_0 has the first `inputs` slots, S_i adds
 * slot inputs + i - 1. One tree updated leaf by leaf (only the dirty path is re-hashed per state).
 */
export function graphStates(slotRoots: readonly Hex[], inputs: number): Hex[] {
  const n = slotRoots.length;
  const tree = new MerkleTree(slotDepth(n), Math.max(1, n));
  for (let s = 0; s < inputs; s++) tree.setLeaf(s, hexToBytes(slotRoots[s]));
  const states: Hex[] = [bytesToHex(tree.root())];
  for (let s = inputs; s < n; s++) {
    tree.setLeaf(s, hexToBytes(slotRoots[s]));
    states.push(bytesToHex(tree.root()));
  }
  return states;
}

/**
 * runGraph on the GPU: same result shape and bits as models/int/execute.ts runGraph. The GpuGraph (weights on
 * the device, pipelines, dispatches) is built on the first call for a graph object and reused afterwards.
 */
export async function runGraphGpu(gpu: GpuDevice, graph: IntGraph, inputs: readonly Int32Array[], options: GpuRunOptions = {}): Promise<GraphRun> {
  return (await gpuGraphOf(gpu, graph)).run(inputs, options);
}

/** The cached GpuGraph of `graph` on `gpu`. */
export async function gpuGraphOf(gpu: GpuDevice, graph: IntGraph): Promise<GpuGraph> {
  let g = gpu.graphs.get(graph) as Promise<GpuGraph> | undefined;
  if (!g) {
    g = GpuGraph.create(gpu, graph);
    gpu.graphs.set(graph, g);
    g.catch(() => gpu.graphs.delete(graph));
  }
  return g;
}
