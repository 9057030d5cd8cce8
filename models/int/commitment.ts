/**
 * The model commitment of docs/GAME.md, computed from an integer graph: one NodeSpec per node (code root,
 * step count, where each input and the output sit in the node's VM memory, and each input's source: a graph
 * slot or a constant root; for a tiled node its tile tree and window instead of a program: models/int/tiles/),
 * their tree, and the model id. The Solidity twin is contracts/src/Commitments.sol.
 */
import { bytesToHex, encodeAbiParameters, hexToBytes, keccak256, type Hex } from 'viem';
import { MEM_DEPTH } from '../../vm/isa.ts';
import { ceilLog2, MerkleTree, ZERO_HASHES, type Bytes32 } from '../../vm/merkle.ts';
import { hashPair } from '../../vm/keccak.ts';
import { elementCount, type IntGraph } from './graph.ts';
import { tensorRoot } from './roots.ts';
import { staticSteps } from './staticSteps.ts';
import { lowerForCommitment, type NodeLowering } from './tiles/lowering.ts';
import type { LoweringOptions } from './tiles/options.ts';
import { stepsByRunning, type LoweredNode } from './vmNode.ts';

export { stepsByRunning } from './vmNode.ts';
export { TILE_SPEC_ABI, tileLeaf, tileTree, toAbiTileSpec, type TileSpec } from './tiles/spec.ts';

export interface InputRegion {
  fromSlot: boolean;
  slot: number;
  root: Hex;
  base: number;
  height: number;
}

export interface NodeSpec {
  /** Zero for a tiled node. */
  codeRoot: Hex;
  /** Zero for a tiled node. */
  steps: number;
  outBase: number;
  outHeight: number;
  inputs: InputRegion[];
  /** 0: an untiled node (the three fields below zero); ≥ 1: a tiled node (docs/GAME.md "Tiled nodes"). */
  numTiles: number;
  /** Root of the tile tree (models/int/tiles/spec.ts `tileTree`). */
  tilesRoot: Hex;
  /** The window: the aligned region each tile's constants are swapped into. */
  windowBase: number;
  windowHeight: number;
}

export interface ModelCommitment {
  nodes: NodeSpec[];
  nodesRoot: Hex;
  numNodes: number;
  /** inputWords.length. */
  numInputs: number;
  outputSlot: number;
  /** The output tensor's word count: a submission posts exactly this many words. */
  outputWords: number;
  /** Each graph input's word count: a submission publishes exactly these. */
  inputWords: number[];
  modelId: Hex;
  /** Off-chain only (not part of the id): per node, its longest tile's step count (0 for an untiled node). */
  maxTileSteps?: number[];
}

const ZERO: Hex = `0x${'00'.repeat(32)}`;

/** The tile fields of an untiled node: spread into a NodeSpec literal (`{ ...UNTILED, codeRoot, ... }`). */
export const UNTILED = { numTiles: 0, tilesRoot: ZERO, windowBase: 0, windowHeight: 0 } as const satisfies Pick<NodeSpec, 'numTiles' | 'tilesRoot' | 'windowBase' | 'windowHeight'>;

const INPUT_REGION = {
  type: 'tuple',
  components: [
    { name: 'fromSlot', type: 'bool' },
    { name: 'slot', type: 'uint32' },
    { name: 'root', type: 'bytes32' },
    { name: 'base', type: 'uint32' },
    { name: 'height', type: 'uint8' },
  ],
} as const;

export const NODE_SPEC_ABI = {
  type: 'tuple',
  components: [
    { name: 'codeRoot', type: 'bytes32' },
    { name: 'steps', type: 'uint64' },
    { name: 'outBase', type: 'uint32' },
    { name: 'outHeight', type: 'uint8' },
    { name: 'inputs', type: 'tuple[]', components: INPUT_REGION.components },
    { name: 'numTiles', type: 'uint32' },
    { name: 'tilesRoot', type: 'bytes32' },
    { name: 'windowBase', type: 'uint32' },
    { name: 'windowHeight', type: 'uint8' },
  ],
} as const;

export function toAbiNodeSpec(spec: NodeSpec) {
  return { ...spec, steps: BigInt(spec.steps) };
}

/** keccak256(abi.encode(spec)): the node tree's leaf. */
export function nodeLeaf(spec: NodeSpec): Hex {
  return keccak256(encodeAbiParameters([NODE_SPEC_ABI], [toAbiNodeSpec(spec)]));
}

export function nodeTree(specs: readonly NodeSpec[]): MerkleTree {
  const leaves = new Uint8Array(Math.max(1, specs.length) * 32);
  specs.forEach((s, i) => leaves.set(hexToBytes(nodeLeaf(s)), i * 32));
  const depth = ceilLog2(specs.length);
  return new MerkleTree(depth, Math.max(1, specs.length), leaves);
}

/** keccak256(abi.encode(nodesRoot, numNodes, outputSlot, outputWords, inputWords)): Commitments.modelId. */
export function modelIdOf(m: Pick<ModelCommitment, 'nodesRoot' | 'numNodes' | 'outputSlot' | 'outputWords' | 'inputWords'>): Hex {
  return keccak256(
    encodeAbiParameters(
      [{ type: 'bytes32' }, { type: 'uint32' }, { type: 'uint32' }, { type: 'uint32' }, { type: 'uint32[]' }],
      [m.nodesRoot, m.numNodes, m.outputSlot, m.outputWords, m.inputWords],
    ),
  );
}

