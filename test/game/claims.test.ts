/**
 * Honest and lying claims without a chain: a lie at node j changes exactly the graph states after j, its
 * transition is internally consistent (so only the VM phase can expose it), and its fake VM states start
 * where the strategy says, right after a step whose honest witness contradicts them.
 */
import { bytesToHex, hexToBytes } from 'viem';
import { describe, expect, it } from 'vitest';
import { HonestClaims, LyingClaims } from '../../cli/game/claims.ts';
import { composeMemory } from '../../models/int/commitment.ts';
import { computeRoot } from '../../vm/merkle.ts';
import { hashState, Status } from '../../vm/state.ts';
import { int8 } from '../models/int/cases.ts';
import { smallGraph } from '../support/graphs.ts';
import { Rng } from '../support/rng.ts';

const graph = smallGraph(3);
const x = int8(new Rng(4), [1, 20]);
const honest = new HonestClaims(graph, [x]);

function checkTransition(c: HonestClaims, j: number) {
  const t = c.transition(j);
  // The initial memory is composed from the proven slot roots and the constant roots.
  const regions = t.spec.inputs.map((r, k) => ({ base: r.base, height: r.height, root: r.fromSlot ? t.slotRoots[k] : r.root }));
  t.spec.inputs.forEach((r, k) => {
    if (r.fromSlot) expect(bytesToHex(computeRoot(hexToBytes(t.slotRoots[k]), r.slot, t.slotSiblings[k].map((h) => hexToBytes(h))))).toBe(c.graphState(j));
  });
  expect(composeMemory(regions)).toBe(c.witness(j, 0).pre.memRoot);
  expect(t.final.status).toBe(Status.HALTED);
  expect(t.final.step).toBe(t.spec.steps);
  expect(hashState(t.final)).toBe(c.vmState(j, t.spec.steps));
  // The claimed output root is the subtree of the final memory, and placed in the (empty) out slot of S_j it
  // gives S_{j+1}.
  const R = hexToBytes(c.nodeOutputRoot(j));
  const index = t.spec.outBase / 8 / 2 ** t.spec.outHeight;
  expect(bytesToHex(computeRoot(R, index, t.outSiblings.map((h) => hexToBytes(h))))).toBe(t.final.memRoot);
  const outSlot = graph.inputs.length + j;
  const slotSiblings = t.outSlotSiblings.map((h) => hexToBytes(h));
  expect(bytesToHex(computeRoot(new Uint8Array(32), outSlot, slotSiblings))).toBe(c.graphState(j));
  expect(bytesToHex(computeRoot(R, outSlot, slotSiblings))).toBe(c.graphState(j + 1));
  return t;
}

describe('claims', () => {
  it('honest transitions are consistent for every node', () => {
    for (let j = 0; j < graph.nodes.length; j++) checkTransition(honest, j);
  });

  for (const vmFrom of ['start', 'middle', 'end'] as const) {
    it(`a lie at node 1 (fake VM states from the ${vmFrom}) changes S_2.. and only the VM phase can expose it`, () => {
      const liar = new LyingClaims(graph, [x], { node: 1, vmFrom });
      expect(liar.graphState(0)).toBe(honest.graphState(0));
      expect(liar.graphState(1)).toBe(honest.graphState(1));
      expect(liar.graphState(2)).not.toBe(honest.graphState(2));
      expect(liar.graphState(3)).not.toBe(honest.graphState(3));
      expect(Array.from(liar.output())).not.toEqual(Array.from(honest.output()));
      const t = checkTransition(liar, 1);
      const T = t.spec.steps;
      const states = Array.from({ length: T + 1 }, (_, k) => liar.vmState(1, k) === honest.vmState(1, k));
      const firstFake = states.indexOf(false);
      expect(firstFake).toBe(vmFrom === 'start' ? 1 : vmFrom === 'middle' ? Math.floor(T / 2) : T);
      expect(states.slice(firstFake).every((same) => !same)).toBe(true);
      // The judge's answer for the last agreed step is the honest next state, not the lie.
      const w = liar.witness(1, firstFake - 1);
      expect(w.postHash).toBe(honest.vmState(1, firstFake));
      expect(w.postHash).not.toBe(liar.vmState(1, firstFake));
    });
  }
});

describe('claims on a tiled node (mnist-mlp with --tile-steps 4096: fc1 is 32 tiles)', async () => {
  const { prepareModel } = await import('../../models/prepare.ts');
  const { modelCommitment } = await import('../../models/int/commitment.ts');
  const { parseInput } = await import('../../cli/inputs.ts');
  const { muOf } = await import('../../models/int/tiles/run.ts');
  const prepared = prepareModel('mnist-mlp', undefined, { lowering: { tileSteps: 4096 } });
  const c = modelCommitment(prepared.int, prepared.lowering);
  const input = parseInput('mnist:5', prepared.int).words;
  const truth = new HonestClaims(prepared.int, input, c, undefined, prepared.lowering);
  const m = c.nodes[0].numTiles;

  it('the honest tile transition ends in σ_m holding R, and every tile VM run goes from μ_i to σ_{i+1}', () => {
    expect(m).toBeGreaterThan(1);
    const t = truth.tileTransition(0);
    const spec = c.nodes[0];
    const index = spec.outBase / 8 / 2 ** spec.outHeight;
    expect(bytesToHex(computeRoot(hexToBytes(t.outRoot), index, t.outSiblings.map((h) => hexToBytes(h))))).toBe(t.finalMem);
    expect(t.finalMem).toBe(truth.tileState(0, m));
    for (const i of [0, Math.floor(m / 2), m - 1]) {
      const { entry, final } = truth.tileVM(0, i);
      expect(entry.sigma).toBe(truth.tileState(0, i));
      expect(muOf(entry.spec.windowRoot, spec.windowBase, spec.windowHeight, entry.windowSiblings)).toBe(entry.mu);
      expect(truth.witness(0, 0, i).pre.memRoot).toBe(entry.mu);
      expect(final.status).toBe(Status.HALTED);
      expect(final.step).toBe(entry.spec.steps);
      expect(final.memRoot).toBe(truth.tileState(0, i + 1));
    }
  });

  for (const tileFrom of ['first', 'middle', 'last'] as const) {
    it(`a liar from the ${tileFrom} tile is honest up to σ_f, wrong from σ_{f+1} on, and consistent at tile f`, () => {
      const liar = new LyingClaims(prepared.int, input, { node: 0, vmFrom: 'middle', tileFrom }, c, prepared.lowering);
      const f = tileFrom === 'first' ? 0 : tileFrom === 'middle' ? Math.floor((m - 1) / 2) : m - 1;
      for (let i = 0; i <= m; i++) expect(liar.tileState(0, i) === truth.tileState(0, i)).toBe(i <= f);
      expect(liar.tileTransition(0).finalMem).toBe(liar.tileState(0, m));
      const { final } = liar.tileVM(0, f);
      // The liar's tile run ends at its own σ_{f+1}, so only the VM phase of tile f can expose it.
      expect(final.memRoot).toBe(liar.tileState(0, f + 1));
      expect(liar.vmState(0, 0, f)).toBe(truth.vmState(0, 0, f));
      expect(liar.vmState(0, final.step, f)).toBe(hashState(final));
      expect(liar.vmState(0, final.step, f)).not.toBe(truth.vmState(0, final.step, f));
    });
  }
});
