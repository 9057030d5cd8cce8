/**
 * Renders a ReportData object (collect.ts) as ONE self-contained HTML page: inline CSS and SVG, no script that
 * runs, no fetch of any kind (a Content-Security-Policy of default-src 'none' says so to the browser). Every
 * string from the chain or a file is escaped (escape.ts); the data itself is embedded as JSON for machines.
 */
import { formatEther } from 'viem';
import { html, jsonForScript, trusted, type SafeHtml } from './escape.ts';
import { graphSvg, tileBisectionSvg } from './svg.ts';
import type { DisputeData, ReportData, StepData, TilePhaseData, VMStateData } from './types.ts';

const CSS = `
:root{--fg:#1d2433;--muted:#667085;--line:#e4e7ec;--bg:#f7f8fa;--red:#d93025;--green:#188038;--blue:#1a56db}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:1180px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 10px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:15px;margin:18px 0 8px}
section,.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:12px 0}
.mono,code,td.hash{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;word-break:break-all}
.muted{color:var(--muted)}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:5px 8px;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
table.kv th{width:180px;text-transform:none;letter-spacing:0;font-size:13px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;background:#eef2f6}
.badge.rejected,.badge.lost{background:#fde8e7;color:var(--red)}.badge.finalized,.badge.won{background:#e6f4ea;color:var(--green)}.badge.pending{background:#fff4e5;color:#b45309}
.role-submitter{color:#7c3aed;font-weight:600}.role-challenger{color:var(--blue);font-weight:600}.role-third{color:var(--muted);font-weight:600}
.graph{overflow:auto;text-align:center;max-height:760px;background:#fcfcfd;border:1px solid var(--line);border-radius:6px}
svg .edge{fill:none;stroke:#8a94a6;stroke-width:1.4}svg .edge.hot{stroke:var(--red);stroke-width:2}
svg .gnode rect{fill:#fff;stroke:#98a2b3;stroke-width:1.2}svg .gnode.input rect{fill:#eef4ff;stroke:#6b8fd6}
svg .gnode.agreed rect{fill:#ecf7ee;stroke:#5aa469}svg .gnode.output rect{stroke-dasharray:4 2}
svg .gnode.disputed rect{fill:#fde8e7;stroke:var(--red);stroke-width:3}
svg text{font:12px system-ui,sans-serif;text-anchor:middle;fill:#1d2433}svg text.sub{font-size:11px;fill:#667085}svg text.badge{font-size:12px;font-weight:700;fill:var(--red);text-anchor:start}
.legend span{display:inline-block;margin-right:14px}.sw{display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:-2px;margin-right:4px;border:1px solid #98a2b3}
.instruction{font-size:18px;font-weight:600;font-family:ui-monospace,Menlo,Consolas,monospace;background:#f2f4f7;padding:8px 12px;border-radius:6px;display:inline-block}
tr.changed td{background:#fffbe6}.ok{color:var(--green);font-weight:600}.bad{color:var(--red);font-weight:600}
.note{background:#fff8e6;border-left:3px solid #f0b429;padding:8px 12px;margin:8px 0}
.ruling{font-size:15px}tfoot td{font-weight:600}
table.timeline{table-layout:fixed}table.timeline td{font-size:13px}table.timeline td.what{word-break:break-all;font-size:12px}table.timeline td.what .mono{font-size:11px}
#bonds td.num,#accounts td.num{white-space:nowrap}table.regs td,table.regs th{text-align:center;padding:4px 2px;font-size:12px}table.regs td.changed{background:#fffbe6;font-weight:700}
`;

