/**
 * Game benchmark: per zoo model, a whole dispute on a local anvil (a submitter wrong at the last node against
 * an honest challenger): wall time, rounds per phase, gas per side and the judge step's gas. ORA's published
 * figure for MNIST is "the whole challenge within 2 minutes on a local test chain"; the target here is 15 s.
 */
import { cpus } from 'node:os';
import { replay } from '../cli/game/replay.ts';
import { scenario } from '../cli/game/scenarios.ts';
import { parseInput } from '../cli/inputs.ts';
import { modelCommitment } from '../models/int/commitment.ts';
import { runGraph } from '../models/int/execute.ts';
import { prepareModel } from '../models/prepare.ts';
import { ZOO } from '../models/zoo/index.ts';
import { Report } from './report.ts';

const report = new Report();
const figs = report.section('A whole dispute on anvil (wrong last node vs honest challenger)');
for (const zoo of ZOO) {
  const prepared = prepareModel(zoo.name);
  const commitment = modelCommitment(prepared.int);
  const input = parseInput(zoo.defaultInput, prepared.int, zoo.text).words;
  for (const name of ['wrong-last-node', 'wrong-first-node'] as const) {
    const r = await replay(scenario(name)!, { model: prepared, input, inputLabel: zoo.defaultInput, commitment });
    if (!r.ok) throw new Error(`${zoo.name} ${name}: ${r.problems.join('; ')}`);
    const label = `${zoo.name}, ${name}`;
    report.add(figs, { name: `${label}: wall time`, value: r.wallMillis / 1000, unit: 's', ratio: { value: r.wallMillis / 15_000, to: 'the 15 s target' }, note: "ORA's published MNIST figure: within 2 minutes" });
    report.add(figs, { name: `${label}: rounds graph + VM`, value: r.rounds.graph + r.rounds.vm, unit: 'rounds', note: `${r.rounds.graph} graph, ${r.rounds.tile} tile, ${r.rounds.vm} VM` });
    report.add(figs, { name: `${label}: gas submitter / challenger`, value: Number(r.gas.submitter), unit: 'gas', note: `challenger ${Number(r.gas.challengers[0]).toLocaleString('en-US')}` });
    report.add(figs, { name: `${label}: judge step (resolveStep tx)`, value: Number(r.gas.judgeStep ?? 0), unit: 'gas' });
    report.add(figs, { name: `${label}: startVM tx`, value: Number(r.gas.startVM ?? 0), unit: 'gas', ratio: { value: Number(r.gas.startVM ?? 0) / 2_000_000, to: 'the 2M forced-move cap' }, note: `${r.gas.startVMCalldata ?? 0} bytes of calldata (cap 65,536)` });
    report.add(figs, { name: `${label}: chain time`, value: r.chainSeconds, unit: 's', ratio: { value: r.chainSeconds / r.boundSeconds, to: 'the longest-dispute bound' }, note: `bound ${r.boundSeconds} s on the devnet profile` });
  }
}
// Ten liars against one honest submitter on 12 s blocks (every round of moves in one block): the chain time it
// takes and what the submitter earns. Minutes of wall time, so on the smallest model only.
{
  const zoo = ZOO[0];
  const prepared = prepareModel(zoo.name);
  const r = await replay(scenario('sybil-10')!, { model: prepared, input: parseInput(zoo.defaultInput, prepared.int, zoo.text).words, inputLabel: zoo.defaultInput, commitment: modelCommitment(prepared.int) });
  if (!r.ok) throw new Error(`${zoo.name} sybil-10: ${r.problems.join('; ')}`);
  const sybil = report.section('Ten lying challengers against one honest submitter, 12 s blocks');
  report.add(sybil, { name: `${zoo.name}, sybil-10: chain time`, value: r.chainSeconds, unit: 's', ratio: { value: r.chainSeconds / r.boundSeconds, to: 'one dispute\'s bound (l1 profile)' }, note: `${r.disputes.length} disputes, all won by the submitter` });
  report.add(sybil, { name: `${zoo.name}, sybil-10: gas submitter`, value: Number(r.gas.submitter), unit: 'gas', note: `net ${Number(BigInt(r.net.submitter)) / 1e18} ETH before fees` });
  report.add(sybil, { name: `${zoo.name}, sybil-10: wall time`, value: r.wallMillis / 1000, unit: 's' });
}
// A generation dispute (docs/GENERATION.md): brown-llama's greedy continuation of a 10-character prompt by 16
// characters, its decode step unrolled over 25 positions and its heavy nodes tiled; the lie sits in the middle
// tile of the last position's logits head (tiled-node), or at the last node (the generated tokens).
{
  const shape = { promptLength: 10, generate: 16 };
  const prepared = prepareModel('brown-llama', undefined, { generate: shape, lowering: { tileSteps: 4096 } });
  const commitment = modelCommitment(prepared.int, prepared.lowering);
  const spec = 'text:The jury';
  const words = parseInput(spec, prepared.int, prepared.zoo?.text).words;
  const gen = report.section('A generation dispute: brown-llama, 16 tokens after a 10-token prompt, tiles of 4096 steps');
  let t = performance.now();
  const runs = 3;
  for (let i = 0; i < runs; i++) runGraph(prepared.int, words);
  const perRun = (performance.now() - t) / runs;
  const positions = shape.promptLength + shape.generate - 1;
  report.add(gen, { name: 'brown-llama generation: native run with roots and states, per position', value: perRun / positions, unit: 'ms', note: `${prepared.int.nodes.length} nodes, ${positions} positions; CPU executor` });
  t = performance.now();
  modelCommitment(prepared.int, prepared.lowering);
  report.add(gen, { name: 'brown-llama generation: model commitment', value: performance.now() - t, unit: 'ms', note: `${commitment.nodes.filter((n) => n.numTiles > 0).length} tiled nodes` });
  for (const name of ['tiled-node', 'wrong-last-node'] as const) {
    const r = await replay(scenario(name)!, { model: prepared, input: words, inputLabel: spec, commitment });
    if (!r.ok) throw new Error(`brown-llama generation ${name}: ${r.problems.join('; ')}`);
    const label = `brown-llama generation, ${name}`;
    report.add(gen, { name: `${label}: rounds`, value: r.rounds.graph + r.rounds.tile + r.rounds.vm, unit: 'rounds', ratio: { value: (r.rounds.graph + r.rounds.tile + r.rounds.vm) / 60, to: 'the 60-round target' }, note: `${r.rounds.graph} graph, ${r.rounds.tile} tile, ${r.rounds.vm} VM` });
    report.add(gen, { name: `${label}: dispute gas submitter`, value: Number(r.gas.dispute.submitter), unit: 'gas', ratio: { value: Number(r.gas.dispute.submitter) / 3_000_000, to: 'the 3M-per-side target' } });
    report.add(gen, { name: `${label}: dispute gas challenger`, value: Number(r.gas.dispute.challengers[0]), unit: 'gas', ratio: { value: Number(r.gas.dispute.challengers[0]) / 3_000_000, to: 'the 3M-per-side target' } });
    report.add(gen, { name: `${label}: dearest move`, value: Number(r.gas.dearestMove?.gas ?? 0), unit: 'gas', ratio: { value: Number(r.gas.dearestMove?.gas ?? 0) / 2_000_000, to: 'the 2M forced-move cap' }, note: r.gas.dearestMove?.action });
    report.add(gen, { name: `${label}: chain time`, value: r.chainSeconds, unit: 's', ratio: { value: r.chainSeconds / r.boundSeconds, to: 'the longest-dispute bound' } });
    report.add(gen, { name: `${label}: wall time`, value: r.wallMillis / 1000, unit: 's' });
  }
}
const file = report.write('game', { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version });
console.log(`\nwrote ${file}`);
