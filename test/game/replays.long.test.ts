/**
 * The replays played with a block time (automining off, every round of moves in one block `blockTime` seconds
 * after the last), on every zoo model: today `sybil-10`, ten lying challengers against one honest submitter with
 * 12 s blocks. They take minutes each, so they run in `npm run test:long` (which CI runs after `npm test`), not
 * in `npm test`.
 */
import { describe, expect, it } from 'vitest';
import { replay } from '../../cli/game/replay.ts';
import { SCENARIOS } from '../../cli/game/scenarios.ts';
import { parseInput } from '../../cli/inputs.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { prepareModel } from '../../models/prepare.ts';
import { ZOO } from '../../models/zoo/index.ts';

const INPUT: Record<string, string> = { 'mnist-mlp': 'mnist:0', 'mnist-cnn': 'mnist:1', 'tiny-transformer': 'text:bisect then step', 'mnist-gru': 'mnist:2', 'mnist-mobilenet': 'mnist:3', 'brown-llama': 'text:the jury found no evidence that' };

describe.each(ZOO.map((z) => z.name))('replays with a block time on anvil: %s', (name) => {
  const prepared = prepareModel(name);
  const commitment = modelCommitment(prepared.int);
  const input = parseInput(INPUT[name], prepared.int, prepared.zoo?.text).words;
  for (const s of SCENARIOS.filter((x) => x.blockTime)) {
    it(`${s.name}: ${s.description}`, async () => {
      const r = await replay(s, { model: prepared, input, inputLabel: INPUT[name], commitment });
      expect(r.problems).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.fundsOk).toBe(true);
      expect(r.blockTime).toBe(s.blockTime);
      expect(r.disputes.every((d) => d.winner === 'submitter')).toBe(true);
    }, 1_800_000);
  }
});
