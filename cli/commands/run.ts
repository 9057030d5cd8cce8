/**
 * `opml run <model> --input <spec>`: quantize (if needed), run natively, commit: the output, the final graph
 * state S_n and the model id a submission would carry.
 */
import type { Hex } from 'viem';
import { modelCommitment } from '../../models/int/commitment.ts';
import type { Backend } from '../../models/gpu/backend.ts';
import { dequantize } from '../../models/quantize/quantize.ts';
import { parseInput } from '../inputs.ts';
import { Output } from '../output.ts';
import { nativeRun } from './backendArg.ts';
import { generationFromArgs, loweringFromArgs, prepareFromArgs } from './modelArg.ts';

export interface RunOptions {
  /** One spec, or several (name=x.npy for each input). */
  input: string | string[];
  backend?: Backend;
  calibration?: string | string[];
  tileSteps?: number;
  generate?: number;
  promptLength?: number;
  shape?: string[];
  json?: boolean;
}

export interface RunResult {
  model: string;
  modelId: Hex;
  input: string;
  output: number[];
  outputWords: number[];
  argmax?: number;
  /** A text model's argmax at every position as characters: the greedy next character after each prefix. */
  nextText?: string;
  /** A generation (--generate): the generated tokens as text. */
  generatedText?: string;
  label?: number;
  finalState: Hex;
  nodes: { name: string; op: string; root: Hex }[];
  states: Hex[];
  backend: string;
  millis: { quantize: number; run: number; commitment: number };
}

function argmaxOf(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

export async function runModel(model: string, opts: RunOptions, out = new Output(opts)): Promise<RunResult> {
  let t = performance.now();
  out.progress(`preparing ${model} ...`);
  const prepared = prepareFromArgs(model, opts.calibration, opts.shape, undefined, loweringFromArgs(opts), generationFromArgs(opts));
  const graph = prepared.int;
  const tQuantize = performance.now() - t;
  const input = parseInput(opts.input, graph, prepared.zoo?.text);
  t = performance.now();
  const { run, detail } = await nativeRun(opts.backend ?? 'auto', graph, input.words, 'outputs');
  const tRun = performance.now() - t;
  t = performance.now();
  const commitment = modelCommitment(graph, prepared.lowering);
  const tCommit = performance.now() - t;
  const outInfo = graph.tensors[graph.outputs[0]];
  const output = Array.from(dequantize(run.outputs[0], outInfo.scale));
  const last = outInfo.dims.at(-1) ?? output.length;
  const rowArgmax = Array.from({ length: output.length / last }, (_, r) => argmaxOf(output.slice(r * last, (r + 1) * last)));
  const result: RunResult = {
    model,
    modelId: commitment.modelId,
    input: input.description,
    output,
    outputWords: Array.from(run.outputs[0]),
    argmax: output.length === last ? argmaxOf(output) : undefined,
    ...(outInfo.integer ? { generatedText: prepared.zoo?.text?.decode(run.outputs[0]) } : { nextText: prepared.zoo?.text?.decode(rowArgmax) }),
    label: input.label,
    finalState: run.states.at(-1)!,
    nodes: graph.nodes.map((n) => ({ name: n.name, op: n.op, root: run.roots.get(n.output)! })),
    states: run.states,
    backend: detail,
    millis: { quantize: Math.round(tQuantize), run: Math.round(tRun * 100) / 100, commitment: Math.round(tCommit) },
  };
  if (out.json) {
    out.result(result);
    return result;
  }
  out.line(`model      ${model}  (id ${commitment.modelId})`);
  out.line(`input      ${input.description}`);
  const shown = output.length > 16 ? [...output.slice(0, 8).map((v) => v.toFixed(3)), '…'] : output.map((v) => v.toFixed(3));
  if (!outInfo.integer) out.line(`output     [${shown.join(', ')}]  dims [${outInfo.dims}]`);
  if (outInfo.integer) {
    out.line(`tokens     ${result.outputWords.join(' ')}  (generated after the prompt, greedily)`);
    if (result.generatedText !== undefined) out.line(`text       ${JSON.stringify(result.generatedText)}`);
  } else if (result.argmax !== undefined) out.line(`argmax     ${result.argmax}${input.label !== undefined ? ` (label ${input.label})` : ''}`);
  else out.line(`argmax     ${rowArgmax.join(' ')}  (per row of ${last})`);
  if (result.nextText !== undefined) out.line(`next       ${JSON.stringify(result.nextText)}  (the likeliest next character after each position)`);
  out.line(`final S_n  ${result.finalState}  (${graph.nodes.length} nodes, ${result.millis.run} ms)`);
  out.line(`backend    ${detail}`);
  return result;
}