/** Added to the page only when a dispute shown has a tile phase (an untiled dispute's page is as it always was). */
const TILE_CSS = `svg.bisection text.l{text-anchor:start}svg.bisection line.tick{stroke:#e4e7ec;stroke-width:1}svg.bisection line.axis{stroke:#98a2b3;stroke-width:1.2}
svg.bisection .kept{fill:#fde8e7;stroke:var(--red);stroke-width:1.2}svg.bisection .agreed{fill:#ecf7ee;stroke:#5aa469;stroke-width:1}svg.bisection .dropped{fill:#eef2f6;stroke:#c0c6d0;stroke-width:1}svg.bisection .range{fill:#fff;stroke:#98a2b3;stroke-width:1.2}
svg.bisection .tile{fill:#fde8e7;stroke:var(--red);stroke-width:3}svg.bisection .mark{stroke:#1d2433;stroke-width:1.2}svg.bisection .dot{stroke:#fff;stroke-width:1.5}svg.bisection .dot.agree{fill:var(--green)}svg.bisection .dot.disagree{fill:var(--red)}svg.bisection .dot.open{fill:#98a2b3}
table.rounds td{font-size:13px}table.rounds td.what{word-break:break-all;font-size:12px}
`;

const eth = (wei: string) => `${formatEther(BigInt(wei))} ETH`;
const when = (ts: string) => new Date(Number(ts) * 1000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
const roleClass = (role: string) => (role === 'third party' ? 'role-third' : `role-${role}`);
const amount = (wei: string) => html`<span title="${wei} wei">${eth(wei)}</span> <span class="muted">(${wei} wei)</span>`;

function header(r: ReportData): SafeHtml {
  const s = r.submission;
  return html`<header><h1>Dispute report: submission ${s.id} <span class="badge ${s.status}" id="status">${s.status}</span></h1>
<p class="muted">opml · chain ${r.chain.chainId} · as of block ${r.chain.asOfBlock} (${when(r.chain.asOfTimestamp)})</p></header>
<section><table class="kv" id="summary">
<tr><th>submission id</th><td>${s.id}</td></tr>
<tr><th>model id</th><td class="hash">${s.modelId}</td></tr>
<tr><th>chain id</th><td>${r.chain.chainId}</td></tr>
<tr><th>game address</th><td class="hash">${r.chain.game}</td></tr>
<tr><th>judge</th><td class="hash">${r.chain.judge}</td></tr>
<tr><th>status</th><td>${s.status} — ${s.openDisputes} dispute(s) open, ${s.winners} won by challengers</td></tr>
<tr><th>submitter</th><td class="hash">${s.submitter}</td></tr>
<tr><th>bond</th><td>${amount(s.bond)}</td></tr>
<tr><th>submitted</th><td>${s.block ? html`block ${s.block}, ${when(s.timestamp!)}, tx <span class="mono">${s.tx}</span>` : when(s.submittedAt)}</td></tr>
<tr><th>inputs</th><td>upload(s) ${s.uploads.join(', ')}; roots <span class="mono">${s.inputRoots.join(', ')}</span></td></tr>
<tr><th>S_0 / S_n</th><td class="hash">${s.initialState}<br>${s.finalState}</td></tr>
<tr><th>output root</th><td class="hash">${s.outputRoot}</td></tr>
<tr><th>game parameters</th><td>challenge bond ${eth(r.params.challengeBond)}, min bond ${eth(r.params.minBond)}, window ${r.params.challengeWindow} s, clock ${r.params.clockSeconds} s, increment ${r.params.moveIncrement} s per move</td></tr>
</table></section>`;
}

function rulings(r: ReportData): SafeHtml {
  if (r.disputes.length === 0) return html`<section class="ruling"><p>Nobody challenged this result.${r.submission.status === 'finalized' ? ' It was finalized after its window.' : ''}</p></section>`;
  return html`<section class="ruling" id="rulings">${r.disputes.map((d) => {
    const why =
      d.reason === 'step'
        ? html`the judge executed step ${d.step?.step ?? '?'} of ${d.tiles?.vm ? html`tile ${d.tiles.vm.tile} of ` : ''}node ${d.node ?? '?'}${d.step?.nodeName ? html` (${d.step.nodeName})` : ''} from the agreed state: its result ${d.winner === 'challenger' ? 'differs from' : 'equals'} the submitter's claimed state`
        : d.reason === 'timeout'
          ? html`the ${d.winner === 'challenger' ? 'submitter' : 'challenger'} did not move before its clock ran out`
          : html`still open: ${d.phase} phase`;
    return html`<p>Dispute ${d.d} (challenger <span class="mono">${d.challenger}</span>): ${d.winner === 'none' ? html`<span class="badge pending">open</span>` : html`won by the <b>${d.winner}</b> <span class="badge won">${d.reason}</span>`} — ${why}.</p>`;
  })}${r.submission.otherDisputes.length ? html`<p class="muted">Not shown: dispute(s) ${r.submission.otherDisputes.join(', ')} on this submission.</p>` : ''}</section>`;
}

function graph(r: ReportData): SafeHtml {
  const disputed = new Map<number, string[]>();
  for (const d of r.disputes) if (d.node !== undefined) disputed.set(d.node, [...(disputed.get(d.node) ?? []), d.d]);
  const m = r.model;
  return html`<h2>Model graph</h2><section>
