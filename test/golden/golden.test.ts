/**
 * Golden runs: every zoo model on fixed inputs must reproduce the words, tensor roots and graph states pinned in
 * test/golden/*.json (written by `npx tsx scripts/gen-golden.ts`), and the model id pinned beside them.
 *
 * These files are an oracle independent of the code under test: a rule changed consistently in the CPU
 * executor, the VM and the GPU still moves words here. The pinned roots and states are also re-derived from the
 * pinned words with an independent Merkle implementation (@noble/hashes keccak, written from docs/VM.md).
 */
import { keccak_256 } from '@noble/hashes/sha3.js';
import { describe, expect, it } from 'vitest';
import { decodeWords, GOLDEN_RUNS, goldenModel, readGolden, REGENERATE, type GoldenFile, type GoldenTensor } from '../support/golden.ts';

const rerun = (what: string) =>
  `${what}\nIf this change is intended, regenerate the golden files with \`${REGENERATE}\` and commit test/golden/; ` +
  'if it is not, it is a regression (the committed numbers of the model moved).';

/** How two word arrays differ, for a message: the first difference and the number of differing words. */
function wordDiff(got: Int32Array, want: Int32Array): string | undefined {
  if (got.length !== want.length) return `${got.length} words, golden ${want.length}`;
  let first = -1;
  let count = 0;
  for (let i = 0; i < got.length; i++) {
    if (got[i] !== want[i]) {
      if (first < 0) first = i;
      count++;
    }
  }
  return first < 0 ? undefined : `word ${first} of ${got.length} is ${got[first]}, golden ${want[first]} (${count} word(s) differ)`;
}

function compareTensor(label: string, got: GoldenTensor, want: GoldenTensor, problems: string[]): void {
  if (got.name !== want.name || got.tensor !== want.tensor) problems.push(`${label}: is tensor ${got.tensor} "${got.name}", golden ${want.tensor} "${want.name}"`);
  if (JSON.stringify(got.dims) !== JSON.stringify(want.dims)) problems.push(`${label}: dims [${got.dims}], golden [${want.dims}]`);
  const diff = wordDiff(decodeWords(got.words), decodeWords(want.words));
  if (diff) problems.push(`${label}: ${diff}`);
  if (got.root !== want.root) problems.push(`${label}: root ${got.root}, golden ${want.root}`);
}

/** Every difference between a fresh run and its golden file except the model id, one line each. */
function differences(got: GoldenFile, want: GoldenFile): string[] {
  const problems: string[] = [];
  if (got.numInputs !== want.numInputs || got.numNodes !== want.numNodes) {
    problems.push(`graph shape: ${got.numInputs} inputs and ${got.numNodes} nodes, golden ${want.numInputs} and ${want.numNodes}`);
  }
  got.inputs.forEach((t, i) => want.inputs[i] && compareTensor(`graph input ${i} ("${t.name}")`, t, want.inputs[i], problems));
  got.nodes.forEach((n, i) => {
    const w = want.nodes[i];
    if (!w) return;
    const label = `node ${i} ("${n.name}", ${n.op})`;
    if (n.op !== w.op) problems.push(`${label}: op ${n.op}, golden ${w.op}`);
    compareTensor(label, n, w, problems);
  });
  if (got.output !== want.output) problems.push(`output tensor ${got.output}, golden ${want.output}`);
  got.states.forEach((s, i) => {
    if (s !== want.states[i]) problems.push(`graph state S_${i}${i > 0 ? ` (after node ${i - 1})` : ' (inputs only)'}: ${s}, golden ${want.states[i]}`);
  });
  if (got.states.length !== want.states.length) problems.push(`${got.states.length} graph states, golden ${want.states.length}`);
  return problems;
}

// ---- An independent Merkle implementation (docs/VM.md), for the pinned files' internal consistency ----

const hex = (b: Uint8Array) => `0x${Buffer.from(b).toString('hex')}`;
const pair = (l: Uint8Array, r: Uint8Array) => {
  const buf = new Uint8Array(64);
  buf.set(l, 0);
  buf.set(r, 32);
  return keccak_256(buf);
};

