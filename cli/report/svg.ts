/**
 * The report's pictures as inline SVG: the model graph with the disputed node(s) marked, and a tiled node's tile
 * bisection (the range of tile states narrowing round by round). Every label goes through `html` (escaped).
 */
import { html, trusted, type SafeHtml } from './escape.ts';
import { layoutGraph, type Box } from './layout.ts';
import type { ModelData, TilePhaseData } from './types.ts';

/** Room right of the boxes for the 'disputed' label. */
const BADGE = 170;
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** @param disputed node index → the disputes that narrowed to it */
export function graphSvg(m: ModelData, disputed: Map<number, string[]>): SafeHtml {
  if (m.nodes.length === 0) return html`<p class="muted">No graph to draw: ${m.note ?? 'the node specs are unknown'}.</p>`;
  const L = layoutGraph(m);
  const byId = new Map(L.boxes.map((b) => [b.id, b]));
  const firstDisputed = Math.min(...disputed.keys());
  const outputNode = m.outputSlot - m.numInputs;
  const edge = (e: { from: string; to: string }) => {
    const a = byId.get(e.from)!;
    const b = byId.get(e.to)!;
    const x1 = a.x + a.w / 2;
    const y1 = a.y + a.h;
    const x2 = b.x + b.w / 2;
    const y2 = b.y;
    const my = (y1 + y2) / 2;
    const hot = disputed.has(Number(e.to.slice(1)));
    return html`<path class="edge${hot ? ' hot' : ''}" d="M${x1},${y1} C${x1},${my} ${x2},${my} ${x2},${y2 - 4}" marker-end="url(#arrow${hot ? '-hot' : ''})"/>`;
  };
  const box = (b: Box) => {
    if (b.kind === 'input') {
      const name = m.inputNames[b.index] ?? `input ${b.index}`;
      return html`<g class="gnode input" data-input="${b.index}"><title>graph input ${b.index}: ${name} (${m.inputWords[b.index]} words)</title><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="23"/><text x="${b.x + b.w / 2}" y="${b.y + 19}">${clip(name, 24)}</text><text class="sub" x="${b.x + b.w / 2}" y="${b.y + 35}">input ${b.index} · ${m.inputWords[b.index]} words</text></g>`;
    }
    const n = m.nodes[b.index];
    const ds = disputed.get(n.index);
    const cls = ['gnode', 'node', ds ? 'disputed' : '', !ds && Number.isFinite(firstDisputed) && n.index < firstDisputed ? 'agreed' : '', n.index === outputNode ? 'output' : ''].filter(Boolean).join(' ');
    const title = `node ${n.index}${n.name ? `: ${n.name}` : ''}${n.op ? ` (${n.op})` : ''}, ${n.numTiles ? `tiled: ${n.numTiles} tiles (VM programs run one after another)` : `${n.steps} VM steps`}${n.outputWords ? `, ${n.outputWords} output words` : ''}, reads ${n.constants} constant region(s)${ds ? ` — disputed in dispute ${ds.join(', ')}` : ''}`;
    const label = `${n.index} · ${n.name ?? `node ${n.index}`}`;
    const sub = `${n.op ?? 'op unknown'} · ${n.numTiles ? `${n.numTiles.toLocaleString('en-US')} tiles` : `${n.steps.toLocaleString('en-US')} steps`}`;
    return html`<g class="${cls}" data-node="${n.index}"${ds ? trusted(' data-disputed="true"') : ''}><title>${title}</title><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/><text x="${b.x + b.w / 2}" y="${b.y + 19}">${clip(label, 24)}</text><text class="sub" x="${b.x + b.w / 2}" y="${b.y + 35}">${clip(sub, 28)}</text>${ds ? html`<text class="badge" x="${b.x + b.w + 8}" y="${b.y + b.h / 2 + 4}">◀ disputed (dispute ${ds.join(', ')})</text>` : ''}</g>`;
  };
  return html`<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="${L.width + BADGE}" height="${L.height}" viewBox="0 0 ${L.width + BADGE} ${L.height}" role="img" aria-label="model graph"><defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8a94a6"/></marker><marker id="arrow-hot" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#d93025"/></marker></defs>${L.edges.map(edge)}${L.boxes.map(box)}</svg>`;
}

const round = (v: number) => Math.round(v * 10) / 10;

/** Geometry of the tile bisection picture: label column, the axis of tile states, the text column right of it. */
const TB = { width: 1060, axisX0: 170, axisX1: 780, textX: 796, row: 30, bar: 14, top: 44, minBar: 4 };

/**
 * A tiled node's tile dissection: one row per round over an axis of the tile states σ_0..σ_m (to scale). Each row
 * shows the range in dispute before the round, the states the submitter posted at the cut's inner positions
 * (green dot: the challenger agreed; red: the first it disputed; grey: past it, never judged), and the part that
 * stays in dispute (red); what the challenger agreed to is green, what lies past the disputed state grey. The last
 * row is the tile it converged on.
 */
