/**
 * Keys and config: v3 keystores written by Foundry's `cast wallet new` (and the Web3 Secret Storage pbkdf2 test
 * vector) decrypt to the right key; a wrong password, a malformed file or an unsupported KDF is one line with
 * exit 2; flag > env > config file > default; the per-role keys; and `opml status` against an existing game
 * named only by --game-address, with no key and no deployment file, on chain 31337 and on chain 1337.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseEther, type Hex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { foundryBinary } from '../../cli/chain/foundry.ts';
import { decryptKeystore } from '../../cli/chain/keystore.ts';
import { ANVIL_KEYS, resolveChainOptions, resolveKey } from '../../cli/commands/connect.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { HonestClaims } from '../../cli/game/claims.ts';
import { profile } from '../../cli/game/params.ts';
import { Store } from '../../cli/game/store.ts';
import { Submitter, type SubmitterState } from '../../cli/game/submitter.ts';
import type { Deployment } from '../../cli/game/types.ts';
import { parseInput } from '../../cli/inputs.ts';
import { prepareModel } from '../../models/prepare.ts';

const BIN = path.resolve('bin/opml.js');
const PASSWORD = 'correct horse battery staple';
let dir: string;
let keystoreFile: string;
let castAddress: string;
let pwFile: string;
let wrongPwFile: string;

/** The environment without any OPML_* variable (so the tests see only what they set). */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPML_')));
  return { ...env, ...extra };
}

function opml(args: string[], env: Record<string, string> = {}, cwd = dir) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => l.startsWith('opml:') || l.startsWith('  fix:')).join('\n') };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'opml-keys-'));
  const ksDir = path.join(dir, 'ks');
  mkdirSync(ksDir);
  const r = spawnSync(foundryBinary('cast'), ['wallet', 'new', ksDir, '--unsafe-password', PASSWORD], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  castAddress = /Address:\s+(0x[0-9a-fA-F]{40})/.exec(r.stdout)![1];
  keystoreFile = path.join(ksDir, readdirSync(ksDir)[0]);
  pwFile = path.join(dir, 'pw.txt');
  writeFileSync(pwFile, `${PASSWORD}\n`);
  wrongPwFile = path.join(dir, 'wrong.txt');
  writeFileSync(wrongPwFile, 'not it\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('keystores', () => {
  it('a keystore from `cast wallet new` decrypts to the address cast reports', async () => {
    const key = await decryptKeystore(readFileSync(keystoreFile, 'utf8'), PASSWORD, keystoreFile);
    expect(privateKeyToAccount(key).address.toLowerCase()).toBe(castAddress.toLowerCase());
  });

  it('the Web3 Secret Storage pbkdf2 test vector decrypts', async () => {
    const v = {
      crypto: {
        cipher: 'aes-128-ctr',
        cipherparams: { iv: '6087dab2f9fdbbfaddc31a909735c1e6' },
        ciphertext: '5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46',
        kdf: 'pbkdf2',
        kdfparams: { c: 262144, dklen: 32, prf: 'hmac-sha256', salt: 'ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd' },
        mac: '517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2',
      },
      id: '3198bc9c-6672-5ab3-d995-4942343ae5b6',
      version: 3,
    };
    expect(await decryptKeystore(JSON.stringify(v), 'testpassword')).toBe('0x7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d');
  });

  it('a wrong password, a malformed file, an unsupported KDF and no password are each exit 2 with a fix', async () => {
    await expect(resolveKey({ keystore: keystoreFile, passwordFile: wrongPwFile }, 1, {}, cleanEnv())).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/^wrong password for the keystore /), hint: expect.stringMatching(/--password-file/) });
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"version": 3, "crypto": ');
    await expect(resolveKey({ keystore: bad }, 1, {}, cleanEnv({ OPML_PASSWORD: 'x' }))).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/is not a valid v3 keystore: not JSON/), hint: expect.stringMatching(/cast wallet new/) });
    const odd = path.join(dir, 'odd.json');
    const doc = JSON.parse(readFileSync(keystoreFile, 'utf8'));
    doc.crypto.kdf = 'argon2id';
    writeFileSync(odd, JSON.stringify(doc));
    await expect(resolveKey({ keystore: odd }, 1, {}, cleanEnv({ OPML_PASSWORD: 'x' }))).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/key derivation "argon2id"; only scrypt and pbkdf2/) });
    await expect(resolveKey({ keystore: path.join(dir, 'missing.json') }, 1, {}, cleanEnv({ OPML_PASSWORD: 'x' }))).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/cannot read the keystore/) });
    await expect(resolveKey({ keystore: keystoreFile }, 1, {}, cleanEnv())).rejects.toMatchObject({ exitCode: 2, message: expect.stringMatching(/needs a password/) });
  }, 30_000);

  it('the password from --password-file, OPML_PASSWORD or OPML_PASSWORD_FILE', async () => {
    const want = privateKeyToAccount(await decryptKeystore(readFileSync(keystoreFile, 'utf8'), PASSWORD)).address;
    const addr = async (p: Promise<Hex | undefined>) => privateKeyToAccount((await p)!).address;
    expect(await addr(resolveKey({ keystore: keystoreFile, passwordFile: pwFile }, 1, {}, cleanEnv({ OPML_PASSWORD: 'wrong' })))).toBe(want);
    expect(await addr(resolveKey({ keystore: keystoreFile }, 1, {}, cleanEnv({ OPML_PASSWORD: PASSWORD })))).toBe(want);
    expect(await addr(resolveKey({ keystore: keystoreFile }, 1, {}, cleanEnv({ OPML_PASSWORD_FILE: pwFile })))).toBe(want);
    expect(await addr(resolveKey({ keystore: keystoreFile }, 1, { passwordFile: pwFile }, cleanEnv()))).toBe(want);
  }, 30_000);
});

