/** The model graph as inline SVG, the disputed node(s) marked. Every label goes through `html` (escaped). */
import { html, trusted, type SafeHtml } from './escape.ts';
import { layoutGraph, type Box } from './layout.ts';
import type { ModelData } from './types.ts';

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
    const title = `node ${n.index}${n.name ? `: ${n.name}` : ''}${n.op ? ` (${n.op})` : ''}, ${n.steps} VM steps${n.outputWords ? `, ${n.outputWords} output words` : ''}, reads ${n.constants} constant region(s)${ds ? ` — disputed in dispute ${ds.join(', ')}` : ''}`;
    const label = `${n.index} · ${n.name ?? `node ${n.index}`}`;
    const sub = `${n.op ?? 'op unknown'} · ${n.steps.toLocaleString('en-US')} steps`;
    return html`<g class="${cls}" data-node="${n.index}"${ds ? trusted(' data-disputed="true"') : ''}><title>${title}</title><rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" rx="6"/><text x="${b.x + b.w / 2}" y="${b.y + 19}">${clip(label, 24)}</text><text class="sub" x="${b.x + b.w / 2}" y="${b.y + 35}">${clip(sub, 28)}</text>${ds ? html`<text class="badge" x="${b.x + b.w + 8}" y="${b.y + b.h / 2 + 4}">◀ disputed (dispute ${ds.join(', ')})</text>` : ''}</g>`;
  };
  return html`<svg id="graph" xmlns="http://www.w3.org/2000/svg" width="${L.width + BADGE}" height="${L.height}" viewBox="0 0 ${L.width + BADGE} ${L.height}" role="img" aria-label="model graph"><defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8a94a6"/></marker><marker id="arrow-hot" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#d93025"/></marker></defs>${L.edges.map(edge)}${L.boxes.map(box)}</svg>`;
}
