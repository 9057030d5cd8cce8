/**
 * The watchers on a real anvil, where they fail in the field: a state file from another game, a result posted
 * after the submitter's watcher started, a submission the challenger cannot re-execute, an RPC that drops
 * requests for a while, and a forced challenge of an honest result (a lost dispute must exit 5).
 *
 * Only one thing is faked: in the skip test, the model's re-execution fails for one submission (the failure's
 * source); every chain interaction is real. Processes are the real `opml` binary where the CLI path matters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEther, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { ANVIL_KEYS, writeDeployment } from '../../cli/commands/connect.ts';
import { playUntilDone, requireNoLoss } from '../../cli/commands/watch.ts';
import { ExitCode, OpmlError } from '../../cli/errors.ts';
import { playRound } from '../../cli/game/actor.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { Challenger, type ChallengerState } from '../../cli/game/challenger.ts';
import { HonestClaims, LyingClaims } from '../../cli/game/claims.ts';
import { profile } from '../../cli/game/params.ts';
import { Store } from '../../cli/game/store.ts';
import { Submitter, type SubmitterState } from '../../cli/game/submitter.ts';
import { Move, Phase, Reason, Side, SubmissionStatus, type Deployment } from '../../cli/game/types.ts';
import { ChallengerWatch, type WatchedModel } from '../../cli/game/watcher.ts';
import { parseInput } from '../../cli/inputs.ts';
import { modelCommitment, type ModelCommitment } from '../../models/int/commitment.ts';
import { prepareModel, type PreparedModel } from '../../models/prepare.ts';

const BIN = path.resolve('bin/opml.js');
const BOND = parseEther('0.1');
const PARAMS = profile('devnet').params;

let anvil: Anvil;
let dir: string;
let prepared: PreparedModel;
let commitment: ModelCommitment;
let honest: WatchedModel;
const children: ChildProcess[] = [];

beforeAll(async () => {
  anvil = await startAnvil();
  dir = mkdtempSync(path.join(tmpdir(), 'opml-watcher-'));
  prepared = prepareModel('mnist-mlp');
  commitment = modelCommitment(prepared.int);
  honest = { name: 'mnist-mlp', commitment, claims: async (inputs) => new HonestClaims(prepared.int, inputs, commitment) };
}, 300_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await anvil?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function rpc(method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(anvil.rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result;
}

/** A fresh account with 100 ETH (so no two parties, nor two tests, share a nonce). */
async function funded(): Promise<Hex> {
  const key = generatePrivateKey();
  await rpc('anvil_setBalance', [privateKeyToAccount(key).address, `0x${parseEther('100').toString(16)}`]);
  return key;
}

/** A fresh game contract on the shared anvil, and its deployment file. */
async function newGame(name: string): Promise<{ deployment: Deployment; depFile: string }> {
  const deployment = await GameChain.deploy(anvil.rpcUrl, ANVIL_KEYS[0], PARAMS);
  const depFile = path.join(dir, `${name}-deployment.json`);
  writeDeployment(deployment, depFile);
  return { deployment, depFile };
}

const binding = (d: Deployment) => ({ chainId: d.chainId, game: d.game });
const words = (spec: string) => parseInput(spec, prepared.int).words;
const submitterStore = (file: string, input: string, d: Deployment) => Store.openBound<SubmitterState>(file, { role: 'submitter', model: 'mnist-mlp', input }, binding(d));
const challengerStore = (file: string, d: Deployment) => Store.openBound<ChallengerState>(file, { role: 'challenger', model: 'mnist-mlp', checked: {} }, binding(d));

