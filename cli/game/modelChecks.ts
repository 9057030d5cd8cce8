/**
 * Registration's checks in TypeScript: the rules contracts/src/ModelValidator.sol (with Commitments.checkLayout and
 * checkRegion) applies to a model before ModelRegistry.register accepts it, as a pure function that lists every
 * problem instead of reverting at the first. Each problem carries the name of the Solidity error the validator
 * would raise for it, so `opml verify-model` says what registration would refuse and why.
 */
import type { ModelCommitment } from '../../models/int/commitment.ts';
import { MEM_DEPTH, MEM_WORDS } from '../../vm/isa.ts';
import { ceilLog2 } from '../../vm/merkle.ts';

/** ModelValidator's bounds. */
export const MAX_NODES = 2 ** 20;
export const MAX_GRAPH_INPUTS = 2 ** 8;
export const MAX_NODE_INPUTS = 32;
export const MAX_STEPS = 2 ** 40;
export const MAX_TILES = 2 ** 20;

/** The Solidity errors of the validator's checks (contracts/src/GameErrors.sol). */
export type ModelRule =
  | 'EmptyModel'
  | 'ModelTooLarge'
  | 'TensorSizeOutOfRange'
  | 'OutputSlotOutOfRange'
  | 'SlotHeightMismatch'
  | 'ZeroSteps'
  | 'RegionOutOfRange'
  | 'RegionMisaligned'
  | 'RegionsOverlap'
  | 'SlotNotProducedYet'
  | 'TileFieldsOnUntiledNode'
  | 'ProgramOnTiledNode';

export interface ModelProblem {
  rule: ModelRule;
  /** The node it is about (node checks). */
  node?: number;
  /** The index of the input region in spec.inputs (region checks), or 'out' for the output region. */
  region?: number | 'out';
  message: string;
}

/** Commitments.tensorHeight: ceil(log2 ceil(words / 8)), 0 up to 8 words. */
export function tensorHeight(words: number): number {
  return ceilLog2(Math.ceil(words / 8));
}

/** Commitments.checkRegion: why (base, height) is not an aligned subtree of a depth-`depth` tree, if it is not. */
function regionRule(base: number, height: number, depth: number): 'RegionOutOfRange' | 'RegionMisaligned' | undefined {
  if (height > depth) return 'RegionOutOfRange';
  if (base % (8 * 2 ** height) !== 0) return 'RegionMisaligned';
  if (Math.floor(base / 2 ** (3 + height)) >= 2 ** (depth - height)) return 'RegionOutOfRange';
  return undefined;
}

/** ModelValidator._checkTiles: a tiled node's bounded tile count, no program of its own, a window apart from every region. */
function checkTiled(spec: ModelCommitment['nodes'][number], j: number, add: (p: ModelProblem) => void): void {
  if (spec.numTiles > MAX_TILES) add({ rule: 'ModelTooLarge', node: j, message: `node ${j} has ${spec.numTiles} tiles, over the bound of ${MAX_TILES}` });
  if (!/^0x0{64}$/.test(spec.codeRoot) || spec.steps !== 0) add({ rule: 'ProgramOnTiledNode', node: j, message: `node ${j} is tiled but has a code root or step count of its own` });
  const rule = regionRule(spec.windowBase, spec.windowHeight, MEM_DEPTH);
  if (rule) add({ rule, node: j, message: `node ${j}: the window (base ${spec.windowBase}, height ${spec.windowHeight}) ${rule === 'RegionMisaligned' ? 'is not aligned to its size' : 'does not fit in VM memory'}` });
  const end = spec.windowBase + 8 * 2 ** spec.windowHeight;
  const overlaps = (base: number, height: number) => base < end && spec.windowBase < base + 8 * 2 ** height;
  if (spec.inputs.some((r) => overlaps(r.base, r.height)) || overlaps(spec.outBase, spec.outHeight)) {
    add({ rule: 'RegionsOverlap', node: j, message: `node ${j}: the window (base ${spec.windowBase}, height ${spec.windowHeight}) shares words with an input or the output region` });
  }
}

/**
 * Every reason ModelValidator.validate would refuse this model, in the order it checks them (an empty list:
 * registration accepts it). The contract stops at the first; this goes on, so one run lists them all.
 */
