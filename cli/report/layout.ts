/**
 * A layered layout of the model graph, top to bottom: graph inputs in the first layer, each node one layer below
 * the deepest tensor it reads. A layer wider than `perRow` boxes wraps onto several rows, so a model with many
 * nodes stays a tall, readable column instead of a wide strip.
 */
import type { ModelData } from './types.ts';

export interface Box {
  /** `in<i>` for graph input i, `n<j>` for node j. */
  id: string;
  kind: 'input' | 'node';
  index: number;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Layout {
  width: number;
  height: number;
  boxes: Box[];
  edges: { from: string; to: string }[];
}

export const BOX = { w: 176, h: 46, gapX: 22, gapY: 40, margin: 16, perRow: 5 };

export function layoutGraph(m: ModelData, opts = BOX): Layout {
  const depth = new Map<string, number>();
  for (let i = 0; i < m.numInputs; i++) depth.set(`in${i}`, 0);
  const edges: Layout['edges'] = [];
  for (const n of m.nodes) {
    const from = [...n.fromInputs.map((i) => `in${i}`), ...n.fromNodes.filter((k) => k < n.index).map((k) => `n${k}`)];
    depth.set(`n${n.index}`, 1 + Math.max(0, ...from.map((f) => depth.get(f) ?? 0)));
    for (const f of from) edges.push({ from: f, to: `n${n.index}` });
  }
  const layers = new Map<number, string[]>();
  for (const [id, d] of depth) layers.set(d, [...(layers.get(d) ?? []), id]);
  const rows: string[][] = [];
  for (const d of [...layers.keys()].sort((a, b) => a - b)) {
    const ids = layers.get(d)!;
    for (let i = 0; i < ids.length; i += opts.perRow) rows.push(ids.slice(i, i + opts.perRow));
  }
  const widest = Math.max(1, ...rows.map((r) => r.length));
  const width = opts.margin * 2 + widest * opts.w + (widest - 1) * opts.gapX;
  const boxes: Box[] = [];
  rows.forEach((row, r) => {
    const rowWidth = row.length * opts.w + (row.length - 1) * opts.gapX;
    const x0 = (width - rowWidth) / 2;
    row.forEach((id, c) => {
      const kind = id.startsWith('in') ? 'input' : 'node';
      boxes.push({ id, kind, index: Number(id.replace(/^(in|n)/, '')), x: x0 + c * (opts.w + opts.gapX), y: opts.margin + r * (opts.h + opts.gapY), w: opts.w, h: opts.h });
    });
  });
  const height = opts.margin * 2 + rows.length * opts.h + Math.max(0, rows.length - 1) * opts.gapY;
  return { width, height, boxes, edges };
}
