/** graphStates (all states of a run, batched per level) against graphState of every prefix (one tree each). */
import { bytesToHex, type Hex } from 'viem';
import { describe, expect, it } from 'vitest';
import { graphState, graphStates } from '../../../models/int/roots.ts';
import { Rng } from '../../support/rng.ts';

describe('graphStates', () => {
  it('equals graphState of each prefix, for slot counts 1 .. 70 and every input count', () => {
    const rng = new Rng(12);
    for (let slots = 1; slots <= 70; slots++) {
      const roots: Hex[] = Array.from({ length: slots }, (_, i) => bytesToHex(i % 5 === 3 ? new Uint8Array(32) : rng.bytes(32)));
      for (const inputs of slots > 20 ? [0, 1, 3] : Array.from({ length: slots + 1 }, (_, k) => k)) {
        const expected = [];
        for (let c = inputs; c <= slots; c++) expected.push(graphState(roots.map((r, i) => (i < c ? r : undefined))));
        expect(graphStates(roots, inputs), `${slots} slots, ${inputs} inputs`).toEqual(expected);
      }
    }
  });
});
