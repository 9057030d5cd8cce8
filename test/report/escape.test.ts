/**
 * The report renderer escapes every string that comes from the chain or a file: a node name, a model path, a
 * move's detail or an address holding markup comes out as text, and the embedded JSON cannot close its element.
 */
import { describe, expect, it } from 'vitest';
import { escapeHtml, html, trusted } from '../../cli/report/escape.ts';
import { renderReport } from '../../cli/report/html.ts';
import { layoutGraph } from '../../cli/report/layout.ts';
import type { ReportData } from '../../cli/report/types.ts';

const EVIL = '<script>alert(1)</script>';
const ATTR = '"><img src=x onerror=alert(2)>';

function fixture(): ReportData {
  const zero = `0x${'00'.repeat(32)}`;
  const state = { codeRoot: zero, memRoot: zero, pc: 3, step: '7', status: 'RUNNING', regs: Array(16).fill(0) };
  return {
    version: 1,
    chain: { chainId: 31337, game: ATTR, judge: EVIL, deployBlock: '0', asOfBlock: '9', asOfTimestamp: '1700000000' },
    params: { minBond: '1', challengeBond: '2', challengeWindow: 600, clockSeconds: 300, moveIncrement: 15 },
    submission: {
      id: '0',
      modelId: EVIL,
      submitter: ATTR,
      bond: '5',
      status: 'rejected',
      submittedAt: '1700000000',
      initialState: zero,
      finalState: zero,
      outputRoot: zero,
      uploads: ['0'],
      inputRoots: [EVIL],
      openDisputes: 0,
      winners: 1,
      rewardShare: '2',
      otherDisputes: [],
      events: [{ name: EVIL, detail: EVIL, block: '3', timestamp: '1700000000', tx: ATTR }],
    },
    model: { source: 'model file', ref: `models/${EVIL}.onnx`, numNodes: 2, numInputs: 1, inputWords: [4], outputSlot: 2, outputWords: 4, inputNames: [EVIL], nodes: [
      { index: 0, name: EVIL, op: ATTR, steps: 10, fromInputs: [0], fromNodes: [], constants: 1 },
      { index: 1, name: 'fc2', op: 'matmul', steps: 10, fromInputs: [], fromNodes: [0], constants: 1 },
    ] },
    disputes: [
      {
        d: '0',
        challenger: ATTR,
        phase: 'resolved',
        winner: 'challenger',
        reason: 'step',
        node: 0,
        createdAt: '1700000000',
        graph: { lo: '0', hi: '1' },
        vm: { lo: '7', hi: '8', steps: '10' },
        clocks: { submitter: '300', challenger: '300' },
        moves: [{ name: EVIL, actor: ATTR, role: 'challenger', block: '4', timestamp: '1700000001', tx: EVIL, gasUsed: '50000', detail: EVIL, clocks: { submitter: 300, challenger: 300 } }],
        step: { node: 0, nodeName: EVIL, step: '7', steps: '10', agreedPreHash: EVIL, submitterPostHash: zero, decodedBy: 'model', note: EVIL, memory: [{ kind: 'read', address: 1, leafIndex: 0, region: EVIL, before: 1, after: 1 }], regChanges: [], pre: state, post: state, instruction: { pc: 3, opcode: 1, op: 'ADD', rd: 1, rs1: 1, rs2: 0, imm: 1, valid: true, text: EVIL, leaf: zero } },
      },
    ],
    bonds: { rows: [{ bond: EVIL, amount: '5', to: 'burned', why: EVIL, account: ATTR }], sources: [{ bond: EVIL, amount: '5' }], accounts: [{ account: ATTR, role: EVIL, credit: '0', withdrawn: '0' }], burnedTotal: '5', settled: true },
  };
}

