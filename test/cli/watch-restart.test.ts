/**
 * A real `opml watch --role challenger` process, killed with SIGKILL in the middle of a dispute and started
 * again from its state file, still wins: it resumes from what it persisted and what the chain says.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gameWithLie } from '../support/chain.ts';
import { startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { ANVIL_KEYS } from '../../cli/commands/connect.ts';
import { Phase, Side } from '../../cli/game/types.ts';

let anvil: Anvil;
let dir: string;
beforeAll(async () => {
  anvil = await startAnvil();
  dir = mkdtempSync(path.join(tmpdir(), 'opml-watch-'));
}, 300_000);
afterAll(async () => {
  await anvil?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('opml watch --role challenger', () => {
  it('killed mid-dispute and restarted from its state file, it still wins', async () => {
    const { deployment, depFile, chain, liar } = await gameWithLie(anvil.rpcUrl, dir);

    const stateFile = path.join(dir, 'challenger.json');
    const start = (): ChildProcess =>
      spawn(process.execPath, [path.resolve('bin/opml.js'), 'watch', '--role', 'challenger', '--model', 'mnist-mlp', '--deployment', depFile, '--state', stateFile, '--interval', '50', '--until-done'], {
        env: { ...process.env, OPML_PRIVATE_KEY: ANVIL_KEYS[1] },
        stdio: 'ignore',
      });
    let watcher = start();
    let restarted = false;
    let exited = false;
    for (let i = 0; i < 2000 && !exited; i++) {
      await liar.tick();
      await chain.flush();
      const count = await chain.disputeCount();
      if (count > 0n && !restarted) {
        const v = await chain.dispute(0n);
        if (v.phase === Phase.VM && v.hi - v.lo < 20_000n) {
          watcher.kill('SIGKILL'); // in the middle of the VM bisection
          await new Promise((r) => watcher.once('exit', r));
          expect(JSON.parse(readFileSync(stateFile, 'utf8')).checked['0']).toBe('0');
          watcher = start();
          restarted = true;
        }
      }
      if (restarted && watcher.exitCode !== null) exited = true;
      await sleep(20);
    }
    expect(restarted).toBe(true);
    expect(exited).toBe(true);
    expect(watcher.exitCode).toBe(0);
    const v = await chain.dispute(0n);
    expect(v.phase).toBe(Phase.Resolved);
    expect(v.winner).toBe(Side.Challenger);
  }, 180_000);
});
