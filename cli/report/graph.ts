/**
 * The model graph for the report: node specs (steps, which slots each node reads) from the commitment, names,
 * ops and shapes from the model file when one is given. Without a model file the specs come from the
 * registration transaction's calldata (`register(nodes, inputWords, outputSlot, outputWords)`).
 */
import { decodeFunctionData, type Hex } from 'viem';
import { UNTILED, type ModelCommitment, type NodeSpec } from '../../models/int/commitment.ts';
import { elementCount, type IntGraph } from '../../models/int/graph.ts';
import type { GameChain } from '../game/chain.ts';
import type { EventReader } from './events.ts';
import type { GraphNode, ModelData } from './types.ts';

interface AbiRegion {
  fromSlot: boolean;
  slot: number;
  root: Hex;
  base: number;
  height: number;
}
interface AbiSpec {
  codeRoot: Hex;
  steps: bigint;
  outBase: number;
  outHeight: number;
  inputs: readonly AbiRegion[];
  numTiles?: number;
  tilesRoot?: Hex;
  windowBase?: number;
  windowHeight?: number;
}

export function graphNodes(specs: readonly NodeSpec[], numInputs: number, graph?: IntGraph): GraphNode[] {
  return specs.map((spec, j) => {
    const node = graph?.nodes[j];
    const slots = spec.inputs.filter((r) => r.fromSlot).map((r) => r.slot);
    return {
      index: j,
      name: node?.name,
      op: node?.op,
      steps: spec.steps,
      outputWords: node ? elementCount(graph!.tensors[node.output].dims) : undefined,
      fromInputs: slots.filter((s) => s < numInputs),
      fromNodes: slots.filter((s) => s >= numInputs).map((s) => s - numInputs),
      constants: spec.inputs.filter((r) => !r.fromSlot).length,
      ...(spec.numTiles > 0 ? { numTiles: spec.numTiles } : {}),
    };
  });
}

/** The graph from the model file (whose commitment matched the chain's model id). */
export function modelFromFile(ref: string, c: ModelCommitment, graph: IntGraph): ModelData {
  return {
    source: 'model file',
    ref,
    numNodes: c.numNodes,
    numInputs: c.numInputs,
    inputWords: c.inputWords,
    outputSlot: c.outputSlot,
    outputWords: c.outputWords,
    inputNames: graph.inputs.map((t) => graph.tensors[t].name),
    nodes: graphNodes(c.nodes, c.numInputs, graph),
  };
}

/** The node specs as registered: decoded from the calldata of the transaction that emitted ModelRegistered. */
export async function modelFromChain(chain: GameChain, events: EventReader, modelId: Hex): Promise<ModelData> {
  const m = await chain.model(modelId);
  const base: ModelData = {
    source: 'none',
    numNodes: Number(m.numNodes),
    numInputs: m.inputWords.length,
    inputWords: m.inputWords.map(Number),
    outputSlot: Number(m.outputSlot),
    outputWords: Number(m.outputWords),
    inputNames: m.inputWords.map((_, i) => `input ${i}`),
    nodes: [],
  };
  const reg = (await events.read('ModelRegistered', { modelId }))[0];
  if (!reg) return { ...base, note: 'no ModelRegistered event found for this model id; pass --model to draw the graph' };
  try {
    const call = decodeFunctionData({ abi: chain.abi, data: reg.input });
    if (call.functionName !== 'register') throw new Error(`the registering transaction called ${call.functionName}`);
    const specs = (call.args![0] as readonly AbiSpec[]).map(
      (s): NodeSpec => ({
        codeRoot: s.codeRoot,
        steps: Number(s.steps),
        outBase: s.outBase,
        outHeight: s.outHeight,
        inputs: s.inputs.map((r) => ({ ...r })),
        numTiles: s.numTiles ?? UNTILED.numTiles,
        tilesRoot: s.tilesRoot ?? UNTILED.tilesRoot,
        windowBase: s.windowBase ?? UNTILED.windowBase,
        windowHeight: s.windowHeight ?? UNTILED.windowHeight,
      }),
    );
    return { ...base, source: 'registration calldata', nodes: graphNodes(specs, base.numInputs), note: 'node names and ops are not on chain; pass --model to show them' };
  } catch (err) {
    return { ...base, note: `the registration transaction ${reg.tx} could not be decoded as register(...) (${err instanceof Error ? err.message.split('\n')[0] : String(err)}); pass --model to draw the graph` };
  }
}