describe('config and key precedence', () => {
  const K = (b: string) => `0x${b.repeat(64)}` as Hex;

  it('flag > env > config file > default for the connection settings', () => {
    const cfg = path.join(dir, 'config.json');
    writeFileSync(cfg, JSON.stringify({ rpcUrl: 'http://config', deployment: 'config.json', keystore: 'cfg.json' }));
    expect(resolveChainOptions({ config: cfg }, cleanEnv())).toMatchObject({ rpcUrl: 'http://config', deployment: 'config.json', gameAddress: undefined });
    expect(resolveChainOptions({ config: cfg }, cleanEnv({ OPML_RPC_URL: 'http://env', OPML_DEPLOYMENT: 'env.json' }))).toMatchObject({ rpcUrl: 'http://env', deployment: 'env.json' });
    expect(resolveChainOptions({ config: cfg, rpcUrl: 'http://flag' }, cleanEnv({ OPML_RPC_URL: 'http://env' }))).toMatchObject({ rpcUrl: 'http://flag' });
    expect(resolveChainOptions({}, cleanEnv({ OPML_CONFIG: cfg }))).toMatchObject({ rpcUrl: 'http://config' });
    // no config anywhere: the defaults
    const empty = mkdtempSync(path.join(tmpdir(), 'opml-keys-cwd-'));
    const cwd = process.cwd();
    try {
      process.chdir(empty);
      expect(resolveChainOptions({}, cleanEnv())).toEqual({ rpcUrl: undefined, gameAddress: undefined, deployment: path.join('.opml', 'deployment.json'), config: {} });
      mkdirSync('.opml');
      writeFileSync(path.join('.opml', 'config.json'), JSON.stringify({ gameAddress: '0x' + '22'.repeat(20) }));
      expect(resolveChainOptions({}, cleanEnv()).gameAddress).toBe('0x' + '22'.repeat(20));
      // a deployment flag outranks a game address from the config file; a game-address flag outranks both
      expect(resolveChainOptions({ deployment: 'd.json' }, cleanEnv()).gameAddress).toBeUndefined();
      expect(resolveChainOptions({ deployment: 'd.json', gameAddress: '0x' + '33'.repeat(20) }, cleanEnv()).gameAddress).toBe('0x' + '33'.repeat(20));
    } finally {
      process.chdir(cwd);
      rmSync(empty, { recursive: true, force: true });
    }
    writeFileSync(cfg, JSON.stringify({ rpcURL: 'typo' }));
    expect(() => resolveChainOptions({ config: cfg }, cleanEnv())).toThrow(/unknown key "rpcURL"/);
    expect(() => resolveChainOptions({ config: path.join(dir, 'nope.json') }, cleanEnv())).toThrow(/no config file/);
  });

  it('per-role keys outrank OPML_PRIVATE_KEY; --keystore outranks both; anvil keys stay the default on 31337', async () => {
    const env = cleanEnv({ OPML_PRIVATE_KEY: K('1'), OPML_SUBMITTER_KEY: K('2'), OPML_CHALLENGER_KEY: K('3') });
    expect(await resolveKey({ account: 0 }, 5, {}, env)).toBe(K('2'));
    expect(await resolveKey({ account: 1 }, 5, {}, env)).toBe(K('3'));
    expect(await resolveKey({}, 5, {}, env)).toBe(K('1'));
    expect(await resolveKey({ account: 0 }, 5, {}, cleanEnv({ OPML_PRIVATE_KEY: K('1'), OPML_CHALLENGER_KEY: K('3') }))).toBe(K('1'));
    const castKey = await decryptKeystore(readFileSync(keystoreFile, 'utf8'), PASSWORD);
    expect(await resolveKey({ account: 1, keystore: keystoreFile, passwordFile: pwFile }, 5, {}, env)).toBe(castKey);
    expect(await resolveKey({ account: 1 }, 5, {}, cleanEnv({ OPML_PRIVATE_KEY: K('1'), OPML_CHALLENGER_KEYSTORE: keystoreFile, OPML_PASSWORD: PASSWORD }))).toBe(castKey);
    expect(await resolveKey({ account: 0 }, 5, {}, cleanEnv({ OPML_KEYSTORE: keystoreFile, OPML_PASSWORD: PASSWORD }))).toBe(castKey);
    // env outranks the config file's keystore; the config's role keystore outranks its plain one
    expect(await resolveKey({ account: 0 }, 5, { keystore: keystoreFile, passwordFile: pwFile }, cleanEnv({ OPML_PRIVATE_KEY: K('1') }))).toBe(K('1'));
    expect(await resolveKey({ account: 1 }, 5, { challengerKeystore: keystoreFile, keystore: 'missing.json', passwordFile: pwFile }, cleanEnv())).toBe(castKey);
    expect(await resolveKey({ account: 0 }, 31337, {}, cleanEnv())).toBe(ANVIL_KEYS[0]);
    expect(await resolveKey({ account: 1 }, 31337, {}, cleanEnv())).toBe(ANVIL_KEYS[1]);
    expect(await resolveKey({ readOnly: true }, 5, {}, cleanEnv())).toBeUndefined();
    await expect(resolveKey({ account: 0 }, 5, {}, cleanEnv())).rejects.toMatchObject({ exitCode: 2, message: 'no key for chain 5' });
    await expect(resolveKey({}, 5, {}, cleanEnv({ OPML_PRIVATE_KEY: '0x12' }))).rejects.toThrow(/OPML_PRIVATE_KEY is not a 32-byte hex key/);
  }, 30_000);
});

