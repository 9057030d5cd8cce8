/**
 * A generation dispute with real processes: `opml submit brown-llama --generate 4 --tamper <node>` registers the
 * unrolled generation (1,549 nodes: in chunks), posts a wrong continuation and defends it; `opml watch --role
 * challenger` with the same model options re-executes the generation, challenges, plays the graph, tile and VM
 * levels and wins; the liar exits 5 and `opml status 0` says rejected. The flags reach every process through
 * the command line and the submitter's state file keeps them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '../../cli/errors.ts';
import { deployedGame, type DeployedGame } from '../support/chain.ts';

const MODEL = ['brown-llama', '--generate', '4', '--prompt-length', '10', '--tile-steps', '4096'];

interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function opml(args: string[]): Proc {
  const child = spawn(process.execPath, [path.resolve('bin/opml.js'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (b: Buffer) => (text += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (text += b.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

let game: DeployedGame;
const procs: Proc[] = [];
beforeAll(async () => {
  game = await deployedGame('generate-cli');
}, 120_000);
afterAll(async () => {
  for (const p of procs) {
    if (p.child.exitCode === null && p.child.signalCode === null) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
  }
  await game?.stop();
});

describe('opml submit --generate --tamper + opml watch --generate', () => {
  it('the challenger catches a wrong token in the last position\'s logits head and wins', async () => {
    const state = path.join(game.dir, 'submitter.json');
    const liar = opml(['submit', ...MODEL, '--input', 'text:The jury', '--tamper', 'pos12/lm_head', '--deployment', game.depFile, '--state', state, '--interval', '100']);
    procs.push(liar);
    const challenger = opml(['watch', '--role', 'challenger', '--model', ...MODEL, '--deployment', game.depFile, '--state', path.join(game.dir, 'challenger.json'), '--interval', '100', '--until-done']);
    procs.push(challenger);
    const [liarCode, challengerCode] = await Promise.all([liar.exited, challenger.exited]);
    expect(challengerCode, challenger.output()).toBe(0);
    expect(liarCode, liar.output()).toBe(ExitCode.DISPUTE_LOST);
    expect(liar.output()).toMatch(/TAMPERED/);
    // The lie is inside a tiled node (the last position's logits head): the tile level was played on it.
    expect(challenger.output()).toMatch(/agrees with σ_\d+.*, disputes σ_\d+.* of node 1546/);
    // The submitter's state file keeps the model options, so `opml watch --role submitter` derives the same model.
    expect(JSON.parse(readFileSync(state, 'utf8'))).toMatchObject({ model: 'brown-llama', generate: 4, promptLength: 10, tileSteps: 4096 });
    const status = opml(['status', '0', '--deployment', game.depFile]);
    expect(await status.exited, status.output()).toBe(0);
    expect(status.output()).toMatch(/result 0: rejected/);
    expect(status.output()).toMatch(/won by the challenger/);
  }, 600_000);
});
