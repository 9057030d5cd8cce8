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

const INPUT: Record<string, string> = { 'mnist-mlp': 'mnist:0', 'mnist-cnn': 'mnist:1', 'tiny-transformer': 'text:bisect then step', 'mnist-gru': 'mnist:2', 'mnist-mobilenet': 'mnist:3', 'brown-llama': 'text:the jury found no evidence that' };

const TILED = new Set(['tiled-node', 'tiled-lying-challenger']);

/** A zoo model as the replays play it: as shipped, or with a small tile bound so that its big nodes are tiled. */
const VARIANTS = [
  ...ZOO.filter((z) => z.name !== 'brown-llama').map((z) => ({ label: z.name, name: z.name, tileSteps: undefined as number | undefined })),
  // fc1 (784×128) runs ~200k steps untiled: at 4096 steps a tile it is cut into dozens of tiles (three game levels).
  { label: 'mnist-mlp, tiled (--tile-steps 4096)', name: 'mnist-mlp', tileSteps: 4096 },
  // The trained LLaMA, played tiled only (its projections, SwiGLU matmuls, logits head and embedding lookup become
  // tiles; norms, RoPE, attention and the rest stay one VM program each), which covers the untiled path too.
  { label: 'brown-llama, tiled (--tile-steps 4096)', name: 'brown-llama', tileSteps: 4096 },
];

describe.each(VARIANTS)('replays on anvil: $label', ({ name, tileSteps }) => {
  const prepared = prepareModel(name, undefined, tileSteps === undefined ? {} : { lowering: { tileSteps } });
  const commitment = modelCommitment(prepared.int, prepared.lowering);
  const input = parseInput(INPUT[name], prepared.int, prepared.zoo?.text).words;
  const tiled = commitment.nodes.some((n) => n.numTiles > 0);
  it('is tiled exactly when a tile bound is given', () => expect(tiled).toBe(tileSteps !== undefined));
  for (const s of SCENARIOS.filter((x) => !x.blockTime && (tiled || !TILED.has(x.name)))) {
    it(`${s.name}: ${s.description}`, async () => {
      const r = await replay(s, { model: prepared, input, inputLabel: INPUT[name], commitment });
      expect(r.problems).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.disputes.length).toBeGreaterThan(0);
      expect(r.fundsOk).toBe(true);
      if (s.name !== 'bad-transition' && s.name !== 'silent-submitter') expect(r.disputes.some((d) => d.reason === 'step')).toBe(true);
      if (tiled && s.name.startsWith('tiled')) expect(r.rounds.tile).toBeGreaterThan(0);
      if (s.attack) expect(r.refused).toBe({ 'hidden-input': 'InputSizeMismatch', 'short-input': 'InputSizeMismatch', 'output-alias': 'OutputSizeMismatch' }[s.attack]);
    }, 300_000);
  }
});