/** The real `opml` binary, running in the background: its output so far and its exit. */
function opml(args: string[], env: Record<string, string>, cwd = dir) {
  const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out = { stdout: '', stderr: '' };
  child.stdout!.on('data', (b: Buffer) => (out.stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out.stderr += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, out, exited, running: () => child.exitCode === null && child.signalCode === null };
}

/** Poll `cond` until it holds; a wall-clock bound only to fail instead of hanging. */
async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/**
 * An HTTP JSON-RPC proxy to anvil that drops requests on command: each rule refuses the next `count`
 * requests (of `method`, when given) by destroying the connection, in order; everything else is forwarded.
 */
class FlakyProxy {
  readonly rules: { method?: string; count: number }[] = [];
  readonly refused: string[] = [];
  forwarded = 0;
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<FlakyProxy> {
    let proxy: FlakyProxy | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void proxy!.handle(Buffer.concat(chunks).toString(), req.socket, res, target));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    proxy = new FlakyProxy(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return proxy;
  }

  private async handle(body: string, socket: { destroy(): void }, res: ServerResponse, target: string): Promise<void> {
    const method = (JSON.parse(body) as { method?: string }).method ?? '?';
    const rule = this.rules[0];
    if (rule && (rule.method === undefined || rule.method === method)) {
      if (--rule.count === 0) this.rules.shift();
      this.refused.push(method);
      socket.destroy(); // the connection drops: the client sees a network failure, not an RPC error
      return;
    }
    this.forwarded++;
    const r = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    res.writeHead(r.status, { 'content-type': 'application/json' });
    res.end(await r.text());
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

describe('state files bound to their game', () => {
  it('Store.openBound refuses a file of another chain or game contract, naming both', () => {
    const file = path.join(dir, 'bound.json');
    const gameA = '0xaAaAaAaaAaAaAaaAaAAAAAAAAaaaAaAaAaaAaaAa';
    const gameB = '0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB';
    Store.openBound<ChallengerState>(file, { role: 'challenger', model: 'mnist-mlp', checked: {} }, { chainId: 31337, game: gameA });
    const before = readFileSync(file, 'utf8');
    const refused = (b: { chainId: number; game: string }): OpmlError => {
      try {
        Store.openBound<ChallengerState>(file, { role: 'challenger', model: 'mnist-mlp', checked: {} }, b);
      } catch (err) {
        expect(err).toBeInstanceOf(OpmlError);
        return err as OpmlError;
      }
      throw new Error(`opened ${file} for chain ${b.chainId}, game ${b.game}`);
    };
    const otherGame = refused({ chainId: 31337, game: gameB });
    expect(otherGame.exitCode).toBe(ExitCode.INPUT);
    expect(otherGame.message).toBe(`the state file ${file} belongs to chain 31337, game ${gameA}, not chain 31337, game ${gameB}`);
    expect(otherGame.hint).toMatch(/move it away/);
    const otherChain = refused({ chainId: 1, game: gameA });
    expect(otherChain.message).toBe(`the state file ${file} belongs to chain 31337, game ${gameA}, not chain 1, game ${gameA}`);
    // Refusing leaves the file as it was; the same game spelled in another case is the same game.
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(Store.openBound<ChallengerState>(file, { role: 'challenger', model: 'mnist-mlp', checked: {} }, { chainId: 31337, game: gameA.toLowerCase() }).get().game).toBe(gameA);
    // A file written before bindings existed is refused too: its ids could belong to any game.
    const legacy = path.join(dir, 'legacy.json');
    writeFileSync(legacy, JSON.stringify({ role: 'challenger', model: 'mnist-mlp', checked: { 0: 'agreed' } }));
    expect(() => Store.openBound(legacy, {}, { chainId: 31337, game: gameA })).toThrow(`the state file ${legacy} belongs to chain ?, game ?, not chain 31337, game ${gameA}`);
  });

  it('`opml watch --role challenger --state <file of another game>` exits 3 with that message', async () => {
    const old = await newGame('stale-old');
    const current = await newGame('stale-new');
    const stale = path.join(dir, 'stale-challenger.json');
    challengerStore(stale, old.deployment).update((s) => (s.checked['0'] = 'agreed'));
    const before = readFileSync(stale, 'utf8');
    const p = opml(['watch', '--role', 'challenger', '--model', 'mnist-mlp', '--deployment', current.depFile, '--state', stale, '--interval', '50', '--until-done'], { OPML_PRIVATE_KEY: ANVIL_KEYS[1] });
    const code = await Promise.race([p.exited, sleep(120_000).then(() => 'still running')]);
    expect(code, p.out.stderr).toBe(3);
    const lines = p.out.stderr.split('\n');
    expect(lines[0]).toBe(`opml: the state file ${stale} belongs to chain 31337, game ${old.deployment.game}, not chain 31337, game ${current.deployment.game}`);
    expect(lines[1]).toMatch(/^ {2}fix: move it away/);
    expect(readFileSync(stale, 'utf8')).toBe(before);
  }, 150_000);
});

describe('opml watch --role submitter', () => {
  it('defends a result its account posts after the watcher started, against a lying challenger', async () => {
    const { deployment, depFile } = await newGame('late');
    const key = await funded();
    const cwd = path.join(dir, 'late-watcher');
    mkdirSync(cwd);
    const watcher = opml(['watch', '--role', 'submitter', '--model', 'mnist-mlp', '--deployment', depFile, '--interval', '50', '--until-done'], { OPML_PRIVATE_KEY: key }, cwd);
    await until(() => watcher.out.stdout.includes('defending every result of') || !watcher.running(), 'the watcher to start');
    expect(watcher.running(), watcher.out.stderr).toBe(true);

    // Only now is a result posted, by the same account, from a state file the watcher has never seen.
    const input = words('mnist:4');
    const poster = new Submitter(await GameChain.connect(deployment, key), new HonestClaims(prepared.int, input, commitment), submitterStore(path.join(dir, 'late-poster', 'submitter.json'), 'mnist:4', deployment));
    const id = await poster.submit(BOND);
    const liarChain = await GameChain.connect(deployment, await funded());
    const liar = new Challenger(liarChain, new LyingClaims(prepared.int, input, { node: 0, vmFrom: 'middle' }, commitment), challengerStore(path.join(dir, 'late-liar.json'), deployment), id, {}, 'liar');
    const d = await liar.consider(true);
    expect(d).toBe(0n);

    let warped = false;
    await until(async () => {
      await liar.tick();
      await liarChain.flush();
      const v = await liarChain.dispute(d!);
      const s = await liarChain.submission(id);
      if (v.phase === Phase.Resolved && s.status === SubmissionStatus.Pending && s.openDisputes === 0 && !warped) {
        // The dispute is over; let the challenge window pass so the watcher can finalize and withdraw.
        await rpc('evm_increaseTime', [PARAMS.challengeWindow + 1]);
        await rpc('evm_mine');
        warped = true;
      }
      return !watcher.running();
    }, 'the watcher to finish', 150_000);

    expect(await watcher.exited, watcher.out.stderr).toBe(0);
    expect(watcher.out.stdout).toContain(`submitter: defending result ${id} (mnist-mlp)`);
    const v = await liarChain.dispute(d!);
    expect(v.submissionId).toBe(id);
    expect(v.winner).toBe(Side.Submitter);
    expect(v.reason).toBe(Reason.Step); // the watcher had the judge execute the last step
    expect(liar.lost.size).toBe(1);
    expect((await liarChain.submission(id)).status).toBe(SubmissionStatus.Finalized);
    expect(await liarChain.credits(poster.chain.address)).toBe(0n); // bond and the liar's bond withdrawn
    const stateFile = path.join(cwd, '.opml', `submitter-${deployment.chainId}-${deployment.game.slice(2, 10).toLowerCase()}-${id}.json`);
    expect(existsSync(stateFile)).toBe(true);
    expect(JSON.parse(readFileSync(stateFile, 'utf8'))).toMatchObject({ role: 'submitter', submissionId: id.toString(), chainId: deployment.chainId, game: deployment.game });
  }, 240_000);
});

describe('ChallengerWatch', () => {
  it('skips a submission it cannot re-execute, records why, and still catches the next lie', async () => {
    const { deployment } = await newGame('skip');
    const subChain = await GameChain.connect(deployment, await funded());
    const chalChain = await GameChain.connect(deployment, await funded());
    const bad = words('mnist:6');
    const good = words('mnist:7');
    const same = (a: Int32Array, b: Int32Array) => a.length === b.length && a.every((x, i) => x === b[i]);
    const calls = { bad: 0, good: 0 };
    // The failure source: re-executing the first submission's input throws (a crashed backend, say).
    const model: WatchedModel = {
      ...honest,
      claims: async (inputs) => {
        if (same(inputs[0], bad[0])) {
          calls.bad++;
          throw new Error('the executor ran out of memory');
        }
        calls.good++;
        return new HonestClaims(prepared.int, inputs, commitment);
      },
    };
    const lines: string[] = [];
    const log = (l: string) => lines.push(l);
    const stateFile = path.join(dir, 'skip-challenger.json');
    const w = new ChallengerWatch(chalChain, model, challengerStore(stateFile, deployment), { log, name: 'watcher' });

    // First a lie it cannot check, then a lie it can.
    const unchecked = new Submitter(subChain, new LyingClaims(prepared.int, bad, { node: 1, vmFrom: 'end' }, commitment), submitterStore(path.join(dir, 'skip-sub-0.json'), 'mnist:6', deployment));
    const first = await unchecked.submit(BOND);
    const liar = new Submitter(subChain, new LyingClaims(prepared.int, good, { node: 0, vmFrom: 'middle' }, commitment), submitterStore(path.join(dir, 'skip-sub-1.json'), 'mnist:7', deployment), { log });
    const second = await liar.submit(BOND);
    expect([first, second]).toEqual([0n, 1n]);

    for (let round = 0; round < 500; round++) {
      await w.scan();
      await playRound([liar, ...w.challengers], undefined, log);
      if (w.challengers.length > 0 && (await Promise.all([liar, ...w.challengers].map((a) => a.done()))).every(Boolean)) break;
    }
    expect(lines).toContain('watcher: result 0: cannot check it (the executor ran out of memory); skipped, watching the others');
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as ChallengerState;
    expect(state.checked['0']).toBe('skipped: the executor ran out of memory');
    expect(state.checked['1']).toBe('0');
    expect(w.challengers.map((c) => c.submission)).toEqual([1n]);
    const v = await chalChain.dispute(0n);
    expect(v.submissionId).toBe(1n);
    expect(v.winner).toBe(Side.Challenger);
    expect((await chalChain.submission(1n)).status).toBe(SubmissionStatus.Rejected);
    expect((await chalChain.submission(0n)).status).toBe(SubmissionStatus.Pending); // nobody could check it
    expect(await chalChain.credits()).toBe(0n); // the reward was settled and withdrawn
    // Skipped for good: tried once, not on every scan, nor after a restart from the state file.
    expect(calls.bad).toBe(1);
    const restarted = new ChallengerWatch(chalChain, model, challengerStore(stateFile, deployment), { log, name: 'watcher' });
    await restarted.scan();
    expect(calls.bad).toBe(1);
  }, 180_000);

  it('playUntilDone rides out an RPC that drops requests and still wins', async () => {
    const { deployment } = await newGame('flaky');
    const proxy = await FlakyProxy.start(anvil.rpcUrl);
    try {
      const subChain = await GameChain.connect(deployment, await funded());
      const chalChain = await GameChain.connect({ ...deployment, rpcUrl: proxy.url }, await funded());
      const input = words('mnist:9');
      const lines: string[] = [];
      const log = (l: string) => lines.push(l);
      const liar = new Submitter(subChain, new LyingClaims(prepared.int, input, { node: 1, vmFrom: 'middle' }, commitment), submitterStore(path.join(dir, 'flaky-sub.json'), 'mnist:9', deployment), { log });
      const id = await liar.submit(BOND);
      let armed = false;
      // In the middle of the dispute (its VM phase), the RPC drops the next 8 requests, whatever they are, and
      // then the next 4 block reads: more than viem's own retries (4 attempts) absorb, each time.
      const beforeMove = async (_d: bigint, v: { phase: number }) => {
        if (armed || v.phase !== Phase.VM) return;
        armed = true;
        proxy.rules.push({ count: 8 }, { method: 'eth_getBlockByNumber', count: 4 });
      };
      const w = new ChallengerWatch(chalChain, honest, challengerStore(path.join(dir, 'flaky-challenger.json'), deployment), { log, name: 'challenger', beforeMove });
      const finished = playUntilDone(() => w.scan(), () => [...w.challengers, liar], { intervalMs: 20, log });
      const outcome = await Promise.race([finished.then(() => 'finished'), sleep(150_000).then(() => 'still playing')]);
      expect(outcome, lines.join('\n')).toBe('finished');

      expect(armed).toBe(true);
      expect(proxy.rules).toEqual([]); // every drop happened
      expect(proxy.refused).toHaveLength(12);
      expect(proxy.refused.slice(8)).toEqual(Array(4).fill('eth_getBlockByNumber'));
      const rpcDown = new RegExp(`cannot reach the RPC at ${proxy.url.replace(/\./g, '\\.')}`);
      // The loop saw failures escape a round (not only inside a move) and backed off instead of exiting.
      expect(lines.filter((l) => rpcDown.test(l) && /; retrying in \d+ s$/.test(l)).length).toBeGreaterThanOrEqual(2);
      expect(lines.some((l) => l.startsWith('reading the latest block: cannot reach the RPC') && /retrying in \d+ s$/.test(l))).toBe(true);
      const v = await subChain.dispute(0n);
      expect(v.submissionId).toBe(id);
      expect(v.phase).toBe(Phase.Resolved);
      expect(v.winner).toBe(Side.Challenger);
      expect((await subChain.submission(id)).status).toBe(SubmissionStatus.Rejected);
      expect(w.challengers[0].lost.size).toBe(0);
    } finally {
      await proxy.stop();
    }
  }, 200_000);
});

describe('a challenger that loses', () => {
  it('`opml challenge <id> --force` against an honest result plays, loses and exits 5', async () => {
    const { deployment, depFile } = await newGame('force');
    const subChain = await GameChain.connect(deployment, await funded());
    const submitter = new Submitter(subChain, new HonestClaims(prepared.int, words('mnist:2'), commitment), submitterStore(path.join(dir, 'force-sub.json'), 'mnist:2', deployment));
    const id = await submitter.submit(BOND);
    const chalKey = await funded();
    const p = opml(['challenge', id.toString(), '--model', 'mnist-mlp', '--force', '--deployment', depFile, '--state', path.join(dir, 'force-challenger.json')], { OPML_PRIVATE_KEY: chalKey });
    // The honest submitter defends, in this process, until the challenger gives up.
    await until(async () => {
      await playRound([submitter]);
      return !p.running();
    }, 'the challenge to end', 150_000);
    expect(await p.exited, p.out.stderr).toBe(5);
    expect(p.out.stdout).toMatch(/^dispute 0: won by the submitter \(step\)$/m);
    expect(p.out.stderr).toMatch(/^opml: 1 dispute\(s\) lost: dispute 0: lost to the submitter \(step\)$/m);
    const v = await subChain.dispute(0n);
    expect(v.winner).toBe(Side.Submitter);
    expect(v.challenger).toBe(privateKeyToAccount(chalKey).address);
  }, 200_000);

  it('a ruling that lands after the challenger’s last tick still counts as lost (exit 5 path)', async () => {
    const { deployment } = await newGame('late-ruling');
    const subChain = await GameChain.connect(deployment, await funded());
    const chalChain = await GameChain.connect(deployment, await funded());
    const input = words('mnist:3');
    const submitter = new Submitter(subChain, new HonestClaims(prepared.int, input, commitment), submitterStore(path.join(dir, 'ruling-sub.json'), 'mnist:3', deployment));
    const id = await submitter.submit(BOND);
    const forced = new Challenger(chalChain, new HonestClaims(prepared.int, input, commitment), challengerStore(path.join(dir, 'ruling-ch.json'), deployment), id, {}, 'forced');
    const d = (await forced.consider(true))!;
    // Play until one step is left (the challenger's turn: it will not ask the judge for a step it would lose).
    for (let round = 0; round < 200 && (await subChain.dispute(d)).next !== Move.ResolveStep; round++) await playRound([submitter, forced]);
    expect((await subChain.dispute(d)).next).toBe(Move.ResolveStep);
    // The submitter proves the step; the challenger does not tick again before it is asked whether it is done.
    for (let round = 0; round < 10 && (await subChain.dispute(d)).phase !== Phase.Resolved; round++) await playRound([submitter]);
    expect((await subChain.dispute(d)).winner).toBe(Side.Submitter);
    expect(forced.lost.size).toBe(0);
    expect(await forced.done()).toBe(true);
    expect([...forced.lost.values()]).toEqual([`dispute ${d}: lost to the submitter (step)`]);
    expect(() => requireNoLoss([forced])).toThrow(OpmlError);
    try {
      requireNoLoss([forced]);
    } catch (err) {
      expect((err as OpmlError).exitCode).toBe(ExitCode.DISPUTE_LOST);
    }
  }, 120_000);
});
