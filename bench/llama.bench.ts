/**
 * LLaMA-1.1B-shaped generation benchmark (issue 12): the 1.1B shape's widths (d 2048, 32 heads on 4 kv heads,
 * FFN 5632, vocabulary 32000) with seeded weights and OPML_BENCH_LLAMA_LAYERS of its 22 layers (default 2: the
 * float ONNX of all 22 exceeds protobuf's 2 GiB; per-layer figures scale with the layer count), a 64-position
 * KV cache. Its decode step is quantized, unrolled into a generation (docs/GENERATION.md) and measured: the
 * native run with roots and graph states per position (CPU executor) against onnxruntime-node float on the same
 * decode step, the model commitment (tiles included), and a whole dispute on anvil with the lie in the middle
 * tile of the last position's logits head (the biggest node of the latest token), at k = 2, 4, 8 and 16.
 *
 *   npm run bench -- llama          (a few minutes and ~6 GB of memory at 2 layers)
 */
import { cpus } from 'node:os';
import { DEFAULT_ARITY } from '../cli/game/params.ts';
import { replay } from '../cli/game/replay.ts';
import { scenario } from '../cli/game/scenarios.ts';
import { floatDecodeInterface, intDecodeInterface } from '../models/generate/decodeGraph.ts';
import { unrollDecode } from '../models/generate/unroll.ts';
import type { Tensor } from '../models/graph.ts';
import { modelCommitment } from '../models/int/commitment.ts';
import { runGraph } from '../models/int/execute.ts';
import { loadOnnx } from '../models/onnx/load.ts';
import { OrtModel } from '../models/onnx/ort.ts';
import { quantizeDecodeStep } from '../models/prepare.ts';
import { Prng } from '../models/zoo/prng.ts';
import { LLAMA_SHAPES, parameterCount, type LlamaConfig } from '../scripts/zoo/llama/config.ts';
import { buildLlamaOnnx, seededLlamaWeights } from '../scripts/zoo/llama/onnx.ts';
import { Report } from './report.ts';

const layers = Number(process.env.OPML_BENCH_LLAMA_LAYERS ?? 2);
const config: LlamaConfig = { ...LLAMA_SHAPES['1.1b'], layers, maxSeq: 64 };
const shape = { promptLength: 4, generate: 4 };
const report = new Report();
const figs = report.section(`LLaMA-1.1B shape, ${layers} of 22 layers (${(parameterCount(config) / 1e6).toFixed(0)}M parameters), seeded weights: a ${shape.generate}-token generation`);
const seconds = (t: number) => (performance.now() - t) / 1000;

let t = performance.now();
const bytes = buildLlamaOnnx(config, seededLlamaWeights(config, 11), { kind: 'decode' });
const float = loadOnnx(bytes);
const face = floatDecodeInterface(float);
report.add(figs, { name: '1.1B shape: build and load the decode ONNX', value: seconds(t), unit: 's', note: `${(bytes.length / 2 ** 20).toFixed(0)} MiB` });

const rng = new Prng(5);
const windows = Array.from({ length: 2 }, () => Array.from({ length: 8 }, () => rng.int(config.vocab)));
t = performance.now();
const step = quantizeDecodeStep(float, windows);
report.add(figs, { name: '1.1B shape: quantize the decode step', value: seconds(t), unit: 's', note: `${step.nodes.length} nodes, calibrated on 8 decode steps` });

const graph = unrollDecode(step, intDecodeInterface(step), shape);
const prompt = Int32Array.from({ length: shape.promptLength }, () => rng.int(config.vocab));
const positions = shape.promptLength + shape.generate - 1;
runGraph(graph, [prompt]); // warm-up
t = performance.now();
runGraph(graph, [prompt]);
const perPosition = (seconds(t) * 1000) / positions;

// onnxruntime float on the same decode step, one position (caches zero: the same work at any position).
const ort = await OrtModel.create(bytes);
const feeds: Record<string, Tensor> = { token: { dims: [1, 1], data: Int32Array.of(prompt[0]) }, pos: { dims: [1], data: Int32Array.of(0) } };
for (const name of face.caches) feeds[name] = { dims: float.values.get(name)!.dims, data: new Float32Array(float.values.get(name)!.dims.reduce((a, d) => a * d, 1)) };
await ort.run(feeds as never, true);
t = performance.now();
for (let i = 0; i < 3; i++) await ort.run(feeds as never, true);
const ortMs = (seconds(t) * 1000) / 3;
await ort.release();
report.add(figs, { name: '1.1B shape: native run + roots + states, per token', value: perPosition, unit: 'ms', ratio: { value: perPosition / ortMs, to: 'onnxruntime float per decode step' }, note: `${graph.nodes.length} nodes over ${positions} positions; CPU executor, one thread; ORT ${ortMs.toFixed(0)} ms` });

t = performance.now();
const commitment = modelCommitment(graph, {});
const tiled = commitment.nodes.filter((n) => n.numTiles > 0);
report.add(figs, { name: '1.1B shape: model commitment', value: seconds(t), unit: 's', note: `${tiled.length} tiled nodes, at most ${Math.max(...tiled.map((n) => n.numTiles))} tiles (2^20 steps each)` });

// The same dispute at k = 2, 4, 8, 16 (docs/GAME.md, "Dissection"); the unqualified figures are the default k's.
for (const arity of [2, 4, 8, 16]) {
  t = performance.now();
  const r = await replay(scenario('tiled-node')!, { model: { ref: 'llama-1.1b-shape', int: graph, lowering: {} }, input: [prompt], inputLabel: 'random prompt', commitment, arity });
  if (!r.ok) throw new Error(`1.1B shape tiled-node, k = ${arity}: ${r.problems.join('; ')}`);
  const wall = seconds(t);
  const rounds = r.rounds.graph + r.rounds.tile + r.rounds.vm;
  const [sub, ch] = [Number(r.gas.dispute.submitter), Number(r.gas.dispute.challengers[0])];
  for (const k of arity === DEFAULT_ARITY ? ['', ` (k = ${arity})`] : [` (k = ${arity})`]) {
    report.add(figs, { name: `1.1B shape generation dispute${k}: rounds`, value: rounds, unit: 'rounds', ratio: { value: rounds / 60, to: 'the 60-round target' }, note: `${r.rounds.graph} graph, ${r.rounds.tile} tile, ${r.rounds.vm} VM; lie at node ${r.disputes[0]?.node}; k = ${arity}` });
    report.add(figs, { name: `1.1B shape generation dispute${k}: dispute gas submitter`, value: sub, unit: 'gas', ratio: { value: sub / 3_000_000, to: 'the 3M target' } });
    report.add(figs, { name: `1.1B shape generation dispute${k}: dispute gas challenger`, value: ch, unit: 'gas', ratio: { value: ch / 3_000_000, to: 'the 3M target' } });
    report.add(figs, { name: `1.1B shape generation dispute${k}: dearest move`, value: Number(r.gas.dearestMove?.gas ?? 0), unit: 'gas', ratio: { value: Number(r.gas.dearestMove?.gas ?? 0) / 2_000_000, to: 'the 2M cap' }, note: r.gas.dearestMove?.action });
    report.add(figs, { name: `1.1B shape generation dispute${k}: chain time`, value: r.chainSeconds, unit: 's', note: `bound ${r.boundSeconds} s (devnet profile)` });
    report.add(figs, { name: `1.1B shape generation dispute${k}: wall time`, value: wall, unit: 's', note: 'registration, both sides\' re-execution and the tile states included' });
  }
}
const file = report.write('llama', { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version, layers });
console.log(`\nwrote ${file}`);
