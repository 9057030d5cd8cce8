/**
 * How transactions are sent: --max-fee / --priority-fee land in the transaction (and a base fee above the max
 * fee refuses to send: one line, exit 4); bad values from a flag, the environment or the config file are one
 * line with exit 2; --confirmations 3 holds a write until two more blocks are mined (anvil mining by hand), and
 * reads wait for the same depth; `opml deploy` takes a keystore like the other chain commands.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseGwei, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedGame, type DeployedGame } from '../support/chain.ts';
import { cleanEnv, opmlAt } from '../support/cli.ts';
import { ANVIL_KEYS, type Anvil } from '../../cli/chain/anvil.ts';
import { foundryBinary } from '../../cli/chain/foundry.ts';
import { parseTxSettings } from '../../cli/chain/tx.ts';
import { resolveTxOptions } from '../../cli/commands/connect.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { profile } from '../../cli/game/params.ts';
import type { Deployment } from '../../cli/game/types.ts';
import { modelCommitment } from '../../models/int/commitment.ts';
import { prepareModel } from '../../models/prepare.ts';
import { rpc } from '../support/rpcProxy.ts';

let game: DeployedGame;
let anvil: Anvil;
let dir: string;
let deployment: Deployment;
let depFile: string;

const opml = (args: string[], env: Record<string, string> = {}) => opmlAt(dir, args, env);

beforeAll(async () => {
  game = await deployedGame('tx');
  ({ anvil, dir, deployment, depFile } = game);
}, 300_000);

afterAll(async () => {
  await game?.stop();
});

describe('fee, confirmation and log-range settings', () => {
  it('parse gwei amounts and counts; flag > env > config file', () => {
    expect(parseTxSettings({ maxFee: '30', priorityFee: '1.5', confirmations: '3', logRange: 2000 })).toEqual({ maxFeePerGas: parseGwei('30'), maxPriorityFeePerGas: parseGwei('1.5'), confirmations: 3, logRange: 2000 });
    expect(resolveTxOptions({ maxFee: '7' }, { maxFee: 9, confirmations: 2 }, cleanEnv({ OPML_MAX_FEE: '8' })).tx).toEqual({ maxFeePerGas: parseGwei('7'), confirmations: 2 });
    expect(resolveTxOptions({}, { maxFee: 9 }, cleanEnv({ OPML_MAX_FEE: '8' })).tx).toEqual({ maxFeePerGas: parseGwei('8') });
    expect(resolveTxOptions({}, { signerUrl: 'http://127.0.0.1:8550' }, cleanEnv()).signer).toEqual({ url: 'http://127.0.0.1:8550', address: undefined });
    expect(() => resolveTxOptions({}, { confirmations: '0' }, cleanEnv())).toThrow(/^confirmations in the config file: "0" is not a whole number of at least 1$/);
    expect(() => resolveTxOptions({}, {}, cleanEnv({ OPML_LOG_RANGE: '1e3' }))).toThrow(/^OPML_LOG_RANGE: "1e3"/);
    expect(() => parseTxSettings({ maxFee: '2', priorityFee: '3' })).toThrow(/--priority-fee 3 gwei is above --max-fee 2 gwei/);
  });

  it('a bad fee, confirmation count or signer is one line and exit 2, before any chain is touched', () => {
    for (const [args, env, msg] of [
      [['--max-fee', 'abc'], {}, /^opml: --max-fee: "abc" is not an amount of gwei\n {2}fix: /],
      [['--priority-fee', '-1'], {}, /^opml: --priority-fee: "-1" is not an amount of gwei\n {2}fix: /],
      [['--confirmations', '0'], {}, /^opml: --confirmations: "0" is not a whole number/],
      [[], { OPML_MAX_FEE: '1.0000000001' }, /^opml: OPML_MAX_FEE: "1.0000000001" is not an amount of gwei/],
      [['--signer-url', 'nope'], {}, /^opml: --signer-url: "nope" is not a URL/],
      [['--signer-address', '0x12'], { OPML_SIGNER_URL: 'http://127.0.0.1:9' }, /^opml: --signer-address: "0x12" is not an address/],
    ] as [string[], Record<string, string>, RegExp][]) {
      const r = opml(['status', '0', '--deployment', path.join(dir, 'missing.json'), ...args], env);
      expect(r.code, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.split('\n').length).toBeLessThanOrEqual(2);
    }
    const cfg = path.join(dir, 'bad-cfg.json');
    writeFileSync(cfg, JSON.stringify({ priorityFee: 'lots' }));
    const r = opml(['status', '0', '--deployment', depFile, '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^opml: priorityFee in the config file: "lots" is not an amount of gwei/);
  }, 60_000);

  it('--max-fee and --priority-fee are what the transaction carries', async () => {
    const r = opml(['register', 'mnist-mlp', '--deployment', depFile, '--max-fee', '5', '--priority-fee', '2']);
    expect(r.code, r.stderr).toBe(0);
    const block = await GameChain.connect(deployment).then((c) => c.publicClient.getBlock({ includeTransactions: true }));
    const tx = block.transactions.at(-1)!;
    expect(tx.maxFeePerGas).toBe(parseGwei('5'));
    expect(tx.maxPriorityFeePerGas).toBe(parseGwei('2'));
    // only a cap: the tip is the node's suggestion, at most the cap
    const chain = await GameChain.connect(deployment, ANVIL_KEYS[1] as Hex, { maxFeePerGas: parseGwei('3') });
    await chain.register(modelCommitment(prepareModel('mnist-cnn').int));
    const tx2 = (await chain.publicClient.getBlock({ includeTransactions: true })).transactions.at(-1)!;
    expect(tx2.maxFeePerGas).toBe(parseGwei('3'));
    expect(tx2.maxPriorityFeePerGas! <= parseGwei('3')).toBe(true);
  }, 120_000);

  it('a base fee above --max-fee: not sent, one line, exit 4', () => {
    const r = opml(['register', 'tiny-transformer', '--deployment', depFile, '--max-fee', '0.000000001']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^opml: register: not sent: the base fee is [\d.]+ gwei, above the max fee of 0\.000000001 gwei\n {2}fix: .*--max-fee/);
  }, 120_000);

  it('--confirmations 3: a write is done only once two more blocks are on it, and reads wait as deep', async () => {
    const mlp = modelCommitment(prepareModel('mnist-mlp').int);
    // a fresh game, so the model is not registered yet
    const d = await GameChain.deploy(anvil.rpcUrl, ANVIL_KEYS[0], profile('devnet').params);
    await rpc(anvil.rpcUrl, 'anvil_mine', ['0x3']); // the game exists at head − 2 too
    await rpc(anvil.rpcUrl, 'evm_setAutomine', [false]);
    try {
      const chain = await GameChain.connect(d, ANVIL_KEYS[0] as Hex, { confirmations: 3 });
      const latest = await GameChain.connect(d);
      let done = false;
      const writing = chain.register(mlp).then(() => (done = true));
      writing.catch(() => {}); // awaited below
      const until = async (cond: () => Promise<boolean>) => {
        for (let i = 0; i < 600 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 50));
      };
      // the transaction reaches the pool; mine it
      await until(async () => Number(((await rpc(anvil.rpcUrl, 'txpool_status')) as { pending: Hex }).pending) > 0);
      await rpc(anvil.rpcUrl, 'evm_mine');
      await until(() => latest.isRegistered(mlp.modelId));
      expect(await latest.isRegistered(mlp.modelId)).toBe(true); // at the head
      expect(await chain.isRegistered(mlp.modelId)).toBe(false); // not at head − 2
      await rpc(anvil.rpcUrl, 'evm_mine');
      await new Promise((r) => setTimeout(r, 300)); // room for a wrong early resolve (several receipt polls)
      expect(done).toBe(false);
      expect(await chain.isRegistered(mlp.modelId)).toBe(false);
      await rpc(anvil.rpcUrl, 'evm_mine');
      await writing; // resolves once the third block is there (the test's timeout is the bound)
      expect(done).toBe(true);
      expect(await chain.isRegistered(mlp.modelId)).toBe(true);
    } finally {
      await rpc(anvil.rpcUrl, 'evm_setAutomine', [true]);
    }
  }, 120_000);
});

describe('opml deploy', () => {
  it('takes --keystore and --password-file like the other chain commands', async () => {
    const ksDir = path.join(dir, 'ks');
    mkdirSync(ksDir);
    const made = spawnSync(foundryBinary('cast'), ['wallet', 'new', ksDir, '--unsafe-password', 'pw'], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const address = /Address:\s+(0x[0-9a-fA-F]{40})/.exec(made.stdout)![1] as Hex;
    await rpc(anvil.rpcUrl, 'anvil_setBalance', [address, '0x56bc75e2d63100000']);
    const pw = path.join(dir, 'pw');
    writeFileSync(pw, 'pw\n');
    const out = path.join(dir, 'ks-deployment.json');
    const r = opml(['deploy', '--rpc-url', anvil.rpcUrl, '--profile', 'devnet', '--deployment', out, '--keystore', path.join(ksDir, readdirSync(ksDir)[0]), '--password-file', pw, '--priority-fee', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const chain = await GameChain.connect(deployment);
    expect(await chain.publicClient.getTransactionCount({ address })).toBe(2); // the judge and the game, from the keystore's account
    // the same through OPML_KEYSTORE / OPML_PASSWORD
    const r2 = opml(['deploy', '--rpc-url', anvil.rpcUrl, '--profile', 'devnet', '--deployment', out, '--json'], { OPML_KEYSTORE: path.join(ksDir, readdirSync(ksDir)[0]), OPML_PASSWORD: 'pw' });
    expect(r2.code, r2.stderr).toBe(0);
    expect(await chain.publicClient.getTransactionCount({ address })).toBe(4);
    const bad = opml(['deploy', '--rpc-url', anvil.rpcUrl, '--profile', 'devnet', '--deployment', out, '--keystore', path.join(ksDir, readdirSync(ksDir)[0]), '--password-file', path.join(dir, 'missing-pw')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^opml: cannot read the password file/);
  }, 120_000);
});
