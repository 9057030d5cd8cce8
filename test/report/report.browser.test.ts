/**
 * `opml report` end to end: a real dispute on anvil (the one-vm-step replay on mnist-mlp: a lie at a single VM
 * step, caught by the judge), the report command writes its HTML, and real headless Chromium opens it: it
 * renders with no console or page error and no request but the file itself; the timeline has one row per move
 * with the expected names; the disputed node is marked in the SVG; the decoded instruction is there; the bond
 * table sums to the bonds and agrees with the replay's own funds check. A screenshot is taken and checked.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { movesByRules } from '../support/moves.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { report } from '../../cli/commands/report.ts';
import { replay, type ReplayResult } from '../../cli/game/replay.ts';
import { scenario } from '../../cli/game/scenarios.ts';
import type { Deployment } from '../../cli/game/types.ts';
import { parseInput } from '../../cli/inputs.ts';
import { Output } from '../../cli/output.ts';
import type { ReportData } from '../../cli/report/types.ts';
import { prepareModel } from '../../models/prepare.ts';
import { launchChromium, NO_CHROMIUM, SKIP_REASON } from './browser.ts';

const quiet = () => new Output({ quiet: true, json: false });

describe('opml report on a finished dispute', () => {
  let anvil: Anvil;
  let dir: string;
  let deploymentFile: string;
  let result: ReplayResult;
  let withModel: { data: ReportData; file?: string };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'opml-report-'));
    anvil = await startAnvil();
    const prepared = prepareModel('mnist-mlp');
    const input = parseInput('mnist:0', prepared.int).words;
    let deployment: Deployment | undefined;
    result = await replay(scenario('one-vm-step')!, { model: prepared, input, inputLabel: 'mnist:0', rpcUrl: anvil.rpcUrl, onDeployed: (d) => (deployment = d) });
    expect(result.problems).toEqual([]);
    deploymentFile = path.join(dir, 'deployment.json');
    writeFileSync(deploymentFile, JSON.stringify(deployment));
    withModel = await report('0', { deployment: deploymentFile, model: 'mnist-mlp', output: path.join(dir, 'report.html') }, quiet());
  }, 300_000);

  afterAll(async () => {
    await anvil?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** The moves the replay made, by the game's rules. */
  const expectedMoves = () => movesByRules(result.rounds, false);

  it('collects the dispute: moves, the disputed node and step, the ruling, the bonds', () => {
    const { data } = withModel;
    expect(data.submission.status).toBe('rejected');
    expect(data.disputes).toHaveLength(1);
    const d = data.disputes[0];
    expect(d.winner).toBe('challenger');
    expect(d.reason).toBe('step');
    expect(d.node).toBe(result.disputes[0].node);
    expect(d.moves.map((m) => m.name)).toEqual(expectedMoves());
    expect(d.moves.every((m) => BigInt(m.gasUsed) > 21_000n && /^0x[0-9a-f]{64}$/.test(m.tx))).toBe(true);
    expect(d.moves.filter((m) => m.name.startsWith('post') || m.name === 'start VM').every((m) => m.role === 'submitter')).toBe(true);
    // The clocks replayed from the moves end where the contract's stopped clocks are (the last move before the ruling).
    const lastHand = d.moves.filter((m) => m.name !== 'resolve step' && m.name !== 'settle').at(-1)!;
    expect(String(lastHand.clocks.submitter)).toBe(d.clocks.submitter);
    expect(String(lastHand.clocks.challenger)).toBe(d.clocks.challenger);
    // The step, re-executed: it starts from the agreed state, and its honest result is not what the submitter claimed.
    const s = d.step!;
    expect(s.decodedBy).toBe('model');
    expect(s.preHash).toBe(s.agreedPreHash);
    expect(s.postHash).not.toBe(s.submitterPostHash);
    expect(s.instruction?.valid).toBe(true);
    expect(s.raw?.pre.pc).toBe(s.pre?.pc);
    // Bonds: the submitter's is half burned, half to the winner; the burned part is what the replay burned.
    expect(data.bonds.rows.find((r) => r.to === 'burned')?.amount).toBe(result.burned);
    expect(data.bonds.forfeited?.burned).toBe(result.burned);
  });

  it('without the model: the raw step from the judge\'s calldata, and --json prints the same data', async () => {
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
    const s = data.disputes[0].step!;
    expect(s.decodedBy).toBe('calldata');
    expect(s.note).toMatch(/cannot be decoded without the model/);
    expect(s.instruction?.text).toBe(withModel.data.disputes[0].step!.instruction!.text);
    expect(data.model.source).toBe('registration calldata');
    expect(data.model.nodes.map((n) => n.steps)).toEqual(withModel.data.model.nodes.map((n) => n.steps));
    await expect(report('0', { deployment: deploymentFile, dispute: '7', json: true }, quiet())).rejects.toThrow(/dispute 7 is not on submission 0/);
    await expect(report('5', { deployment: deploymentFile, json: true }, quiet())).rejects.toThrow(/no submission 5/);
  });

  describe.skipIf(NO_CHROMIUM)(`in headless Chromium${NO_CHROMIUM ? ` (skipped: ${SKIP_REASON})` : ''}`, () => {
    it('renders with no error and no fetch; timeline, disputed node, instruction and bond sums are on the page; screenshot', async () => {
      const file = withModel.file!;
      const url = pathToFileURL(path.resolve(file)).href;
      const { context, profile } = await launchChromium();
      try {
        const problems: string[] = [];
        const requests: string[] = [];
        context.on('request', (r) => requests.push(r.url()));
        const page = await context.newPage();
        page.on('console', (m) => {
          if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
        await page.goto(url, { waitUntil: 'load' });
        expect(await page.title()).toContain('submission 0');
        const d = withModel.data.disputes[0];

        // One timeline row per move, in order, with the expected names.
        const names = await page.locator('#timeline-0 tbody tr.move').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-move')));
        expect(names).toEqual(expectedMoves());
        expect(await page.locator('#timeline-0 tbody tr.move td:nth-child(2)').allTextContents()).toEqual(expectedMoves());

        // The disputed node is marked in the SVG, and it is the one the bisection agreed on.
        const marked = page.locator('svg#graph g[data-disputed="true"]');
        expect(await marked.count()).toBe(1);
        expect(await marked.getAttribute('data-node')).toBe(String(result.disputes[0].node));
        expect(await marked.getAttribute('class')).toContain('disputed');
        expect(await marked.locator('rect').evaluate((r) => getComputedStyle(r).stroke)).toBe('rgb(217, 48, 37)');
        expect(await page.locator('svg#graph g.node').count()).toBe(withModel.data.model.numNodes);

        // The decoded instruction.
        const ins = (await page.locator('#instruction-0').textContent())!.trim();
        expect(ins).toBe(d.step!.instruction!.text);
        expect(ins).toMatch(/^[A-Z]+/);
        expect(await page.locator('#step-0').getAttribute('data-decoded-by')).toBe('model');

        // The bond table: each bond's parts sum to it, and each party's share agrees with the replay's funds check.
        const rows = await page.locator('#bonds tr.bond-row').evaluateAll((trs) => trs.map((t) => ({ bond: t.getAttribute('data-bond')!, to: t.getAttribute('data-to')!, amount: BigInt(t.getAttribute('data-amount')!), account: t.children[2].textContent!.trim() })));
        const sources = await page.locator('#bonds tr.bond-source').evaluateAll((trs) => trs.map((t) => ({ bond: t.getAttribute('data-bond')!, amount: BigInt(t.getAttribute('data-amount')!) })));
        expect(sources.map((x) => x.bond)).toEqual(['submitter bond', 'challenge bond, dispute 0']);
        for (const src of sources) expect(rows.filter((r) => r.bond === src.bond).reduce((a, r) => a + r.amount, 0n)).toBe(src.amount);
        expect(await page.locator('#bonds tfoot .bad').count()).toBe(0);
        const challenger = d.challenger;
        const toChallenger = rows.filter((r) => r.to === 'challenger' && r.account === challenger).reduce((a, r) => a + r.amount, 0n);
        expect(toChallenger - BigInt(withModel.data.params.challengeBond)).toBe(BigInt(result.net.challengers[0]));
        const toSubmitter = rows.filter((r) => r.to === 'submitter').reduce((a, r) => a + r.amount, 0n);
        expect(toSubmitter - BigInt(withModel.data.submission.bond)).toBe(BigInt(result.net.submitter));

        // The header.
        const summary = await page.locator('#summary').textContent();
        for (const s of [withModel.data.submission.modelId, withModel.data.chain.game, String(withModel.data.chain.chainId), 'rejected']) expect(summary).toContain(s);

        // Screenshot: a real, non-trivial picture of the page.
        const shot = path.join(path.dirname(file), 'report.png');
        await page.screenshot({ path: shot, fullPage: true });
        const png = readFileSync(shot);
        expect(png.subarray(1, 4).toString()).toBe('PNG');
        const width = png.readUInt32BE(16);
        const height = png.readUInt32BE(20);
        expect(width).toBeGreaterThanOrEqual(1000);
        expect(height).toBeGreaterThan(1500);
        expect(statSync(shot).size).toBeGreaterThan(50_000);
        copyFileSync(shot, '/tmp/opml-report-screenshot.png');

        expect(problems).toEqual([]);
        expect(requests).toEqual([url]);
      } finally {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      }
    }, 120_000);
  });
});