/** Root over 32-byte leaves padded with zero leaves to 2^depth. */
function rootOf(leaves: Uint8Array[], depth: number): Uint8Array {
  let level = leaves;
  let zero: Uint8Array = new Uint8Array(32);
  for (let h = 0; h < depth; h++) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < Math.max(1, Math.ceil(level.length / 2)); i++) next.push(pair(level[2 * i] ?? zero, level[2 * i + 1] ?? zero));
    level = next;
    zero = pair(zero, zero);
  }
  return level[0] ?? zero;
}

function log2Ceil(n: number): number {
  let d = 0;
  while (2 ** d < n) d++;
  return d;
}

/** Tensor root: 8 big-endian words a leaf, zero-padded to max(8, 2^⌈log2 N⌉) words. */
function independentTensorRoot(words: Int32Array): string {
  const padded = Math.max(8, 2 ** log2Ceil(words.length));
  const leaves: Uint8Array[] = [];
  for (let j = 0; j < Math.ceil(words.length / 8); j++) {
    const leaf = new Uint8Array(32);
    const view = new DataView(leaf.buffer);
    for (let k = 0; k < 8 && 8 * j + k < words.length; k++) view.setInt32(4 * k, words[8 * j + k], false);
    leaves.push(leaf);
  }
  return hex(rootOf(leaves, log2Ceil(padded / 8)));
}

/** Graph states from the slot roots: S_0 has the inputs, S_i adds node i-1's output. */
function independentStates(g: GoldenFile): string[] {
  const slots = g.numInputs + g.numNodes;
  const leaves: Uint8Array[] = Array.from({ length: slots }, () => new Uint8Array(32));
  const bytes = (root: string) => Uint8Array.from(Buffer.from(root.slice(2), 'hex'));
  g.inputs.forEach((t, i) => (leaves[i] = bytes(t.root)));
  const states = [hex(rootOf(leaves, log2Ceil(slots)))];
  g.nodes.forEach((n, i) => {
    leaves[g.numInputs + i] = bytes(n.root);
    states.push(hex(rootOf(leaves, log2Ceil(slots))));
  });
  return states;
}

describe('golden runs of the zoo models (test/golden)', () => {
  for (const { model, inputs } of GOLDEN_RUNS) {
    describe(model, () => {
      const pinned = inputs.map((input) => readGolden(model, input));
      let fresh: GoldenFile[] | undefined;
      const computed = () => (fresh ??= goldenModel(model, inputs));

      it('the pinned files are self-consistent: roots and states re-derived from the pinned words (independent keccak Merkle)', () => {
        for (const g of pinned) {
          expect(g.model).toBe(model);
          for (const t of [...g.inputs, ...g.nodes]) {
            expect(independentTensorRoot(decodeWords(t.words)), `${g.input}: root of "${t.name}"`).toBe(t.root);
          }
          expect(independentStates(g), `${g.input}: graph states`).toEqual(g.states);
          expect([...g.inputs, ...g.nodes].some((t) => t.tensor === g.output), `${g.input}: the output is a pinned tensor`).toBe(true);
        }
      });

      for (const [k, input] of inputs.entries()) {
        it(`${input}: every node's words and root and every graph state equal the golden file`, () => {
          const problems = differences(computed()[k], pinned[k]);
          expect(problems, rerun(`${model} on ${input}: ${problems.length} difference(s) from the golden run ${problems.slice(0, 3).join('; ')}`)).toEqual([]);
        });
      }

      it('model id equals the golden files’ (pinned separately from the run data)', () => {
        const id = computed()[0].modelId;
        for (const g of pinned) {
          expect(
            id,
            rerun(
              `${model}: the model id is ${id}, golden ${g.modelId}. The model commitment changed (e.g. its scheme, or a ` +
                'lowering: code roots, step counts, memory layout) while the per-node run data above may still match.',
            ),
          ).toBe(g.modelId);
        }
      });
    });
  }
});