export function tileBisectionSvg(t: TilePhaseData, d: string): SafeHtml {
  const m = Math.max(1, t.numTiles);
  const x = (i: number | string) => round(TB.axisX0 + ((TB.axisX1 - TB.axisX0) * Number(i)) / m);
  /**
   * A bar over tile states [a, b] (nothing when empty), at least minBar wide: a narrow range of a node with many
   * tiles stays visible.
   */
  const bar = (cls: string, a: number | string, b: number | string, y: number, h = TB.bar) => {
    if (Number(b) <= Number(a)) return html``;
    const x0 = x(a);
    const w = Math.max(TB.minBar, x(b) - x0);
    return html`<rect class="${cls}" x="${round(Math.min(x0, TB.axisX1 - w))}" y="${y}" width="${round(w)}" height="${h}" rx="3"/>`;
  };
  const rows: SafeHtml[] = [];
  let y = TB.top;
  const mid = (cy: number) => cy + TB.bar / 2;
  // Row 0: startTiles. σ_0 is agreed (composed on-chain), σ_m is the submitter's claim: the whole range in dispute.
  rows.push(
    html`<g class="start" data-lo="0" data-hi="${t.numTiles}"><title>start tiles (block ${t.started.block}): σ_0 = ${t.initialMem} (agreed: composed on-chain from the agreed slot roots), σ_${t.numTiles} = ${t.finalMem} (the submitter's claim)</title><text class="l" x="12" y="${mid(y) + 4}">start tiles</text>${bar('kept', 0, t.numTiles, y)}<circle class="dot agree" cx="${x(0)}" cy="${mid(y)}" r="5"/><circle class="dot disagree" cx="${x(t.numTiles)}" cy="${mid(y)}" r="5"/><text class="l sub" x="${TB.textX}" y="${mid(y) + 4}">σ_0 agreed, σ_${t.numTiles} claimed: states 0..${t.numTiles}</text></g>`,
  );
  t.rounds.forEach((r, k) => {
    y += TB.row;
    const answered = r.part !== undefined;
    const parts = answered
      ? html`${bar('agreed', 0, r.newLo!, y + 3, TB.bar - 6)}${bar('agreed', r.lo, r.newLo!, y)}${bar('dropped', r.newHi!, r.hi, y)}${bar('kept', r.newLo!, r.newHi!, y)}`
      : html`${bar('agreed', 0, r.lo, y + 3, TB.bar - 6)}${bar('range', r.lo, r.hi, y)}`;
    // Posted state i (at positions[i]) was agreed when i < part, disputed when i = part, never judged after.
    const dot = (i: number) => (!answered ? 'open' : i < r.part! ? 'agree' : i === r.part ? 'disagree' : 'open');
    const posted = r.positions.map((p) => `σ_${p}`).join(', ');
    const what = answered ? `${posted} posted → states ${r.newLo}..${r.newHi}` : `${posted} posted; no answer yet`;
    const title = `round ${k + 1}: states ${r.lo}..${r.hi} in dispute; the submitter (${r.post.by}) posted ${r.positions.map((p, i) => `σ_${p} = ${r.states[i]}`).join(', ')} (block ${r.post.block})${answered ? `; the challenger (${r.respond!.by}) named part ${r.part} (block ${r.respond!.block}): states ${r.newLo}..${r.newHi} in dispute` : ''}`;
    rows.push(
      html`<g class="round" data-round="${k + 1}" data-lo="${r.lo}" data-hi="${r.hi}" data-positions="${r.positions.join(' ')}"${answered ? html` data-part="${String(r.part)}" data-new-lo="${r.newLo}" data-new-hi="${r.newHi}"` : ''}><title>${title}</title><text class="l" x="12" y="${mid(y) + 4}">round ${k + 1}</text>${parts}${r.positions.map((p, i) => html`<line class="mark" x1="${x(p)}" y1="${y - 3}" x2="${x(p)}" y2="${y + TB.bar + 3}"/><circle class="dot ${dot(i)}" cx="${x(p)}" cy="${mid(y)}" r="5"/>`)}<text class="l sub" x="${TB.textX}" y="${mid(y) + 4}">${what}</text></g>`,
    );
  });
  if (t.converged !== undefined) {
    y += TB.row;
    const i = t.converged;
    const vm = t.vm ? `; its VM run of ${BigInt(t.vm.steps).toLocaleString('en-US')} steps is played` : '';
    rows.push(
      html`<g class="converged" data-tile="${i}" data-disputed="true"><title>converged on tile ${i}: σ_${i} agreed, the submitter's σ_${i + 1} disputed${vm}</title><text class="l" x="12" y="${mid(y) + 4}">converged</text>${bar('agreed', 0, i, y + 3, TB.bar - 6)}${bar('tile', i, i + 1, y - 2, TB.bar + 4)}<text class="badge" x="${TB.textX}" y="${mid(y) + 4}">◀ tile ${i} disputed${t.vm ? ` (${BigInt(t.vm.steps).toLocaleString('en-US')} VM steps)` : ''}</text></g>`,
    );
  }
  const height = y + TB.row + 8;
  const ticks = [...new Set([0, t.numTiles, ...t.rounds.flatMap((r) => r.positions.map(Number)), ...(t.converged !== undefined ? [t.converged, t.converged + 1] : [])])].sort((a, b) => a - b);
  // Tick labels only where they do not collide (the ends always).
  let lastLabel = -Infinity;
  const labelled = new Set<number>();
  for (const i of ticks) {
    if (i === t.numTiles || x(i) - lastLabel >= 26) {
      labelled.add(i);
      lastLabel = x(i);
    }
  }
  const axis = html`<g class="axis"><text class="l sub" x="12" y="20">tile states σ_0..σ_${t.numTiles}</text><line class="axis" x1="${TB.axisX0}" y1="28" x2="${TB.axisX1}" y2="28"/>${ticks.map((i) => html`<line class="tick" x1="${x(i)}" y1="24" x2="${x(i)}" y2="${height - 6}"/>${labelled.has(i) ? html`<text class="sub" x="${x(i)}" y="19">${i}</text>` : ''}`)}</g>`;
  return html`<svg class="bisection" id="tile-bisection-${d}" xmlns="http://www.w3.org/2000/svg" width="${TB.width}" height="${height}" viewBox="0 0 ${TB.width} ${height}" role="img" aria-label="tile dissection of dispute ${d}">${axis}${rows}</svg>`;
}