describe.each([31337, 1337])('opml status against an existing game on chain %i, no key, no deployment file', (chainId) => {
  let anvil: Anvil;
  let deployment: Deployment;
  let cwd: string;

  beforeAll(async () => {
    anvil = await startAnvil({ chainId });
    cwd = mkdtempSync(path.join(tmpdir(), 'opml-keys-status-'));
    deployment = await GameChain.deploy(anvil.rpcUrl, ANVIL_KEYS[0], profile('devnet').params);
    const chain = await GameChain.connect(deployment, ANVIL_KEYS[0] as Hex);
    const prepared = prepareModel('mnist-mlp');
    const claims = new HonestClaims(prepared.int, parseInput('mnist:3', prepared.int).words);
    const sub = new Submitter(chain, claims, Store.openBound<SubmitterState>(path.join(cwd, 'sub-state.json'), { role: 'submitter', model: 'mnist-mlp', input: 'mnist:3' }, { chainId: deployment.chainId, game: deployment.game }));
    await sub.submit(parseEther('0.1'));
    rmSync(path.join(cwd, 'sub-state.json'), { force: true });
  }, 300_000);

  afterAll(async () => {
    await anvil?.stop();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('reads the deployment from the contract', async () => {
    const d = await GameChain.deploymentAt(anvil.rpcUrl, deployment.game);
    expect(d).toMatchObject({ ...deployment, deployBlock: expect.any(String) });
    expect(BigInt(d.deployBlock)).toBeGreaterThanOrEqual(BigInt(deployment.deployBlock));
    expect(BigInt(d.deployBlock)).toBeLessThanOrEqual(BigInt(deployment.deployBlock) + 1n);
  });

  it('status works with only --rpc-url and --game-address', () => {
    expect(readdirSync(cwd)).toEqual([]);
    const r = opml(['status', '0', '--rpc-url', anvil.rpcUrl, '--game-address', deployment.game, '--json'], {}, cwd);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.submission.status).toBe(1);
    expect(String(out.submission.submitter).toLowerCase()).toBe(privateKeyToAccount(ANVIL_KEYS[0]).address.toLowerCase());
    // the same through the environment and a config file
    expect(opml(['status', '0'], { OPML_RPC_URL: anvil.rpcUrl, OPML_GAME_ADDRESS: deployment.game }, cwd).code).toBe(0);
    const cfg = path.join(dir, `cfg-${chainId}.json`);
    writeFileSync(cfg, JSON.stringify({ rpcUrl: anvil.rpcUrl, gameAddress: deployment.game }));
    expect(opml(['status', '0', '--config', cfg], {}, cwd).code).toBe(0);
  }, 60_000);

  it('a wrong keystore password is exit 2 with the fix', () => {
    const r = opml(['status', '0', '--rpc-url', anvil.rpcUrl, '--game-address', deployment.game, '--keystore', keystoreFile, '--password-file', wrongPwFile], {}, cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^opml: wrong password for the keystore .*\n {2}fix: check --password-file or OPML_PASSWORD/);
  }, 60_000);

  it('a write without a key: exit 2 naming the missing key (off anvil\'s chain id), and a read-only GameChain refuses writes', async () => {
    if (chainId !== 31337) {
      const r = opml(['register', 'mnist-mlp', '--rpc-url', anvil.rpcUrl, '--game-address', deployment.game], {}, cwd);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^opml: no key for chain 1337\n {2}fix: pass --keystore <file>/);
    }
    const ro = await GameChain.connect(deployment);
    expect(ro.canWrite).toBe(false);
    expect(await ro.submissionCount()).toBe(1n);
    await expect(ro.challenge(0n)).rejects.toThrow(/challenge needs a key, and none was given/);
  }, 60_000);
});