<p>${m.numNodes} node(s), ${m.numInputs} graph input(s), output from slot ${m.outputSlot} (${m.outputWords} words). Drawn from the ${m.source}${m.ref ? html` <code>${m.ref}</code>` : ''}.</p>
${m.note ? html`<p class="note">${m.note}</p>` : ''}
<p class="legend muted"><span><i class="sw" style="background:#eef4ff"></i>graph input</span><span><i class="sw" style="background:#ecf7ee"></i>before the disputed node (agreed)</span><span><i class="sw" style="background:#fde8e7;border-color:#d93025"></i>disputed node</span><span><i class="sw" style="border-style:dashed"></i>output node</span></p>
<div class="graph">${graphSvg(m, disputed)}</div></section>`;
}

const shortHex = (h: string) => (h.length > 14 ? `${h.slice(0, 8)}…${h.slice(-6)}` : h);
const time = (ts: string) => when(ts).slice(5, 19);

function timeline(d: DisputeData): SafeHtml {
  const sub = d.moves.find((m) => m.role === 'submitter')?.actor;
  return html`<h3>Timeline of dispute ${d.d}</h3><p class="muted">submitter <span class="mono role-submitter">${sub ?? '—'}</span> · challenger <span class="mono role-challenger">${d.challenger}</span> · times UTC</p><table class="timeline" id="timeline-${d.d}" data-dispute="${d.d}">
<colgroup><col style="width:34px"><col style="width:112px"><col style="width:150px"><col style="width:118px"><col style="width:86px"><col style="width:92px"><col></colgroup>
<thead><tr><th>#</th><th>move</th><th>by</th><th>block · time</th><th class="num">gas used</th><th class="num">clocks left</th><th>what · transaction</th></tr></thead>
<tbody>${d.moves.map(
    (m, i) => html`<tr class="move" data-move="${m.name}"><td>${i + 1}</td><td><b>${m.name}</b></td><td><span class="${roleClass(m.role)}">${m.role}</span><br><span class="mono" title="${m.actor}">${shortHex(m.actor)}</span></td><td>${m.block}<br><span class="muted" title="${when(m.timestamp)}">${time(m.timestamp)}</span></td><td class="num">${Number(m.gasUsed).toLocaleString('en-US')}</td><td class="num"><span class="role-submitter">S</span> ${m.clocks.submitter} s<br><span class="role-challenger">C</span> ${m.clocks.challenger} s</td><td class="what">${m.detail}<br><span class="mono muted" title="${m.tx}">tx ${m.tx}</span></td></tr>`,
  )}</tbody>