describe('report HTML escaping', () => {
  it('escapeHtml and the html tag escape data, and only trusted markup passes', () => {
    expect(escapeHtml(`${EVIL}&'`)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;&amp;&#39;');
    expect(html`<p title="${ATTR}">${EVIL}</p>`.value).toBe('<p title="&quot;&gt;&lt;img src=x onerror=alert(2)&gt;">&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html`<p>${[EVIL, html`<b>${EVIL}</b>`, trusted('<i>ok</i>')]}</p>`.value).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;<b>&lt;script&gt;alert(1)&lt;/script&gt;</b><i>ok</i></p>');
  });

  it('a page built from hostile strings holds them only as text', () => {
    const page = renderReport(fixture());
    expect(page).not.toContain(EVIL);
    expect(page).not.toContain('<img');
    expect(page).not.toMatch(/<script(?! type="application\/json" id="report-data">)/);
    expect(page.match(/<script/g)).toHaveLength(1); // the JSON data block alone
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    // The embedded data: no `<` at all, so nothing in it can close the element; it parses back to the data.
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page)![1];
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(fixture());
    // No fetch of any kind is allowed by the page itself.
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(page).not.toMatch(/\b(src|href)="(?!#|data:)/);
  });

  it('a tile phase built from hostile strings holds them only as text; an untiled page has no tile phase', () => {
    expect(renderReport(fixture())).not.toMatch(/svg\.bisection|id="tiles-|Tile phase/);
    const data = fixture();
    const by = { block: '5', timestamp: '1700000002', tx: EVIL, by: ATTR };
    data.model.nodes[0].numTiles = 4;
    data.disputes[0].tiles = {
      node: 0,
      nodeName: EVIL,
      numTiles: 4,
      initialMem: EVIL,
      finalMem: ATTR,
      started: by,
      rounds: [
        { lo: '0', hi: '4', positions: ['2'], states: [EVIL], post: by, part: 1, respond: by, newLo: '2', newHi: '4' },
        { lo: '2', hi: '4', positions: ['3'], states: [ATTR], post: by, part: 0, respond: by, newLo: '2', newHi: '3' },
      ],
      lo: '2',
      hi: '3',
      converged: 2,
      vm: { ...by, tile: 2, steps: '10', initialState: EVIL, finalState: ATTR },
    };
    data.disputes[0].step!.tile = 2;
    const page = renderReport(data);
    expect(page).not.toContain(EVIL);
    expect(page).not.toContain('<img');
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).toContain('id="tile-bisection-0"');
    expect(page.match(/<g class="round" /g)).toHaveLength(2);
    expect(page).toContain('<g class="converged" data-tile="2" data-disputed="true">');
    expect(page).toContain('tiled: 4 tiles'); // the graph's tiled node
    expect(page).toContain('tile <b>2</b> of 4 (the VM run of that tile alone)');
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page)![1];
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(data);
    // A tile phase still open: the last round unanswered, nothing converged, no tile VM run, no step.
    const t = data.disputes[0].tiles;
    const { part: _a, respond: _r, newLo: _l, newHi: _h, ...posted } = t.rounds[1];
    data.disputes[0] = { ...data.disputes[0], phase: 'tile', winner: 'none', reason: 'none', vm: undefined, step: undefined, tiles: { ...t, rounds: [t.rounds[0], posted], converged: undefined, vm: undefined, lo: '2', hi: '4' } };
    const open = renderReport(data);
    expect(open).not.toContain(EVIL);
    expect(open).toContain('no answer yet');
    expect(open).not.toContain('class="converged"');
    expect(open).toContain('The graph dissection agreed on node 0 (tiled, 4 tiles), but the VM phase of a tile never opened.');
  });

  it('lays out a wide model in rows of at most five boxes', () => {
    const nodes = Array.from({ length: 23 }, (_, i) => ({ index: i, steps: 1, fromInputs: [0], fromNodes: [], constants: 0 }));
    const L = layoutGraph({ source: 'none', numNodes: 23, numInputs: 1, inputWords: [1], outputSlot: 23, outputWords: 1, inputNames: ['x'], nodes });
    const rows = new Set(L.boxes.map((b) => b.y));
    expect(rows.size).toBe(1 + Math.ceil(23 / 5));
    expect(L.width).toBeLessThan(1100);
    expect(L.edges).toHaveLength(23);
  });
});
