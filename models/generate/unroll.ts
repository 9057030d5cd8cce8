/**
 * A greedy generation as one integer graph (docs/GENERATION.md): the decode step unrolled over positions
 * 0 … P + N − 2, each copy reading the caches the previous one wrote, the prompt's tokens at positions < P and
 * the previous position's `argmax` after that. Its one input is the prompt `prompt` [1, P] (token ids); its one
 * output is `tokens` [1, N], the N generated tokens. Nothing new is committed or judged: the copies are ordinary
 * nodes, ordered position by position, so the graph bisection over this graph is the bisection over tokens and
 * then over one token's nodes (ceil(log2(S·n)) ≤ ceil(log2 S) + ceil(log2 n) rounds for S positions of n nodes),
 * and the tile and VM levels below it are unchanged.
 */
import { elementCount, type IntGraph } from '../int/graph.ts';
import { IDENTITY_REQUANT } from '../int/kernels/concat.ts';
import { IntGraphBuilder } from '../quantize/builder.ts';
import type { DecodeInterface } from './decodeGraph.ts';

/** How much text: P prompt tokens in, N generated tokens out. */
export interface GenerationShape {
  promptLength: number;
  generate: number;
}

/** The prompt length when none is given (`--prompt-length`). */
export const DEFAULT_PROMPT_LENGTH = 8;

/** The most tokens one generation may produce: the output is one concat of N argmax words, and a node reads at most 32 regions (ModelValidator.MAX_NODE_INPUTS). */
export const MAX_GENERATE = 32;

export class GenerationShapeError extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'GenerationShapeError';
  }
}

/** Positions the pos-indexed tables allow: the shortest constant table a node gathers from by `pos`. */
export function maxPositions(step: IntGraph): number | undefined {
  const pos = step.inputs[1];
  let best: number | undefined;
  for (const n of step.nodes) {
    if (n.op !== 'gather' || n.inputs[1] !== pos) continue;
    const len = step.tensors[n.inputs[0]].dims[n.attrs.axis];
    if (best === undefined || len < best) best = len;
  }
  return best;
}

export function checkGenerationShape(step: IntGraph, { promptLength: P, generate: N }: GenerationShape): void {
  if (!Number.isInteger(P) || P < 1) throw new GenerationShapeError(`the prompt length must be a whole number ≥ 1, got ${P}`);
  if (!Number.isInteger(N) || N < 1 || N > MAX_GENERATE) throw new GenerationShapeError(`--generate must be a whole number from 1 to ${MAX_GENERATE}, got ${N}`);
  const limit = maxPositions(step);
  if (limit !== undefined && P + N - 1 > limit) throw new GenerationShapeError(`a prompt of ${P} tokens plus ${N} generated needs ${P + N - 1} positions, but the model's position tables hold ${limit}`);
}

/** The unrolled generation of `step` (a quantized decode step with interface `face`). */
export function unrollDecode(step: IntGraph, face: DecodeInterface, shape: GenerationShape): IntGraph {
  checkGenerationShape(step, shape);
  const { promptLength: P, generate: N } = shape;
  const positions = P + N - 1;
  const b = new IntGraphBuilder();
  const prompt = b.tensor('prompt', [1, P], 'input', 1, true);
  // Weights are shared by every copy; the step's inputs are bound per position below.
  const weightIds = new Map<number, number>();
  for (const [t, words] of step.weights) {
    const info = step.tensors[t];
    weightIds.set(t, b.weight(info.name, info.dims, words, info.scale));
  }
  const [tokenIn, posIn, ...cacheIns] = step.inputs;
  let caches = cacheIns.map((t) => {
    const info = step.tensors[t];
    return b.weight(`${info.name}.initial`, info.dims, new Int32Array(elementCount(info.dims)), info.scale);
  });
  const generated: number[] = [];
  let previous = -1;
  for (let p = 0; p < positions; p++) {
    const at = (name: string) => `pos${p}/${name}`;
    let token: number;
    if (p < P) {
      const index = b.weight(at('prompt.index'), [1], Int32Array.of(p));
      token = b.node('gather', at('token'), [prompt, index], { axis: 1 }, 1);
      b.info(token).integer = true;
    } else {
      token = previous;
    }
    const ids = new Map<number, number>(weightIds);
    ids.set(tokenIn, token);
    ids.set(posIn, b.weight(at('pos'), [1], Int32Array.of(p)));
    cacheIns.forEach((t, i) => ids.set(t, caches[i]));
    for (const n of step.nodes) {
      const out = b.node(n.op, at(n.name), n.inputs.map((t) => ids.get(t)!), n.attrs as never, step.tensors[n.output].scale);
      if (step.tensors[n.output].integer) b.info(out).integer = true;
      ids.set(n.output, out);
    }
    caches = step.outputs.slice(1).map((t) => ids.get(t)!);
    if (p >= P - 1) {
      previous = b.node('argmax', at('next_token'), [ids.get(step.outputs[0])!], {}, 1);
      b.info(previous).integer = true;
      generated.push(previous);
    }
  }
  let out = generated[0];
  if (N > 1) {
    out = b.node('concat', 'tokens', generated, { axis: 1, mults: generated.map(() => IDENTITY_REQUANT.mult), shifts: generated.map(() => IDENTITY_REQUANT.shift), lo: 0, hi: face.vocab - 1 }, 1);
    b.info(out).integer = true;
  }
  return b.build([out]);
}