<tfoot><tr><td></td><td>${d.moves.length} moves</td><td></td><td></td><td class="num">${d.moves.reduce((a, m) => a + Number(m.gasUsed), 0).toLocaleString('en-US')}</td><td class="num">${d.clocks.submitter} s<br>${d.clocks.challenger} s</td><td class="muted">total gas; clocks as the contract reports them now</td></tr></tfoot></table>`;
}

const by = (who: string, d: DisputeData) => {
  const role = who.toLowerCase() === d.challenger.toLowerCase() ? 'challenger' : d.moves.find((m) => m.actor.toLowerCase() === who.toLowerCase())?.role ?? 'third party';
  return html`<span class="${roleClass(role)}">${role}</span> <span class="mono" title="${who}">${shortHex(who)}</span>`;
};

/**
 * The tile phase of a dispute on a tiled node: the node and its m tiles, σ_0 and the submitter's σ_m, every round
 * of the bisection over the tile states (a picture and a table), the tile it converged on and that tile's VM run.
 */
function tilePhase(d: DisputeData, t: TilePhaseData): SafeHtml {
  const n = t.rounds.length;
  const at = (x: { block: string; timestamp: string; tx: string }) => html`block ${x.block}, <span title="${when(x.timestamp)}">${time(x.timestamp)}</span><br><span class="mono muted" title="${x.tx}">tx ${x.tx}</span>`;
  const state = t.converged !== undefined ? html`converged on <b>tile ${t.converged}</b>: σ_${t.converged} agreed, the submitter's σ_${t.converged + 1} disputed` : html`<span class="badge pending">open</span> tile states ${t.lo}..${t.hi} in dispute`;
  return html`<h3>Tile phase of dispute ${d.d}</h3><section class="tiles" id="tiles-${d.d}" data-node="${t.node}" data-num-tiles="${t.numTiles}"${t.converged !== undefined ? html` data-converged="${t.converged}"` : ''}${t.vm ? html` data-tile="${t.vm.tile}"` : ''}>
<p>Node <b>${t.node}</b>${t.nodeName ? html` (<code>${t.nodeName}</code>)` : ''} is <b>tiled</b>: its VM run is committed as <b>${t.numTiles}</b> tile(s), small VM programs run one after another over one memory, so the game dissects its tile states σ_0..σ_${t.numTiles} (VM memory roots) before any VM step. The submitter opened the phase (start tiles) with σ_0, the node's initial memory composed on-chain from the agreed roots, and its claim σ_${t.numTiles}; ${n} round(s) of the dissection ${t.converged !== undefined ? 'converged on' : 'have not yet converged'}${t.converged !== undefined ? html` <b>tile ${t.converged}</b>` : ''}.${t.vm ? html` Start tile VM then opened the VM phase of tile ${t.vm.tile} alone: a run of ${t.vm.steps} steps.` : t.converged !== undefined ? ' The VM phase of that tile never opened.' : ''}</p>
<table class="kv" id="tile-summary-${d.d}">
<tr><th>tiled node</th><td>${t.node}${t.nodeName ? html` (<code>${t.nodeName}</code>)` : ''}</td></tr>
<tr><th>tiles</th><td>${t.numTiles}</td></tr>
<tr><th>σ_0 (agreed)</th><td class="hash">${t.initialMem}</td></tr>
<tr><th>σ_${t.numTiles} (submitter's claim)</th><td class="hash">${t.finalMem}</td></tr>
<tr><th>start tiles</th><td>${by(t.started.by, d)}, ${at(t.started)}</td></tr>
<tr><th>tile dissection</th><td>${n} round(s); ${state}</td></tr>
${t.vm ? html`<tr><th>tile VM run</th><td>tile <b>${t.vm.tile}</b>, ${t.vm.steps} steps; started by ${by(t.vm.by, d)}, ${at(t.vm)}</td></tr><tr><th>tile ${t.vm.tile}: initial / final VM state</th><td class="hash">${t.vm.initialState}<br>${t.vm.finalState}</td></tr>` : ''}
</table>
<div class="graph">${tileBisectionSvg(t, d.d)}</div>
<p class="legend muted"><span><i class="sw" style="background:#ecf7ee;border-color:#5aa469"></i>agreed by both</span><span><i class="sw" style="background:#fde8e7;border-color:#d93025"></i>in dispute</span><span><i class="sw" style="background:#eef2f6"></i>dropped (past the first state the challenger disputed)</span><span><i class="sw" style="background:#188038;border-radius:6px"></i>/<i class="sw" style="background:#d93025;border-radius:6px"></i>posted state agreed / disputed</span></p>
${n ? html`<table class="rounds" id="tile-rounds-${d.d}"><thead><tr><th>round</th><th>tile states in dispute</th><th>the submitter posted</th><th>the challenger</th><th>then in dispute</th></tr></thead><tbody>${t.rounds.map(
    (r, k) => html`<tr class="tile-round" data-round="${k + 1}"><td>${k + 1}</td><td>${r.lo}..${r.hi}</td><td class="what">${r.positions.map((p, i) => html`σ_${p} = <span class="mono">${r.states[i]}</span><br>`)}${by(r.post.by, d)}, block ${r.post.block}</td><td>${r.part === undefined ? html`<span class="muted">no answer yet</span>` : html`<b>names part ${r.part}</b>${r.part > 0 ? html` (agrees with σ_${r.newLo})` : ''}<br>${by(r.respond!.by, d)}, block ${r.respond!.block}`}</td><td>${r.newLo !== undefined ? html`${r.newLo}..${r.newHi}${BigInt(r.newHi!) - BigInt(r.newLo) === 1n ? html` <span class="bad">tile ${r.newLo}</span>` : ''}` : '—'}</td></tr>`,
  )}</tbody></table>` : html`<p class="muted">${t.numTiles === 1 ? 'One tile: the dissection was converged at once.' : 'No round yet.'}</p>`}
</section>`;
}

