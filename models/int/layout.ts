/**
 * Where a node's tensors sit in VM memory. Each region (every input, then the output, then scratch) takes
 * P = max(8, 2^ceil(log2 words)) words at a P-aligned address, so every tensor's root is a subtree root of
 * memory. Regions are placed largest first, ties in input order, one after another from address 0: with
 * power-of-two sizes in decreasing order each lands aligned without padding.
 */
import { MEM_WORDS } from '../../vm/isa.ts';

export interface Region {
  /** What the region holds: `in0`, `in1`, ..., `out`, `scratch`. */
  role: string;
  base: number;
  words: number;
  /** log2 of the region's size in leaves (tree height of its subtree). */
  height: number;
}

export interface NodeLayout {
  inputs: number[];
  output: number;
  scratch: number;
  regions: Region[];
  /** Words of memory the node uses (the end of the last region). */
  extent: number;
}

export class NodeTooLargeError extends Error {
  constructor(node: string, words: number) {
    super(`node "${node}" needs ${words} words of VM memory, more than its ${MEM_WORDS}: split it into smaller nodes`);
    this.name = 'NodeTooLargeError';
  }
}

export function regionSize(words: number): number {
  return Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(1, words))));
}

export function layoutNode(node: string, inputWords: readonly number[], outputWords: number, scratchWords = 0): NodeLayout {
  const wanted = [
    ...inputWords.map((words, i) => ({ role: `in${i}`, words, order: i })),
    { role: 'out', words: outputWords, order: inputWords.length },
    ...(scratchWords > 0 ? [{ role: 'scratch', words: scratchWords, order: inputWords.length + 1 }] : []),
  ];
  const sorted = [...wanted].sort((a, b) => regionSize(b.words) - regionSize(a.words) || a.order - b.order);
  let next = 0;
  const regions: Region[] = [];
  for (const w of sorted) {
    const size = regionSize(w.words);
    regions.push({ role: w.role, base: next, words: w.words, height: Math.log2(size / 8) });
    next += size;
  }
  if (next > MEM_WORDS) throw new NodeTooLargeError(node, next);
  const base = (role: string) => regions.find((r) => r.role === role)!.base;
  return {
    inputs: inputWords.map((_, i) => base(`in${i}`)),
    output: base('out'),
    scratch: scratchWords > 0 ? base('scratch') : -1,
    regions,
    extent: next,
  };
}
