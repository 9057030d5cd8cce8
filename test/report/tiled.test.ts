/**
 * `opml report` on a dispute over a tiled node (three game levels: graph → tiles → VM steps), on a real anvil: the
 * `tiled-node` replay on mnist-mlp committed with a 4096-step tile bound (fc1 cut into tiles; the submitter lies
 * from the middle tile on). The report must show the tile phase: the tiled node, its tile count, every round of
 * the bisection over the tile states, the tile it converged on and the VM phase of that tile, with the disputed
 * step decoded inside that tile's run; the page stays self-contained and escaped, and renders in Chromium.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { movesByRules } from '../support/moves.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { report } from '../../cli/commands/report.ts';
import { innerPositions } from '../../cli/game/dissection.ts';
import { replay, type ReplayResult } from '../../cli/game/replay.ts';
import { pickNode, scenario } from '../../cli/game/scenarios.ts';
import type { Deployment } from '../../cli/game/types.ts';

/** k of the replay's game: a 4-ary dissection, so the report draws rounds of several posted states. */
const ARITY = 4;
import { parseInput } from '../../cli/inputs.ts';
import { Output } from '../../cli/output.ts';
import type { ReportData } from '../../cli/report/types.ts';
import { modelCommitment, type ModelCommitment } from '../../models/int/commitment.ts';
import { prepareModel, type PreparedModel } from '../../models/prepare.ts';
import { launchChromium, NO_CHROMIUM, SKIP_REASON } from './browser.ts';

const quiet = () => new Output({ quiet: true, json: false });
const TILE_STEPS = 4096;

