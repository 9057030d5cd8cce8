/**
 * The model commitment of docs/GAME.md, computed from an integer graph: one NodeSpec per node (code root,
 * step count, where each input and the output sit in the node's VM memory, and each input's source: a graph
 * slot or a constant root), their tree, and the model id. The Solidity twin is contracts/src/Commitments.sol.
 */
import { bytesToHex, encodeAbiParameters, hexToBytes, keccak256, type Hex } from 'viem';
import { MEM_DEPTH } from '../../vm/isa.ts';
import { ceilLog2, MerkleTree, ZERO_HASHES, type Bytes32 } from '../../vm/merkle.ts';
import { hashPair } from '../../vm/keccak.ts';
import { elementCount, type IntGraph } from './graph.ts';
import { tensorRoot } from './roots.ts';
import { staticSteps } from './staticSteps.ts';
import { lowerNode, runLowered, type LoweredNode } from './vmNode.ts';

export interface InputRegion {
  fromSlot: boolean;
  slot: number;
  root: Hex;
  base: number;
  height: number;
}

export interface NodeSpec {
  codeRoot: Hex;
  steps: number;
  outBase: number;
  outHeight: number;
  inputs: InputRegion[];
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
}

const ZERO: Hex = `0x${'00'.repeat(32)}`;

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
 * Node i's step count measured the slow way: one VM run of its lowered program on zero inputs. The reference
 * for `staticSteps` (the tests require both to agree), and the fallback for a program it does not accept.
 */
export function stepsByRunning(graph: IntGraph, i: number, lowered: LoweredNode = lowerNode(graph, i)): number {
  const zeros = graph.nodes[i].inputs.map((t) => new Int32Array(elementCount(graph.tensors[t].dims)));
  return runLowered(lowered, zeros).steps;
}

/**
 * The NodeSpec of node i from its lowering. Its step count is derived from the code (models/int/staticSteps.ts:
 * every lowering's control flow is constant-trip loops, so the count is the same for every input), falling
 * back to a VM run on zero inputs for a program of any other shape. Its input
 * regions are listed by base address, as registration requires (ModelValidator): region k is not node input k.
 */
export function nodeSpec(graph: IntGraph, i: number, lowered: LoweredNode = lowerNode(graph, i)): NodeSpec {
  const node = graph.nodes[i];
  const slotOf = new Map<number, number>();
  graph.inputs.forEach((t, s) => slotOf.set(t, s));
  graph.nodes.forEach((n, j) => slotOf.set(n.output, graph.inputs.length + j));
  const regionOf = (role: string) => lowered.layout.regions.find((r) => r.role === role)!;
  const steps = staticSteps(lowered.program) ?? stepsByRunning(graph, i, lowered);
  return {
    codeRoot: lowered.program.codeRoot(),
    steps,
    outBase: regionOf('out').base,
    outHeight: regionOf('out').height,
    inputs: node.inputs
      .map((t, k) => {
        const region = regionOf(`in${k}`);
        const weight = graph.weights.get(t);
        return {
          fromSlot: weight === undefined,
          slot: weight === undefined ? slotOf.get(t)! : 0,
          root: weight === undefined ? ZERO : tensorRoot(weight),
          base: region.base,
          height: region.height,
        };
      })
      .sort((a, b) => a.base - b.base),
  };
}

export class MultipleOutputsError extends Error {
  constructor(count: number) {
    super(`the model has ${count} outputs; a submission commits to exactly one (export the model with a single output)`);
    this.name = 'MultipleOutputsError';
  }
}

export function modelCommitment(graph: IntGraph, onNode?: (i: number) => void): ModelCommitment {
  if (graph.outputs.length !== 1) throw new MultipleOutputsError(graph.outputs.length);
  const nodes = graph.nodes.map((_, i) => {
    const spec = nodeSpec(graph, i);
    onNode?.(i);
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
  return { ...m, modelId: modelIdOf(m) };
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
