/**
 * The three-terminal story with real processes: `opml devnet` mining a block every second, a tampering
 * `opml submit --tamper 1` that defends its lie, and `opml watch --role challenger` that catches and wins it.
 * The challenger exits 0, the liar 5 (it lost its dispute), `opml status 0` says rejected. Meanwhile an honest
 * submitter (its own key) posts result 1 and `opml watch --role submitter` defends it until it is final, and
 * `opml report 0` writes the dispute's page. Stopping devnet stops its anvil. Also: `--tamper` is refused on any
 * chain but a dev chain.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDevChain, tamperNode } from '../../cli/commands/submit.ts';
import { ExitCode, OpmlError } from '../../cli/errors.ts';
import { prepareModel } from '../../models/prepare.ts';

/** anvil's third test account (its mnemonic's index 2): neither the liar's key nor the challenger's. */
const ANVIL_THIRD_KEY = '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function opml(args: string[], env: Record<string, string> = {}): Proc {
  const child = spawn(process.execPath, [path.resolve('bin/opml.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

let dir: string;
let devnet: Proc | undefined;
const others: Proc[] = [];
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opml-devnet-'));
});
afterAll(async () => {
  for (const p of [...others, ...(devnet ? [devnet] : [])]) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('submit --tamper', () => {
  it('is refused on any chain but a dev chain (exit 2)', () => {
    expect(() => requireDevChain(31337)).not.toThrow();
    for (const id of [1, 10, 11155111]) {
      let err: unknown;
      try {
        requireDevChain(id);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OpmlError);
      expect((err as OpmlError).exitCode).toBe(ExitCode.USAGE);
      expect((err as OpmlError).message).toMatch(/dev chain/);
    }
  });

  it('takes a node index or a node name', () => {
    const g = prepareModel('mnist-mlp').int;
    expect(tamperNode('1', g)).toBe(1);
    const last = g.nodes.length - 1;
    expect(tamperNode(g.nodes[last].name, g)).toBe(g.nodes.findIndex((n) => n.name === g.nodes[last].name));
    expect(() => tamperNode(String(g.nodes.length), g)).toThrow(OpmlError);
    expect(() => tamperNode('no-such-node', g)).toThrow(OpmlError);
  });
});

describe('opml devnet + submit --tamper + watch --role challenger', () => {
  it('the challenger catches the lie and wins; the liar exits 5; devnet stops its anvil', async () => {
    const dep = path.join(dir, 'deployment.json');
    // A one-minute window (the shortest devnet accepts with 1 s blocks: it must cover one clock) so the honest
    // result below is final within the test; the README's `opml devnet` has the profile's ten minutes.
    devnet = opml(['devnet', '--block-time', '1', '--deployment', dep, '--window', '60', '--clock', '60']);
    // The first run compiles the contracts: wait for the deployment file and the line that says it is running.
    while (!(existsSync(dep) && /running/.test(devnet.output()))) {
      if (devnet.child.exitCode !== null) throw new Error(`devnet exited ${devnet.child.exitCode}:\n${devnet.output()}`);
      await sleep(200);
    }
    expect(devnet.output()).toMatch(/one every 1 s/);
    const anvilPid = Number(/anvil\s+pid (\d+)/.exec(devnet.output())![1]);
    expect(alive(anvilPid)).toBe(true);
    const { rpcUrl, chainId } = JSON.parse(readFileSync(dep, 'utf8')) as { rpcUrl: string; chainId: number };
    expect(chainId).toBe(31337);

    const liar = opml(['submit', 'mnist-mlp', '--input', 'mnist:0', '--tamper', '1', '--deployment', dep, '--state', path.join(dir, 'submitter.json'), '--interval', '200']);
    others.push(liar);
    const challenger = opml(['watch', '--role', 'challenger', '--model', 'mnist-mlp', '--deployment', dep, '--state', path.join(dir, 'challenger.json'), '--interval', '200', '--until-done']);
    others.push(challenger);
    // Terminal 4: an honest submitter with a key of its own posts result 1 once the lie
    // is posted, then its daemon defends it until it is final (the challenger agrees with it, so nobody disputes).
    const honestEnv = { OPML_SUBMITTER_KEY: ANVIL_THIRD_KEY };
    while (!/submitted result 0|result 0/.test(liar.output()) && liar.child.exitCode === null) await sleep(200);
    const honest = opml(['submit', 'mnist-mlp', '--input', 'mnist:1', '--deployment', dep, '--state', path.join(dir, 'honest', 'result.json')], honestEnv);
    others.push(honest);
    expect(await honest.exited, honest.output()).toBe(0);
    const defender = opml(['watch', '--role', 'submitter', '--model', 'mnist-mlp', '--deployment', dep, '--state', path.join(dir, 'honest'), '--interval', '200', '--until-done'], honestEnv);
    others.push(defender);
    const [liarCode, challengerCode] = await Promise.all([liar.exited, challenger.exited]);
    expect(challengerCode, challenger.output()).toBe(0);
    expect(liarCode, liar.output()).toBe(ExitCode.DISPUTE_LOST);
    expect(liar.output()).toMatch(/TAMPERED/);
    expect(liar.output()).toMatch(/result 0: rejected/);

    const status = opml(['status', '0', '--deployment', dep]);
    expect(await status.exited, status.output()).toBe(0);
    expect(status.output()).toMatch(/result 0: rejected/);
    expect(status.output()).toMatch(/won by the challenger/);

    // The honest result: final once its window closed (devnet mines while idle), its bond withdrawn.
    expect(await defender.exited, defender.output()).toBe(0);
    expect(defender.output()).toMatch(/result 1 finalized/);
    const status1 = opml(['status', '1', '--deployment', dep]);
    expect(await status1.exited, status1.output()).toBe(0);
    expect(status1.output()).toMatch(/result 1: finalized/);

    // The dispute you can see: one page with the timeline, the decoded step and the bonds.
    const page = path.join(dir, 'dispute.html');
    const rep = opml(['report', '0', '--model', 'mnist-mlp', '--deployment', dep, '-o', page]);
    expect(await rep.exited, rep.output()).toBe(0);
    expect(rep.output()).toMatch(/dispute 0: won by the challenger \(step\), node 1/);
    const html = readFileSync(page, 'utf8');
    expect(html).toMatch(/resolve step/);
    expect(html).toMatch(/burned/);

    devnet.child.kill('SIGINT');
    expect(await devnet.exited).toBe(0);
    // Its anvil is gone with it: the pid is dead and the RPC no longer answers.
    for (let i = 0; i < 100 && alive(anvilPid); i++) await sleep(100);
    expect(alive(anvilPid)).toBe(false);
    await expect(fetch(rpcUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' })).rejects.toThrow();
  }, 900_000);
});