function stateRows(pre?: VMStateData, post?: VMStateData): SafeHtml {
  const rows: [string, string | number | undefined, string | number | undefined][] = [
    ['codeRoot', pre?.codeRoot, post?.codeRoot],
    ['memRoot', pre?.memRoot, post?.memRoot],
    ['pc', pre?.pc, post?.pc],
    ['step', pre?.step, post?.step],
    ['status', pre?.status, post?.status],
  ];
  const regs = pre?.regs ?? post?.regs ?? [];
  const regRow = (label: string, s: VMStateData | undefined) =>
    html`<tr><th>${label}</th>${regs.map((_, i) => html`<td class="mono${pre && post && pre.regs[i] !== post.regs[i] ? ' changed' : ''}">${s?.regs[i] ?? '—'}</td>`)}</tr>`;
  return html`<table class="state" id="vm-state"><thead><tr><th>field</th><th>pre-state (step k)</th><th>post-state (step k + 1)</th></tr></thead><tbody>${rows.map(
    ([f, a, b]) => html`<tr class="${post && pre && a !== b ? 'changed' : ''}"><td>${f}</td><td class="mono">${a ?? '—'}</td><td class="mono">${b ?? '—'}</td></tr>`,
  )}</tbody></table>
<table class="regs" id="vm-regs"><thead><tr><th></th>${regs.map((_, i) => html`<th>r${i}</th>`)}</tr></thead><tbody>${regRow('pre', pre)}${post ? regRow('post', post) : ''}</tbody></table>`;
}