describe('opml report on a dispute over a tiled node', () => {
  let anvil: Anvil;
  let dir: string;
  let deploymentFile: string;
  let prepared: PreparedModel;
  let commitment: ModelCommitment;
  let result: ReplayResult;
  let withModel: { data: ReportData; file?: string };
  /** The node the lie is in, its tile count, and the first wrong tile (the scenario's 'middle'). */
  let node: number;
  let m: number;
  let wrongTile: number;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'opml-report-tiled-'));
    anvil = await startAnvil();
    prepared = prepareModel('mnist-mlp', undefined, { lowering: { tileSteps: TILE_STEPS } });
    commitment = modelCommitment(prepared.int, prepared.lowering);
    node = pickNode('tiled', commitment.numNodes, commitment.nodes.map((n) => n.inputs.length), commitment.nodes.map((n) => n.numTiles));
    m = commitment.nodes[node].numTiles;
    wrongTile = Math.floor((m - 1) / 2);
    const input = parseInput('mnist:0', prepared.int).words;
    let deployment: Deployment | undefined;
    result = await replay(scenario('tiled-node')!, { model: prepared, input, inputLabel: 'mnist:0', commitment, rpcUrl: anvil.rpcUrl, arity: ARITY, onDeployed: (d) => (deployment = d) });
    expect(result.problems).toEqual([]);
    deploymentFile = path.join(dir, 'deployment.json');
    writeFileSync(deploymentFile, JSON.stringify(deployment));
    withModel = await report('0', { deployment: deploymentFile, model: 'mnist-mlp', tileSteps: TILE_STEPS, output: path.join(dir, 'report.html') }, quiet());
  }, 300_000);

  afterAll(async () => {
    await anvil?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The moves the replay made, by the game's rules. */
  const expectedMoves = () => movesByRules(result.rounds, true);

  it('the scenario is a three-level dispute', () => {
    expect(m).toBeGreaterThan(2);
    expect(result.disputes[0].node).toBe(node);
    expect(result.disputes[0].winner).toBe('challenger');
    expect(result.rounds.tile).toBeGreaterThan(0);
  });

  it('collects the tile phase: the node, its tiles, every round, the converged tile and its VM phase', () => {
    const { data } = withModel;
    const d = data.disputes[0];
    expect(d.winner).toBe('challenger');
    expect(d.reason).toBe('step');
    expect(d.node).toBe(node);
    expect(d.moves.map((x) => x.name)).toEqual(expectedMoves());
    expect(d.moves.filter((x) => x.name.startsWith('post') || x.name.startsWith('start')).every((x) => x.role === 'submitter')).toBe(true);
    expect(d.moves.filter((x) => x.name.startsWith('respond')).every((x) => x.role === 'challenger')).toBe(true);
    // Clocks replayed through the tile moves still end where the contract's stopped clocks are.
    const lastHand = d.moves.filter((x) => x.name !== 'resolve step' && x.name !== 'settle').at(-1)!;
    expect(String(lastHand.clocks.submitter)).toBe(d.clocks.submitter);
    expect(String(lastHand.clocks.challenger)).toBe(d.clocks.challenger);

    const t = d.tiles!;
    expect(t.node).toBe(node);
    expect(t.nodeName).toBe(prepared.int.nodes[node].name);
    expect(t.numTiles).toBe(m);
    expect(t.started.by).toBe(d.moves.find((x) => x.name === 'start tiles')!.actor);
    // The rounds: from 0..m, each posting the cut's inner positions and keeping the part the answer names, down to
    // one tile (the replay's game cuts into ARITY parts: several posted states per round).
    expect(t.rounds).toHaveLength(result.rounds.tile);
    let [lo, hi] = [0n, BigInt(m)];
    for (const r of t.rounds) {
      expect([r.lo, r.hi]).toEqual([String(lo), String(hi)]);
      const cut = innerPositions(lo, hi, Number(hi - lo < BigInt(ARITY) ? hi - lo : BigInt(ARITY)));
      expect(r.positions).toEqual(cut.map(String));
      for (const state of r.states) expect(state).toMatch(/^0x[0-9a-f]{64}$/);
      // The liar's tile states are honest up to σ_f and wrong from σ_{f+1} on: the challenger agrees exactly with
      // the posted states up to f, and names the part after the last of them.
      expect(r.part).toBe(cut.filter((p) => p <= BigInt(wrongTile)).length);
      [lo, hi] = [[lo, ...cut][r.part!], [...cut, hi][r.part!]];
      expect([r.newLo, r.newHi]).toEqual([String(lo), String(hi)]);
    }
    expect([t.lo, t.hi]).toEqual([String(wrongTile), String(wrongTile + 1)]);
    expect(t.converged).toBe(wrongTile);
    // The VM phase of that tile: startTileVM's tile, its steps, and the judge's step inside that tile's run.
    expect(t.vm?.tile).toBe(wrongTile);
    expect(d.vm?.steps).toBe(t.vm?.steps);
    expect(BigInt(d.vm!.hi) - BigInt(d.vm!.lo)).toBe(1n);
    const s = d.step!;
    expect(s.node).toBe(node);
    expect(s.tile).toBe(wrongTile);
    expect(s.steps).toBe(t.vm!.steps);
    expect(s.decodedBy).toBe('model');
    expect(s.preHash).toBe(s.agreedPreHash);
    expect(s.postHash).not.toBe(s.submitterPostHash);
    expect(s.instruction?.valid).toBe(true);
    expect(d.moves.find((x) => x.name === 'resolve step')!.detail).toContain(`of tile ${wrongTile}`);
    // The graph: the tiled node is drawn with its tile count; the others have none.
    expect(data.model.nodes.map((n) => n.numTiles)).toEqual(commitment.nodes.map((n) => (n.numTiles > 0 ? n.numTiles : undefined)));
  });

  it('without the model: the same tile phase from the chain alone, and --json prints it', async () => {
    let printed = '';
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => ((printed += chunk), true)) as typeof process.stdout.write;
    let data: ReportData;
    try {
      ({ data } = await report('0', { deployment: deploymentFile, json: true }));
    } finally {
      process.stdout.write = write;
    }
    expect(JSON.parse(printed)).toEqual(JSON.parse(JSON.stringify(data)));
    const { nodeName, ...fromChain } = data.disputes[0].tiles!;
    expect(nodeName).toBeUndefined();
    const { nodeName: _, ...fromModel } = withModel.data.disputes[0].tiles!;
    expect(fromChain).toEqual(fromModel);
    expect(data.model.nodes[node].numTiles).toBe(m);
    const s = data.disputes[0].step!;
    expect(s.decodedBy).toBe('calldata');
    expect(s.tile).toBe(wrongTile);
    expect(s.instruction?.text).toBe(withModel.data.disputes[0].step!.instruction!.text);
  });

  it('the page shows the tile phase, stays escaped and self-contained, and embeds the data', () => {
    const page = readFileSync(withModel.file!, 'utf8');
    const t = withModel.data.disputes[0].tiles!;
    const section = /<section class="tiles" id="tiles-0"([^>]*)>/.exec(page);
    expect(section).not.toBeNull();
    expect(section![1]).toContain(`data-node="${node}"`);
    expect(section![1]).toContain(`data-num-tiles="${m}"`);
    expect(section![1]).toContain(`data-converged="${wrongTile}"`);
    expect(section![1]).toContain(`data-tile="${wrongTile}"`);
    // In the dispute's section, after its timeline and before its VM step.
    const [at, timeline, step] = ['id="tiles-0"', 'id="timeline-0"', 'id="step-0"'].map((x) => page.indexOf(x));
    expect(timeline).toBeLessThan(at);
    expect(at).toBeLessThan(step);
    expect(page).toContain('<svg class="bisection" id="tile-bisection-0"');
    expect(page.match(/<g class="round" /g)).toHaveLength(t.rounds.length);
    expect(page).toContain(`<g class="converged" data-tile="${wrongTile}" data-disputed="true">`);
    expect(page.match(/<tr class="tile-round" /g)).toHaveLength(t.rounds.length);
    expect(page).toContain(`◀ tile ${wrongTile} disputed`);
    expect(page).toContain(`tile <b>${wrongTile}</b> of ${m} (the VM run of that tile alone)`);
    expect(page).toContain('svg.bisection'); // its CSS, present only on a page with a tile phase
    // The graph draws the tiled node with its tiles.
    expect(page).toMatch(new RegExp(`data-node="${node}" data-disputed="true"><title>[^<]*tiled: ${m} tiles`));
    // Well-formed where we write markup: every element we open is closed.
    for (const tag of ['section', 'table', 'tr', 'svg', 'g', 'title', 'text', 'p', 'div']) {
      expect(page.match(new RegExp(`<${tag}[ >]`, 'g'))?.length ?? 0, tag).toBe(page.match(new RegExp(`</${tag}>`, 'g'))?.length ?? 0);
    }
    // Escaped and self-contained, as every report page: one script (the data), no fetch, the data embedded intact.
    expect(page.match(/<script/g)).toHaveLength(1);
    expect(page).not.toMatch(/\b(src|href)="(?!#|data:)/);
    expect(page).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(page)![1];
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(withModel.data)));
  });

  describe.skipIf(NO_CHROMIUM)(`in headless Chromium${NO_CHROMIUM ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
    it('renders the tile phase with no error and no fetch', async () => {
      const url = pathToFileURL(path.resolve(withModel.file!)).href;
      const { context, profile } = await launchChromium();
      try {
        const problems: string[] = [];
        const requests: string[] = [];
        context.on('request', (r) => requests.push(r.url()));
        const page = await context.newPage();
        page.on('console', (msg) => {
          if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`console ${msg.type()}: ${msg.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        await page.goto(url, { waitUntil: 'load' });
        const names = await page.locator('#timeline-0 tbody tr.move').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-move')));
        expect(names).toEqual(expectedMoves());
        // The tile section sits in the dispute's section; its picture has one row per round and the converged tile in red.
        expect(await page.locator('#dispute-0 #tiles-0').count()).toBe(1);
        const svg = page.locator('#tiles-0 svg#tile-bisection-0');
        expect(await svg.locator('g.round').count()).toBe(withModel.data.disputes[0].tiles!.rounds.length);
        const conv = svg.locator('g.converged');
        expect(await conv.getAttribute('data-tile')).toBe(String(wrongTile));
        expect(await conv.locator('rect.tile').evaluate((r) => getComputedStyle(r).stroke)).toBe('rgb(217, 48, 37)');
        const box = await svg.boundingBox();
        expect(box!.width).toBeGreaterThan(600);
        expect(box!.height).toBeGreaterThan(60);
        expect(await page.locator('#tile-rounds-0 tbody tr').count()).toBe(result.rounds.tile);
        await page.locator('#tiles-0').screenshot({ path: '/tmp/opml-report-tiles.png' });
        expect(problems).toEqual([]);
        expect(requests).toEqual([url]);
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }, 120_000);
  });
});
