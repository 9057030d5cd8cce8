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
const file = report.write('game', { date: new Date().toISOString(), cpu: cpus()[0]?.model, cores: cpus().length, node: process.version });
console.log(`\nwrote ${file}`);