/**
 * The NodeSpec of node i from its lowering (default: `lowerForCommitment` with the default options). An untiled
 * node's step count is derived from the code (models/int/staticSteps.ts: every lowering's control flow is
 * constant-trip loops, so the count is the same for every input), falling back to a VM run on zero inputs for a
 * program of any other shape. A tiled node has a zero code root and step count, its tile count, tile tree root
 * and window (docs/GAME.md "Tiled nodes"). Input regions are listed by base address, as registration requires
 * (ModelValidator): region k is not node input k; a tiled node lists only its persistent inputs (the others are
 * cut into its windows).
 */
export function nodeSpec(graph: IntGraph, i: number, lowering: NodeLowering | LoweredNode = lowerForCommitment(graph, i)): NodeSpec {
  const node = graph.nodes[i];
  const slotOf = new Map<number, number>();
  graph.inputs.forEach((t, s) => slotOf.set(t, s));
  graph.nodes.forEach((n, j) => slotOf.set(n.output, graph.inputs.length + j));
  const plan: NodeLowering = 'kind' in lowering ? lowering : { kind: 'vm', lowered: lowering, steps: staticSteps(lowering.program) ?? stepsByRunning(graph, i, lowering) };
  const regions = plan.kind === 'vm' ? plan.lowered.layout.regions : plan.layout.regions;
  const regionOf = (role: string) => regions.find((r) => r.role === role);
  const inputs = node.inputs
    .flatMap((t, k) => {
      const region = regionOf(`in${k}`);
      if (!region) return []; // cut into the windows of a tiled node
      const weight = graph.weights.get(t);
      return [{ fromSlot: weight === undefined, slot: weight === undefined ? slotOf.get(t)! : 0, root: weight === undefined ? ZERO : tensorRoot(weight), base: region.base, height: region.height }];
    })
    .sort((a, b) => a.base - b.base);
  const out = regionOf('out')!;
  if (plan.kind === 'vm') return { codeRoot: plan.lowered.program.codeRoot(), steps: plan.steps, outBase: out.base, outHeight: out.height, inputs, ...UNTILED };
  return {
    codeRoot: ZERO,
    steps: 0,
    outBase: out.base,
    outHeight: out.height,
    inputs,
    numTiles: plan.numTiles,
    tilesRoot: plan.tilesRoot(),
    windowBase: plan.layout.window,
    windowHeight: plan.layout.windowHeight,
  };
}

export class MultipleOutputsError extends Error {
  constructor(count: number) {
    super(`the model has ${count} outputs; a submission commits to exactly one (export the model with a single output)`);
    this.name = 'MultipleOutputsError';
  }
}

/** What a model commitment is computed with: the lowering options (they change the commitment), and progress. */
export interface CommitmentOptions extends LoweringOptions {
  onNode?: (i: number) => void;
}

/**
 * The model commitment of an integer graph, lowered with `options` (default: tileSteps 2^20). Every party must
 * use the same options to get the same model id, as with the calibration. A function is taken as `onNode`.
 */
export function modelCommitment(graph: IntGraph, options: CommitmentOptions | ((i: number) => void) = {}): ModelCommitment {
  const opts: CommitmentOptions = typeof options === 'function' ? { onNode: options } : options;
  if (graph.outputs.length !== 1) throw new MultipleOutputsError(graph.outputs.length);
  const maxTileSteps: number[] = [];
  const nodes = graph.nodes.map((_, i) => {
    const lowering = lowerForCommitment(graph, i, opts);
    const spec = nodeSpec(graph, i, lowering);
    maxTileSteps.push(lowering.kind === 'tiled' ? Math.max(...lowering.specs().map((t) => t.steps)) : 0);
    opts.onNode?.(i);
    return spec;
  });
  const outputNode = graph.nodes.findIndex((n) => n.output === graph.outputs[0]);
  const outputSlot = outputNode >= 0 ? graph.inputs.length + outputNode : graph.inputs.indexOf(graph.outputs[0]);
  const m = {
    nodes,
    nodesRoot: bytesToHex(nodeTree(nodes).root()),
    numNodes: nodes.length,
    numInputs: graph.inputs.length,
    outputSlot,
    outputWords: elementCount(graph.tensors[graph.outputs[0]].dims),
    inputWords: graph.inputs.map((t) => elementCount(graph.tensors[t].dims)),
  };
  return { ...m, modelId: modelIdOf(m), maxTileSteps };
}

/**
 * Root of a depth-`depth` tree whose only nonzero parts are the given aligned subtrees (each `root` placed at
 * word address `base` with height `height`): the VM's initial memory root from agreed tensor roots.
 */
export function composeMemory(regions: readonly { base: number; height: number; root: Hex }[], depth = MEM_DEPTH): Hex {
  const byLevel = new Map<number, Map<number, Bytes32>>();
  for (const r of regions) {
    const level = byLevel.get(r.height) ?? new Map<number, Bytes32>();
    level.set(r.base / 8 / 2 ** r.height, hexToBytes(r.root));
    byLevel.set(r.height, level);
  }
  let current = new Map<number, Bytes32>();
  for (let h = 0; h < depth; h++) {
    for (const [i, node] of byLevel.get(h) ?? []) current.set(i, node);
    const next = new Map<number, Bytes32>();
    for (const i of current.keys()) {
      const p = Math.floor(i / 2);
      if (next.has(p)) continue;
      const left = current.get(2 * p) ?? ZERO_HASHES[h];
      const right = current.get(2 * p + 1) ?? ZERO_HASHES[h];
      next.set(p, hashPair(left, right));
    }
    current = next;
  }
  for (const [i, node] of byLevel.get(depth) ?? []) current.set(i, node);
  return bytesToHex(current.get(0) ?? ZERO_HASHES[depth]);
}
