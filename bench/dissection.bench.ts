/**
 * k-ary dissection benchmark (issue 12; docs/GAME.md, "Dissection"): the same dispute played at k = 2, 4, 8, 16
 * and 32 — brown-llama's 16-token generation after a 10-token prompt, tiles of 4096 steps, the lie in the middle
 * tile of the last position's logits head (tiled-node) — on 12 s blocks with the l1 profile's clocks. Per k:
 * rounds per level, dispute gas per side, the dearest move, the chain time it took and the l1 bound on the longest
 * dispute of the model. The data behind DEFAULT_ARITY (cli/game/params.ts).
 *
 *   npm run bench -- dissection       (about a minute)
 */
import { cpus } from 'node:os';
import { longestDispute, profile } from '../cli/game/params.ts';
import { replay } from '../cli/game/replay.ts';
import { scenario } from '../cli/game/scenarios.ts';
import { parseInput } from '../cli/inputs.ts';
import { modelCommitment } from '../models/int/commitment.ts';
import { prepareModel } from '../models/prepare.ts';
import { Report } from './report.ts';

export const ARITIES = [2, 4, 8, 16, 32] as const;
const BLOCK_TIME = 12;

const shape = { promptLength: 10, generate: 16 };
const prepared = prepareModel('brown-llama', undefined, { generate: shape, lowering: { tileSteps: 4096 } });
const commitment = modelCommitment(prepared.int, prepared.lowering);
const spec = 'text:The jury';
const words = parseInput(spec, prepared.int, prepared.zoo?.text).words;
const report = new Report();
const figs = report.section(`k-ary dissection: brown-llama generation (${commitment.numNodes} nodes), lie in the last token's logits head, ${BLOCK_TIME} s blocks`);
const rows: string[][] = [];
for (const arity of ARITIES) {
  const r = await replay(scenario('tiled-node')!, { model: prepared, input: words, inputLabel: spec, commitment, arity, blockTime: BLOCK_TIME });
  if (!r.ok) throw new Error(`k = ${arity}: ${r.problems.join('; ')}`);
  const rounds = r.rounds.graph + r.rounds.tile + r.rounds.vm;
  const [sub, ch] = [Number(r.gas.dispute.submitter), Number(r.gas.dispute.challengers[0])];
  const bound = longestDispute(commitment, { ...profile('l1').params, arity });
  const label = `k = ${arity}`;
  report.add(figs, { name: `${label}: rounds`, value: rounds, unit: 'rounds', ratio: { value: rounds / 60, to: 'the 60-round target' }, note: `${r.rounds.graph} graph, ${r.rounds.tile} tile, ${r.rounds.vm} VM` });
  report.add(figs, { name: `${label}: dispute gas submitter`, value: sub, unit: 'gas', ratio: { value: sub / 3_000_000, to: 'the 3M-per-side target' } });
  report.add(figs, { name: `${label}: dispute gas challenger`, value: ch, unit: 'gas', ratio: { value: ch / 3_000_000, to: 'the 3M-per-side target' } });
  report.add(figs, { name: `${label}: dearest move`, value: Number(r.gas.dearestMove?.gas ?? 0), unit: 'gas', ratio: { value: Number(r.gas.dearestMove?.gas ?? 0) / 2_000_000, to: 'the 2M forced-move cap' }, note: r.gas.dearestMove?.action });
  report.add(figs, { name: `${label}: chain time`, value: r.chainSeconds, unit: 's', note: `${BLOCK_TIME} s blocks, every move in its own block` });
  report.add(figs, { name: `${label}: longest-dispute bound (l1)`, value: bound.seconds, unit: 's', note: `${bound.moves} moves` });
  rows.push([String(arity), `${rounds} (${r.rounds.graph}+${r.rounds.tile}+${r.rounds.vm})`, sub.toLocaleString('en-US'), ch.toLocaleString('en-US'), Number(r.gas.dearestMove?.gas ?? 0).toLocaleString('en-US'), `${r.chainSeconds} s`, `${bound.seconds} s`]);
}
console.log(`\n${[['k', 'rounds (graph+tile+VM)', 'gas submitter', 'gas challenger', 'dearest move', 'chain time', 'l1 bound'], ...rows].map((r) => r.join(' | ')).join('\n')}`);
const file = report.write('dissection', { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version });
console.log(`\nwrote ${file}`);
