/**
 * Registration in chunks from TypeScript on a real anvil: a model of more than REGISTER_CHUNK_NODES nodes (a
 * brown-llama generation: 5 positions of its decode step, 596 nodes) registers through RegistrationDrafts under
 * the id modelCommitment computes; a client killed after its first chunk resumes from what the chain kept,
 * sending only what is missing, even when it first resends a chunk that already landed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANVIL_KEYS } from '../../cli/chain/anvil.ts';
import { GameChain, REGISTER_CHUNK_NODES } from '../../cli/game/chain.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { prepareModel } from '../../models/prepare.ts';
import { deployedGame, type DeployedGame } from '../support/chain.ts';

let game: DeployedGame;
beforeAll(async () => {
  game = await deployedGame('register-chunks');
}, 120_000);
afterAll(async () => game?.stop());

describe('registering a model in chunks', () => {
  it('a client cut off after one chunk resumes, and the model is registered under its id', async () => {
    const prepared = prepareModel('brown-llama', undefined, { generate: { promptLength: 4, generate: 2 } });
    const c = modelCommitment(prepared.int, prepared.lowering);
    expect(c.numNodes).toBeGreaterThan(REGISTER_CHUNK_NODES);
    expect(c.numNodes).toBeLessThanOrEqual(2 * REGISTER_CHUNK_NODES);

    const first = await GameChain.connect(game.deployment, ANVIL_KEYS[0]);
    const crash = new Error('killed after the first chunk');
    await expect(
      first.register(c, () => {
        throw crash;
      }),
    ).rejects.toBe(crash);
    expect(await first.isRegistered(c.modelId)).toBe(false);
    expect(first.gas.map((g) => g.action)).toEqual(['register', 'register']); // begin, the first chunk

    const again = await GameChain.connect(game.deployment, ANVIL_KEYS[0]);
    // Its first read of the draft's progress is stale (as when the killed client's last chunk was still pending):
    // it sends chunk 0 again, the contract refuses it (DraftPositionMismatch), and it goes on from the draft.
    const readAt = (again as unknown as { readAt: (...a: unknown[]) => Promise<unknown> }).readAt.bind(again);
    let stale = true;
    (again as unknown as { readAt: unknown }).readAt = async (to: unknown, fn: string, args: unknown[]) => {
      const real = await readAt(to, fn, args);
      if (fn === 'progress' && stale) {
        stale = false;
        return [(real as unknown[])[0], (real as unknown[])[1], 0];
      }
      return real;
    };
    const chunks: number[] = [];
    await again.register(c, (done) => chunks.push(done));
    expect(stale).toBe(false);
    expect(chunks).toEqual([c.numNodes]); // only the missing chunk
    expect(again.gas.map((g) => g.action)).toEqual(['register', 'register', 'register']); // begin (resumes), the last chunk, finish
    expect(await again.isRegistered(c.modelId)).toBe(true);
    for (const g of again.gas) expect(g.gas).toBeLessThan(30_000_000n);

    // Registered once: a third client sends nothing.
    const third = await GameChain.connect(game.deployment, ANVIL_KEYS[0]);
    await third.register(c);
    expect(third.gas).toEqual([]);
  }, 300_000);
});
