/**
 * The chain commands through the real `opml` binary against a real anvil: a submit → challenge round trip,
 * and bad input — unreachable RPC, unfunded key, unknown id, the wrong model, a wrong-shape input, a
 * reverted move — each a clear one-line error with a non-zero exit that leaves no stray state behind.
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseEther, type Hex } from 'viem';
import { generatePrivateKey } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedGame, type DeployedGame } from '../support/chain.ts';
import { opmlAt } from '../support/cli.ts';
import type { Anvil } from '../../cli/chain/anvil.ts';
import { ANVIL_KEYS } from '../../cli/commands/connect.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { HonestClaims } from '../../cli/game/claims.ts';
import { Store } from '../../cli/game/store.ts';
import { Submitter, type SubmitterState } from '../../cli/game/submitter.ts';
import { parseInput } from '../../cli/inputs.ts';
import { prepareModel } from '../../models/prepare.ts';
import type { Deployment } from '../../cli/game/types.ts';

let game: DeployedGame;
let anvil: Anvil;
let dir: string;
let deployment: Deployment;
let depFile: string;

const opml = (args: string[], env: Record<string, string> = {}) => opmlAt(dir, args, env);

beforeAll(async () => {
  game = await deployedGame('chain');
  ({ anvil, dir, deployment, depFile } = game);
}, 300_000);

afterAll(async () => {
  await game?.stop();
});

describe('chain commands', () => {
  it('submit posts a result that status shows and an honest challenger leaves alone', () => {
    const sub = opml(['submit', 'mnist-mlp', '--input', 'mnist:3', '--deployment', depFile, '--state', path.join(dir, 'sub.json'), '--json']);
    expect(sub.code, sub.stderr).toBe(0);
    const { id } = JSON.parse(sub.stdout) as { id: string };
    const st = opml(['status', id, '--deployment', depFile, '--json']);
    expect(st.code, st.stderr).toBe(0);
    expect(JSON.parse(st.stdout).submission.status).toBe(1);
    const ch = opml(['challenge', id, '--model', 'mnist-mlp', '--deployment', depFile, '--state', path.join(dir, 'ch.json'), '--json']);
    expect(ch.code, ch.stderr).toBe(0);
    expect(JSON.parse(ch.stdout)).toEqual({ id, agreed: true });
  }, 120_000);

  it('an unreachable RPC: exit 4 and the fix', () => {
    const r = opml(['status', '0', '--deployment', depFile, '--rpc-url', 'http://127.0.0.1:9']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^opml: connecting: cannot reach the RPC at http:\/\/127\.0\.0\.1:9\n  fix: /);
  });

  it('an unfunded key: exit 4, and no submitter state file is left behind', () => {
    const stateFile = path.join(dir, 'unfunded.json');
    const r = opml(['submit', 'mnist-mlp', '--input', 'mnist:0', '--deployment', depFile, '--state', stateFile], { OPML_PRIVATE_KEY: generatePrivateKey() });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/cannot pay for it/);
    expect(existsSync(stateFile)).toBe(false);
  }, 120_000);

  it('an unknown submission id: exit 3 (status) and exit 4 (challenge)', () => {
    expect(opml(['status', '99', '--deployment', depFile]).stderr).toMatch(/^opml: status: there is no submission 99/);
    const r = opml(['challenge', '99', '--model', 'mnist-mlp', '--deployment', depFile, '--state', path.join(dir, 'c99.json')]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^opml: submission 99 has no Submitted event on this game contract\n  fix: check the id with `opml status`/);
  });

  it('challenging with a model the result was not submitted for: exit 3 naming both models', () => {
    const r = opml(['challenge', '0', '--model', 'mnist-cnn', '--deployment', depFile, '--state', path.join(dir, 'cnn.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^opml: result 0 is for model 0x[0-9a-f]{64}, not 0x[0-9a-f]{64}/);
  }, 120_000);

  it('an input of the wrong shape: exit 3 before any transaction', () => {
    const shortInput = path.join(dir, 'short.json');
    writeFileSync(shortInput, '[1, 2, 3]');
    const before = readdirSync(dir).length;
    const r = opml(['submit', 'mnist-mlp', '--input', shortInput, '--deployment', depFile, '--state', path.join(dir, 'short-state.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/needs 784 values/);
    expect(readdirSync(dir).length).toBe(before);
  });

  it('a submitter that lost its state file after posting finds its pending submission instead of posting twice', async () => {
    const chain = await GameChain.connect(deployment, ANVIL_KEYS[0] as Hex);
    const prepared = prepareModel('mnist-mlp');
    const claims = new HonestClaims(prepared.int, parseInput('mnist:8', prepared.int).words);
    const first = new Submitter(chain, claims, Store.openBound<SubmitterState>(path.join(dir, 'lost-a.json'), { role: 'submitter', model: 'mnist-mlp', input: 'mnist:8' }, { chainId: deployment.chainId, game: deployment.game }));
    const id = await first.submit(parseEther('0.1'));
    const count = await chain.submissionCount();
    const again = new Submitter(chain, claims, Store.openBound<SubmitterState>(path.join(dir, 'lost-b.json'), { role: 'submitter', model: 'mnist-mlp', input: 'mnist:8' }, { chainId: deployment.chainId, game: deployment.game }));
    expect(await again.submit(parseEther('0.1'))).toBe(id);
    expect(await chain.submissionCount()).toBe(count);
  }, 120_000);

  it('a move the contract refuses comes back as its named error', async () => {
    const chain = await GameChain.connect(deployment, ANVIL_KEYS[1] as Hex);
    await expect(chain.respondGraph(0n, 1, [`0x${'22'.repeat(32)}`])).rejects.toThrow(/respond graph: the contract rejected it: UnknownDispute\(0\)/);
    await expect(chain.submit(`0x${'11'.repeat(32)}`, [0n], new Int32Array(10), `0x${'00'.repeat(32)}`, [], parseEther('1'))).rejects.toThrow(/ModelNotRegistered/);
  });
});