export function checkModel(c: Pick<ModelCommitment, 'nodes' | 'inputWords' | 'outputSlot' | 'outputWords'>): ModelProblem[] {
  const problems: ModelProblem[] = [];
  const add = (p: ModelProblem) => problems.push(p);
  const numNodes = c.nodes.length;
  const numInputs = c.inputWords.length;
  if (numNodes === 0) add({ rule: 'EmptyModel', message: 'the model has no node: the graph bisection needs at least one' });
  if (numNodes > MAX_NODES) add({ rule: 'ModelTooLarge', message: `${numNodes} nodes, over the bound of ${MAX_NODES}` });
  if (numInputs > MAX_GRAPH_INPUTS) add({ rule: 'ModelTooLarge', message: `${numInputs} graph inputs, over the bound of ${MAX_GRAPH_INPUTS}` });
  const badWords = (w: number) => !Number.isInteger(w) || w < 1 || w > MEM_WORDS;
  c.inputWords.forEach((w, i) => {
    if (badWords(w)) add({ rule: 'TensorSizeOutOfRange', message: `graph input ${i} has ${w} words; a tensor has 1 to ${MEM_WORDS}` });
  });
  const numSlots = numInputs + numNodes;
  const slotHeight = (slot: number): number => (slot < numInputs ? tensorHeight(c.inputWords[slot]) : c.nodes[slot - numInputs].outHeight);
  if (!(c.outputSlot < numSlots)) add({ rule: 'OutputSlotOutOfRange', message: `the output slot ${c.outputSlot} is not one of the ${numSlots} slots` });
  if (badWords(c.outputWords)) add({ rule: 'TensorSizeOutOfRange', message: `the output has ${c.outputWords} words; a tensor has 1 to ${MEM_WORDS}` });
  else if (c.outputSlot < numSlots && tensorHeight(c.outputWords) !== slotHeight(c.outputSlot)) {
    add({ rule: 'SlotHeightMismatch', message: `the output (${c.outputWords} words, height ${tensorHeight(c.outputWords)}) does not have the height of slot ${c.outputSlot} (${slotHeight(c.outputSlot)})` });
  }

  c.nodes.forEach((spec, j) => {
    if (spec.numTiles === 0) {
      if (spec.steps === 0) add({ rule: 'ZeroSteps', node: j, message: `node ${j} takes zero steps: a program halts after one step at least` });
      if (spec.steps > MAX_STEPS) add({ rule: 'ModelTooLarge', node: j, message: `node ${j} takes ${spec.steps} steps, over the bound of ${MAX_STEPS}` });
      if (!/^0x0{64}$/.test(spec.tilesRoot) || spec.windowBase !== 0 || spec.windowHeight !== 0) add({ rule: 'TileFieldsOnUntiledNode', node: j, message: `node ${j} is untiled but has a tile root or a window` });
    } else {
      checkTiled(spec, j, add);
    }
    const regions = spec.inputs;
    if (regions.length > MAX_NODE_INPUTS) add({ rule: 'ModelTooLarge', node: j, message: `node ${j} has ${regions.length} input regions, over the bound of ${MAX_NODE_INPUTS}` });
    // Commitments.checkLayout: each region aligned and inside memory, sorted by base, disjoint.
    let end = 0;
    regions.forEach((r, i) => {
      const rule = regionRule(r.base, r.height, MEM_DEPTH);
      if (rule) add({ rule, node: j, region: i, message: `node ${j}: input region ${i} (base ${r.base}, height ${r.height}) ${rule === 'RegionMisaligned' ? `is not aligned to its size of ${8 * 2 ** r.height} words` : 'does not fit in VM memory'}` });
      if (r.base < end) add({ rule: 'RegionsOverlap', node: j, region: i, message: `node ${j}: input region ${i} (base ${r.base}) starts before the previous one ends (word ${end}): regions must be sorted by base and disjoint` });
      end = r.base + 8 * 2 ** r.height;
    });
    const outRule = regionRule(spec.outBase, spec.outHeight, MEM_DEPTH);
    if (outRule) add({ rule: outRule, node: j, region: 'out', message: `node ${j}: the output region (base ${spec.outBase}, height ${spec.outHeight}) ${outRule === 'RegionMisaligned' ? 'is not aligned to its size' : 'does not fit in VM memory'}` });
    const produced = numInputs + j;
    regions.forEach((r, i) => {
      if (!r.fromSlot) return;
      if (r.slot >= produced) {
        add({ rule: 'SlotNotProducedYet', node: j, region: i, message: `node ${j} reads slot ${r.slot}, which is not produced before it runs (slots 0..${produced - 1} are)` });
        return;
      }
      const h = slotHeight(r.slot);
      if (r.height !== h) add({ rule: 'SlotHeightMismatch', node: j, region: i, message: `node ${j}: input region ${i} has height ${r.height}, but slot ${r.slot} holds a tensor of height ${h}` });
    });
  });
  return problems;
}
