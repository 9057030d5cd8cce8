/**
 * Whole disputes on a real anvil, for every zoo model and every instant scenario: the honest side wins every
 * ruling, the wrong result is rejected (or the right one finalized), every dispute ends within its chain-time
 * bound, and every wei ends where docs/GAME.md says (checked inside `replay`: each account's net equals what the
 * rulings give it, and the contract holds exactly what was burned). Scenarios played with a block time run in
 * replays.long.test.ts (`npm run test:long`, which CI also runs).
 */
import { describe, expect, it } from 'vitest';
import { replay } from '../../cli/game/replay.ts';
import { SCENARIOS } from '../../cli/game/scenarios.ts';
import { parseInput } from '../../cli/inputs.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { prepareModel } from '../../models/prepare.ts';
import { ZOO } from '../../models/zoo/index.ts';

const INPUT: Record<string, string> = { 'mnist-mlp': 'mnist:0', 'mnist-cnn': 'mnist:1', 'tiny-transformer': 'text:bisect then step', 'mnist-gru': 'mnist:2', 'mnist-mobilenet': 'mnist:3' };

describe.each(ZOO.map((z) => z.name))('replays on anvil: %s', (name) => {
  const prepared = prepareModel(name);
  const commitment = modelCommitment(prepared.int);
  const input = parseInput(INPUT[name], prepared.int).words;
  for (const s of SCENARIOS.filter((x) => !x.blockTime)) {
    it(`${s.name}: ${s.description}`, async () => {
      const r = await replay(s, { model: prepared, input, inputLabel: INPUT[name], commitment });
      expect(r.problems).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.disputes.length).toBeGreaterThan(0);
      expect(r.fundsOk).toBe(true);
      if (s.name !== 'bad-transition' && s.name !== 'silent-submitter') expect(r.disputes.some((d) => d.reason === 'step')).toBe(true);
      if (s.attack) expect(r.refused).toBe({ 'hidden-input': 'InputSizeMismatch', 'short-input': 'InputSizeMismatch', 'output-alias': 'OutputSizeMismatch' }[s.attack]);
    }, 300_000);
  }
});
