/**
 * A real `opml watch --role challenger --metrics-port <port>` process, scraped while it plays a dispute
 * against a liar driven in-process: /metrics names every opml_* metric, shows the open dispute and the moves as
 * they are made; /healthz answers 200 with the chain id; the watcher exits 0 having won.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gameWithLie } from '../support/chain.ts';
import { freePort, startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { ANVIL_KEYS } from '../../cli/commands/connect.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { Phase, Side } from '../../cli/game/types.ts';
import { WatchMetrics } from '../../cli/commands/watchMetrics.ts';

let anvil: Anvil;
let dir: string;
let watcher: ChildProcess | undefined;
beforeAll(async () => {
  anvil = await startAnvil();
  dir = mkdtempSync(path.join(tmpdir(), 'opml-watch-metrics-'));
}, 300_000);
afterAll(async () => {
  if (watcher && watcher.exitCode === null && watcher.signalCode === null) watcher.kill('SIGKILL');
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One scrape, or undefined while the server is not up yet. */
async function get(url: string): Promise<{ status: number; text: string } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, text: await res.text() };
  } catch {
    return undefined;
  }
}

/** The value of one sample in a Prometheus exposition (summed over the samples matching `labels`). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  let found: number | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^(\w+)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const ls = Object.fromEntries([...(m[3] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (!Object.entries(labels).every(([k, v]) => ls[k] === v)) continue;
    found = (found ?? 0) + Number(m[4]);
  }
  return found;
}

const METRICS = ['opml_disputes_open', 'opml_moves_total', 'opml_rpc_errors_total', 'opml_transactions_failed_total', 'opml_clock_left_seconds', 'opml_credits_wei', 'opml_rounds_total'];

describe('opml watch --metrics-port', () => {
  it('serves /metrics and /healthz while it plays a dispute, and still wins', async () => {
    const { deployment, depFile, chain, liar } = await gameWithLie(anvil.rpcUrl, dir);

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    let output = '';
    const w = spawn(process.execPath, [path.resolve('bin/opml.js'), 'watch', '--role', 'challenger', '--model', 'mnist-mlp', '--deployment', depFile, '--state', path.join(dir, 'challenger.json'), '--metrics-port', String(port), '--until-done', '--interval', '50', '--log-level', 'debug', '--json'], {
      env: { ...process.env, OPML_PRIVATE_KEY: ANVIL_KEYS[1] },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    watcher = w;
    w.stdout!.on('data', (b: Buffer) => (output += b.toString()));
    w.stderr!.on('data', (b: Buffer) => (output += b.toString()));
    const exit = new Promise<number | null>((r) => w.once('exit', (code) => r(code)));

    let sawNames = false;
    let sawOpen = false;
    const moves: number[] = [];
    let health: { status: number; body: Record<string, unknown> } | undefined;
    for (let i = 0; i < 4000 && w.exitCode === null; i++) {
      await liar.tick();
      await chain.flush();
      if (i % 5 === 0) {
        const m = await get(`${base}/metrics`);
        if (m?.status === 200) {
          if (METRICS.every((n) => m.text.includes(`# TYPE ${n} `))) sawNames = true;
          if (sample(m.text, 'opml_disputes_open', { role: 'challenger' }) === 1) {
            sawOpen = true;
            expect(sample(m.text, 'opml_clock_left_seconds', { dispute: '0' })).toBeGreaterThanOrEqual(0);
          }
          const n = sample(m.text, 'opml_moves_total') ?? 0;
          if (moves.length === 0 || n !== moves[moves.length - 1]) moves.push(n);
        }
        if (health === undefined || (sawOpen && health.body.openDisputes !== 1)) {
          const h = await get(`${base}/healthz`);
          if (h) health = { status: h.status, body: JSON.parse(h.text) as Record<string, unknown> };
        }
      }
      await sleep(20);
    }
    const code = await exit;
    expect(code, output).toBe(0);
    expect(sawNames, output).toBe(true);
    expect(sawOpen, output).toBe(true);
    expect(moves.length, `moves seen: ${moves.join(', ')}`).toBeGreaterThan(2);
    for (let k = 1; k < moves.length; k++) expect(moves[k]).toBeGreaterThan(moves[k - 1]);
    expect(health?.status).toBe(200);
    expect(health?.body).toMatchObject({ status: 'ok', role: 'challenger', chainId: deployment.chainId, game: deployment.game });
    expect(typeof health?.body.lastSuccessfulRound).toBe('string');

    // --json --log-level debug: one JSON object per line, with levels and enum names.
    const events = output.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.some((e) => e.level === 'debug' && e.event === 'move' && e.action === 'respond_graph')).toBe(true);
    expect(events.some((e) => e.event === 'round' && Array.isArray(e.disputes) && (e.disputes as { phase: string }[]).some((d) => d.phase === 'vm'))).toBe(true);

    const v = await chain.dispute(0n);
    expect(v.phase).toBe(Phase.Resolved);
    expect(v.winner).toBe(Side.Challenger);
    // The server went away with the process.
    expect(await get(`${base}/healthz`)).toBeUndefined();
  }, 240_000);
});

describe('WatchMetrics health', () => {
  it('is 503 while the RPC fails and 200 again after a good round', async () => {
    let rpcUp = true;
    const fake = {
      address: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
      deployment: { chainId: 31337, game: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512' },
      now: async () => 1000n,
      credits: async () => (rpcUp ? 5n : Promise.reject(new Error('cannot reach'))),
    } as unknown as GameChain;
    const m = new WatchMetrics({ role: 'challenger', chain: fake, intervalMs: 50 });
    const port = await m.listen(await freePort());
    try {
      const h0 = await get(`http://127.0.0.1:${port}/healthz`);
      expect(h0?.status).toBe(200);
      expect(JSON.parse(h0!.text)).toMatchObject({ lastSuccessfulRound: null, openDisputes: 0, chainId: 31337 });
      m.rpcError();
      const h1 = await get(`http://127.0.0.1:${port}/healthz`);
      expect(h1?.status).toBe(503);
      expect(JSON.parse(h1!.text)).toMatchObject({ status: 'unhealthy', rpcFailing: true });
      await m.round();
      expect((await get(`http://127.0.0.1:${port}/healthz`))?.status).toBe(200);
      const text = (await get(`http://127.0.0.1:${port}/metrics`))!.text;
      expect(sample(text, 'opml_rpc_errors_total')).toBe(1);
      expect(sample(text, 'opml_credits_wei')).toBe(5);
      expect(sample(text, 'opml_rounds_total')).toBe(1);
      expect((await get(`http://127.0.0.1:${port}/nope`))?.status).toBe(404);
    } finally {
      await m.close();
    }
  });
});