function step(d: DisputeData): SafeHtml {
  const s: StepData | undefined = d.step;
  if (!s) return html`<h3>VM step of dispute ${d.d}</h3><p class="muted">${d.tiles ? `The graph dissection agreed on node ${d.tiles.node} (tiled, ${d.tiles.numTiles} tiles)${d.tiles.converged !== undefined ? ` and the tile dissection on tile ${d.tiles.converged}` : ''}, but the VM phase of ${d.tiles.converged !== undefined ? 'that tile' : 'a tile'} never opened.` : d.node !== undefined ? `The graph dissection agreed on node ${d.node}, but its VM phase never opened.` : 'The dispute never reached the VM phase.'}</p>`;
  const match = (a?: string, b?: string) => (a && b ? (a === b ? html`<span class="ok">= matches</span>` : html`<span class="bad">≠ differs</span>`) : '');
  return html`<h3>VM step of dispute ${d.d}</h3><section class="step" id="step-${d.d}" data-decoded-by="${s.decodedBy}">
<p>Node <b>${s.node}</b>${s.nodeName ? html` (<code>${s.nodeName}</code>)` : ''}, ${s.tile !== undefined ? html`tile <b>${s.tile}</b>${d.tiles ? html` of ${d.tiles.numTiles}` : ''} (the VM run of that tile alone), ` : ''}step <b>${s.step}</b> of ${s.steps}: from state ${s.step} to state ${BigInt(s.step) + 1n}. Decoded by: <b>${s.decodedBy === 'model' ? 're-running the model on the submission\'s inputs' : s.decodedBy === 'calldata' ? 'the judge\'s calldata only' : 'nothing (no step data)'}</b>.</p>
${s.note ? html`<p class="note">${s.note}</p>` : ''}
${s.instruction ? html`<p>Instruction at pc ${s.instruction.pc}: <span class="instruction" id="instruction-${d.d}">${s.instruction.text}</span></p>
<table class="kv"><tr><th>opcode</th><td>${s.instruction.opcode} (${s.instruction.op})</td></tr><tr><th>operands</th><td>rd ${s.instruction.rd}, rs1 ${s.instruction.rs1}, rs2 ${s.instruction.rs2}, imm ${s.instruction.imm}</td></tr><tr><th>code leaf</th><td class="hash">${s.instruction.leaf}</td></tr></table>` : ''}
${s.memory.length ? html`<h3>Memory</h3><table class="memory"><thead><tr><th>access</th><th class="num">address</th><th class="num">leaf</th><th>region</th><th class="num">before</th><th class="num">after</th><th>leaf words before</th></tr></thead><tbody>${s.memory.map((m) => html`<tr><td>${m.kind}</td><td class="num">${m.address}</td><td class="num">${m.leafIndex}</td><td>${m.region ?? '—'}</td><td class="num">${m.before}</td><td class="num">${m.after ?? '—'}</td><td class="mono">${m.leafWords?.join(', ') ?? ''}</td></tr>`)}</tbody></table>` : s.instruction ? html`<p class="muted">This instruction touches no memory.</p>` : ''}
${s.regChanges.length ? html`<p>Registers changed: ${s.regChanges.map((c, i) => html`${i ? ', ' : ''}<code>r${c.reg}: ${c.before} → ${c.after}</code>`)}</p>` : ''}
${s.pre || s.post ? stateRows(s.pre, s.post) : ''}
<h3>Hashes</h3><table class="kv hashes">
<tr><th>agreed state at step ${s.step} (contract)</th><td class="hash">${s.agreedPreHash}</td></tr>
${s.preHash ? html`<tr><th>pre-state shown, hashed</th><td class="hash">${s.preHash} ${match(s.preHash, s.agreedPreHash)}</td></tr>` : ''}
<tr><th>submitter's state at step ${BigInt(s.step) + 1n} (contract)</th><td class="hash">${s.submitterPostHash}</td></tr>
${s.postHash ? html`<tr><th>re-executed post-state</th><td class="hash">${s.postHash} ${match(s.postHash, s.submitterPostHash)}</td></tr>` : ''}
</table>
${s.raw ? html`<h3>Raw step data (resolveStep, sent by <span class="mono">${s.raw.caller}</span>)</h3><table class="kv raw"><tr><th>tx</th><td class="hash">${s.raw.tx}</td></tr><tr><th>instruction leaf</th><td class="hash">${s.raw.instruction}</td></tr><tr><th>memory leaf</th><td class="hash">${s.raw.memLeaf}</td></tr><tr><th>siblings</th><td>${s.raw.codeSiblings} code, ${s.raw.memSiblings} memory</td></tr><tr><th>pre-state pc / step / status</th><td>${s.raw.pre.pc} / ${s.raw.pre.step} / ${s.raw.pre.status}</td></tr><tr><th>pre-state registers</th><td class="mono">${s.raw.pre.regs.join(', ')}</td></tr><tr><th>pre-state roots</th><td class="hash">${s.raw.pre.codeRoot}<br>${s.raw.pre.memRoot}</td></tr></table>` : ''}
</section>`;
}

function bonds(r: ReportData): SafeHtml {
  const b = r.bonds;
  const sums = b.sources.map((src) => ({ ...src, rows: b.rows.filter((x) => x.bond === src.bond) }));
  return html`<h2>Bonds: where every wei went</h2><section>
<p class="muted">Computed from the rulings by the rules of docs/GAME.md${b.settled ? '' : ' (partial: something is still open)'}; gas fees excluded.</p>
<table id="bonds"><thead><tr><th>bond</th><th>to</th><th>account</th><th class="num">amount</th><th>why</th></tr></thead>
<tbody>${b.rows.map((x) => html`<tr class="bond-row" data-bond="${x.bond}" data-to="${x.to}" data-amount="${x.amount}"><td>${x.bond}</td><td><b>${x.to}</b></td><td class="mono">${x.account ?? '—'}</td><td class="num">${eth(x.amount)}<br><span class="muted mono">${x.amount} wei</span></td><td>${x.why}</td></tr>`)}</tbody>
<tfoot>${sums.map((s) => {
    const total = s.rows.reduce((a, x) => a + BigInt(x.amount), 0n);
    return html`<tr class="bond-source" data-bond="${s.bond}" data-amount="${s.amount}" data-sum="${total.toString()}"><td>${s.bond}</td><td colspan="2">${total === BigInt(s.amount) ? html`<span class="ok">parts sum to the bond</span>` : html`<span class="bad">parts sum to ${total.toString()}</span>`}</td><td class="num">${eth(s.amount)}<br><span class="muted mono">${s.amount} wei</span></td><td></td></tr>`;
  })}</tfoot></table>
${b.forfeited ? html`<p>The contract's BondForfeited event: ${b.forfeited.winners} winner(s), share ${amount(b.forfeited.share)} each, burned ${amount(b.forfeited.burned)}.</p>` : ''}
<h3>Accounts (read from the contract)</h3><table id="accounts"><thead><tr><th>account</th><th>role</th><th class="num">credit now</th><th class="num">withdrawn</th></tr></thead>
<tbody>${b.accounts.map((a) => html`<tr><td class="mono">${a.account}</td><td>${a.role}</td><td class="num">${amount(a.credit)}</td><td class="num">${amount(a.withdrawn)}</td></tr>`)}</tbody></table>
<p class="muted">The game's burned counter (every submission of this game): ${amount(b.burnedTotal)}.</p></section>`;
}

function submissionEvents(r: ReportData): SafeHtml {
  const ev = r.submission.events;
  if (ev.length === 0) return html``;
  return html`<h2>Submission events</h2><section><table id="submission-events"><thead><tr><th>event</th><th>block</th><th>time</th><th>what</th></tr></thead><tbody>${ev.map((e) => html`<tr><td>${e.name}</td><td>${e.block}</td><td>${when(e.timestamp)}</td><td>${e.detail}<br><span class="mono muted">tx ${e.tx}</span></td></tr>`)}</tbody></table></section>`;
}

export function renderReport(r: ReportData): string {
  const page = html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>opml dispute report: submission ${r.submission.id}</title>
<style>${trusted(CSS)}${r.disputes.some((d) => d.tiles) ? trusted(TILE_CSS) : ''}</style></head>
<body><main>
${header(r)}
<h2>Ruling</h2>${rulings(r)}
${graph(r)}
<h2>Disputes</h2>
${r.disputes.length === 0 ? html`<p class="muted">No disputes.</p>` : r.disputes.map((d) => html`<section class="dispute" id="dispute-${d.d}" data-dispute="${d.d}"><p>Dispute <b>${d.d}</b>: ${d.phase} phase; graph range nodes ${d.graph.lo}..${d.graph.hi}${d.tiles ? html`; tile range tile states ${d.tiles.lo}..${d.tiles.hi} of ${d.tiles.numTiles}` : ''}${d.vm ? html`; VM range steps ${d.vm.lo}..${d.vm.hi} of ${d.vm.steps}${d.tiles?.vm ? html` (tile ${d.tiles.vm.tile})` : ''}` : ''}; challenged at ${when(d.createdAt)}.</p>${timeline(d)}${d.tiles ? tilePhase(d, d.tiles) : ''}${step(d)}</section>`)}
${bonds(r)}
${submissionEvents(r)}
<p class="muted">Generated by <code>opml report</code>. The data of this page: <code>#report-data</code> below (also <code>opml report --json</code>).</p>
<script type="application/json" id="report-data">${jsonForScript(r)}</script>
</main></body></html>
`;
  return page.value;
}
