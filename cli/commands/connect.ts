/**
 * Where a chain command connects, and with which key.
 *
 * Every chain option comes from (highest first) its flag, its OPML_* environment variable, the config file
 * (`--config <file>`, else OPML_CONFIG, else .opml/config.json when it exists), then the default:
 *
 *   --rpc-url        OPML_RPC_URL       rpcUrl        (default: the deployment file's)
 *   --deployment     OPML_DEPLOYMENT    deployment    (default .opml/deployment.json, as `opml devnet`/`deploy` write)
 *   --game-address   OPML_GAME_ADDRESS  gameAddress   (an existing game, read from the contract; no deployment file)
 *   --keystore       OPML_KEYSTORE      keystore      (a v3 JSON keystore, as `cast wallet new` writes)
 *   --password-file  OPML_PASSWORD_FILE passwordFile  (or OPML_PASSWORD, or a prompt when stdin is a terminal)
 *   --max-fee, --priority-fee, --confirmations, --log-range, --signer-url, --signer-address: how transactions
 *                    are sent and logs read (see cli/chain/tx.ts); env OPML_MAX_FEE, OPML_PRIORITY_FEE,
 *                    OPML_CONFIRMATIONS, OPML_LOG_RANGE, OPML_SIGNER_URL, OPML_SIGNER_ADDRESS; config keys maxFee,
 *                    priorityFee, confirmations, logRange (strings or numbers), signerUrl, signerAddress
 *
 * With a remote signer (--signer-url) transactions are signed there and no key is read.
 *
 * Paths in the config file are relative to the current directory. When both a game address and a deployment
 * file are given, the one from the higher level wins (the address on a tie).
 *
 * The key: --keystore; then the role's own OPML_SUBMITTER_KEY / OPML_SUBMITTER_KEYSTORE (submit, watch --role
 * submitter) or OPML_CHALLENGER_KEY / OPML_CHALLENGER_KEYSTORE (challenge, watch --role challenger); then
 * OPML_PRIVATE_KEY / OPML_KEYSTORE; then the config's submitterKeystore / challengerKeystore, then keystore; on a
 * local anvil (chain 31337) its test accounts. Read-only commands (status) connect without a key.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isAddress, type Address, type Hex } from 'viem';
import { ANVIL_KEYS } from '../chain/anvil.ts';
import { decryptKeystore } from '../chain/keystore.ts';
import { parseSigner, parseTxSettings, type RemoteSignerSpec, type TxSettings } from '../chain/tx.ts';
import { GameChain, type KeySource } from '../game/chain.ts';
import type { Deployment } from '../game/types.ts';
import { privateKeyProblem } from '../args.ts';
import { ExitCode, OpmlError, printable } from '../errors.ts';

export const DEFAULT_DEPLOYMENT = path.join('.opml', 'deployment.json');
export const DEFAULT_CONFIG = path.join('.opml', 'config.json');
export { ANVIL_KEYS };

export interface ChainOptions {
  rpcUrl?: string;
  deployment?: string;
  gameAddress?: string;
  keystore?: string;
  passwordFile?: string;
  config?: string;
  /** which anvil test account to default to on a local chain (0 submitter, 1 challenger); also picks the role's key */
  account?: number;
  /** connect without a key when none is configured (reads only; writes throw) */
  readOnly?: boolean;
  /** EIP-1559 maxFeePerGas cap, in gwei */
  maxFee?: string;
  /** EIP-1559 maxPriorityFeePerGas, in gwei */
  priorityFee?: string;
  /** blocks a write must be under before it counts as done (default 1) */
  confirmations?: string | number;
  /** most blocks per eth_getLogs (default 5000) */
  logRange?: string | number;
  /** a remote JSON-RPC signer that signs the transactions */
  signerUrl?: string;
  /** the signer's account to use (default its first) */
  signerAddress?: string;
}

/** The config file's keys (all optional). */
export interface OpmlConfig {
  rpcUrl?: string;
  deployment?: string;
  gameAddress?: string;
  keystore?: string;
  passwordFile?: string;
  submitterKeystore?: string;
  challengerKeystore?: string;
  maxFee?: string | number;
  priorityFee?: string | number;
  confirmations?: string | number;
  logRange?: string | number;
  signerUrl?: string;
  signerAddress?: string;
}

const CONFIG_KEYS = ['rpcUrl', 'deployment', 'gameAddress', 'keystore', 'passwordFile', 'submitterKeystore', 'challengerKeystore', 'maxFee', 'priorityFee', 'confirmations', 'logRange', 'signerUrl', 'signerAddress'] as const;
/** Config keys that may be JSON numbers as well as strings. */
const NUMERIC_CONFIG_KEYS: readonly string[] = ['maxFee', 'priorityFee', 'confirmations', 'logRange'];

/** The config file: `file` (must exist), else OPML_CONFIG (must exist), else .opml/config.json if it exists. */
export function loadConfig(file?: string, env: NodeJS.ProcessEnv = process.env): OpmlConfig {
  const explicit = file ?? env.OPML_CONFIG;
  const f = explicit ?? DEFAULT_CONFIG;
  if (!existsSync(f)) {
    if (explicit) throw new OpmlError(`no config file at ${f}`, ExitCode.USAGE, 'check --config / OPML_CONFIG');
    return {};
  }
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(f, 'utf8'));
  } catch {
    throw new OpmlError(`the config file ${f} is not valid JSON`, ExitCode.USAGE, `fix it; its keys are ${CONFIG_KEYS.join(', ')}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new OpmlError(`the config file ${f} is not a JSON object`, ExitCode.USAGE, `write {"rpcUrl": "...", ...}; its keys are ${CONFIG_KEYS.join(', ')}`);
  for (const [k, v] of Object.entries(doc)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) throw new OpmlError(`the config file ${printable(f)} has an unknown key "${printable(k, 40)}"`, ExitCode.USAGE, `its keys are ${CONFIG_KEYS.join(', ')}`);
    if (typeof v !== 'string' && !(typeof v === 'number' && NUMERIC_CONFIG_KEYS.includes(k))) throw new OpmlError(`the config file ${printable(f)}: "${k}" is not a string`, ExitCode.USAGE, `write "${k}": "<value>"; its keys are ${CONFIG_KEYS.join(', ')}`);
  }
  return doc as OpmlConfig;
}

/** A setting with its level: 3 flag, 2 environment, 1 config file, 0 unset. */
function pick(flag: string | undefined, envValue: string | undefined, config: string | undefined): { value?: string; level: number } {
  if (flag) return { value: flag, level: 3 };
  if (envValue) return { value: envValue, level: 2 };
  if (config) return { value: config, level: 1 };
  return { level: 0 };
}

export interface ResolvedChainOptions {
  rpcUrl?: string;
  /** set when the game is named by address; else `deployment` is the file to read */
  gameAddress?: Address;
  deployment: string;
  config: OpmlConfig;
}

/** Flag > env > config file > default for the connection settings (not the key). */
export function resolveChainOptions(opts: ChainOptions, env: NodeJS.ProcessEnv = process.env): ResolvedChainOptions {
  const config = loadConfig(opts.config, env);
  const rpc = pick(opts.rpcUrl, env.OPML_RPC_URL, config.rpcUrl);
  const dep = pick(opts.deployment, env.OPML_DEPLOYMENT, config.deployment);
  const game = pick(opts.gameAddress, env.OPML_GAME_ADDRESS, config.gameAddress);
  const useGame = game.level > 0 && game.level >= dep.level;
  if (useGame && !isAddress(game.value!, { strict: false })) throw new OpmlError(`the game address "${game.value}" is not an address`, ExitCode.USAGE, 'pass 0x followed by 40 hex digits');
  return { rpcUrl: rpc.value, gameAddress: useGame ? (game.value as Address) : undefined, deployment: dep.value ?? DEFAULT_DEPLOYMENT, config };
}

export function readDeployment(file = DEFAULT_DEPLOYMENT): Deployment {
  if (!existsSync(file)) throw new OpmlError(`no deployment file at ${printable(file)}`, ExitCode.CHAIN, 'start `opml devnet` in another terminal, run `opml deploy --rpc-url <url>`, or name an existing game with --game-address <addr> --rpc-url <url>');
  const fix = 'deploy again (`opml deploy` or `opml devnet` write it), or name the game with --game-address <addr> --rpc-url <url>';
  if (!statSync(file).isFile()) throw new OpmlError(`the deployment file ${printable(file)} is not a file`, ExitCode.INPUT, fix);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const why = err instanceof RangeError ? 'nested too deeply' : 'not valid JSON';
    throw new OpmlError(`the deployment file ${printable(file)} is ${why}`, ExitCode.INPUT, fix);
  }
  return checkDeployment(doc, file, fix);
}

const UINT256_LIMIT = 1n << 256n;

/** The deployment file's fields, each checked for its type and range; the first bad one is named (unknown fields are ignored). */
export function checkDeployment(doc: unknown, file: string, fix = 'deploy again'): Deployment {
  const where = `the deployment file ${printable(file)}`;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new OpmlError(`${where} is not a JSON object`, ExitCode.INPUT, fix);
  const d = doc as Record<string, unknown>;
  const bad = (field: string, want: string): never => {
    const got = d[field];
    const shown = got === undefined ? 'missing' : `${Array.isArray(got) ? 'an array' : got === null ? 'null' : typeof got === 'object' ? 'an object' : JSON.stringify(got)}`;
    throw new OpmlError(`${where}: "${field}" is ${got === undefined ? 'missing' : printable(shown, 40)}, expected ${want}`, ExitCode.INPUT, fix);
  };
  const str = (f: string, test: (v: string) => boolean, want: string) => (typeof d[f] === 'string' && test(d[f] as string) ? (d[f] as string) : bad(f, want));
  const uintNumber = (f: string, min: number, want: string) => (typeof d[f] === 'number' && Number.isSafeInteger(d[f]) && (d[f] as number) >= min ? (d[f] as number) : bad(f, want));
  const weiString = (v: string) => /^\d{1,78}$/.test(v) && BigInt(v) < UINT256_LIMIT;
  const address = (v: string) => isAddress(v, { strict: false });
  return {
    rpcUrl: str('rpcUrl', (v) => /^(https?|wss?):\/\/\S+$/.test(v), 'an http(s) or ws(s) URL'),
    chainId: uintNumber('chainId', 1, 'a chain id (a whole number ≥ 1)'),
    judge: str('judge', address, 'an address (0x and 40 hex digits)') as Address,
    game: str('game', address, 'an address (0x and 40 hex digits)') as Address,
    minBond: str('minBond', weiString, 'an amount in wei as a decimal string'),
    challengeBond: str('challengeBond', weiString, 'an amount in wei as a decimal string'),
    challengeWindow: uintNumber('challengeWindow', 1, 'seconds (a whole number ≥ 1)'),
    clockSeconds: uintNumber('clockSeconds', 1, 'seconds (a whole number ≥ 1)'),
    moveIncrement: uintNumber('moveIncrement', 0, 'seconds (a whole number ≥ 0)'),
    arity: uintNumber('arity', 2, 'the parts per cut (a whole number ≥ 2; deployments made before k-ary dissection have none: deploy again)'),
    deployBlock: str('deployBlock', (v) => /^\d{1,20}$/.test(v), 'a block number as a decimal string'),
  };
}

export function writeDeployment(d: Deployment, file = DEFAULT_DEPLOYMENT): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(d, null, 2)}\n`);
}

function checkHexKey(k: string, name: string): Hex {
  const problem = privateKeyProblem(k);
  if (problem) throw new OpmlError(`${name} ${problem}`, ExitCode.USAGE, 'set it to 0x followed by 64 hex digits, a key between 1 and the secp256k1 order');
  return k as Hex;
}

/** A malformed OPML_PRIVATE_KEY is a usage error before anything touches the chain (as with every chain command). */
export function checkPrivateKeyVariable(env: NodeJS.ProcessEnv = process.env): void {
  if (env.OPML_PRIVATE_KEY) checkHexKey(env.OPML_PRIVATE_KEY, 'OPML_PRIVATE_KEY');
}

/** The plain-key default (OPML_PRIVATE_KEY, else anvil's test key on chain 31337). */
export function privateKey(chainId: number, account = 0): Hex {
  const k = process.env.OPML_PRIVATE_KEY;
  if (k) return checkHexKey(k, 'OPML_PRIVATE_KEY');
  if (chainId === 31337) return ANVIL_KEYS[account] ?? ANVIL_KEYS[0];
  throw new OpmlError(`no key for chain ${chainId}`, ExitCode.USAGE, 'set OPML_PRIVATE_KEY to the key that pays for the transactions, or pass --keystore <file>');
}

/** Read a line from the terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    let value = '';
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (buf: Buffer) => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') return done();
        if (ch === '\u0003') return done(new OpmlError('interrupted', ExitCode.USAGE));
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}

/** The keystore's password: --password-file, OPML_PASSWORD, OPML_PASSWORD_FILE, the config's passwordFile, a prompt. */
export async function keystorePassword(keystore: string, passwordFile: string | undefined, config: OpmlConfig, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const readPw = (f: string) => {
    try {
      return readFileSync(f, 'utf8').replace(/\r?\n$/, '');
    } catch {
      throw new OpmlError(`cannot read the password file ${f}`, ExitCode.USAGE, 'check --password-file / OPML_PASSWORD_FILE');
    }
  };
  if (passwordFile) return readPw(passwordFile);
  if (env.OPML_PASSWORD !== undefined) return env.OPML_PASSWORD;
  if (env.OPML_PASSWORD_FILE) return readPw(env.OPML_PASSWORD_FILE);
  if (config.passwordFile) return readPw(config.passwordFile);
  if (process.stdin.isTTY) return promptHidden(`password for ${keystore}: `);
  throw new OpmlError(`the keystore ${keystore} needs a password`, ExitCode.USAGE, 'pass --password-file <file> or set OPML_PASSWORD (or run in a terminal to be asked)');
}

/** Decrypt the keystore at `file`. */
export async function keyFromKeystore(file: string, passwordFile: string | undefined, config: OpmlConfig, env: NodeJS.ProcessEnv = process.env): Promise<Hex> {
  let json: string;
  try {
    json = readFileSync(file, 'utf8');
  } catch {
    throw new OpmlError(`cannot read the keystore ${file}`, ExitCode.USAGE, 'check --keystore / OPML_KEYSTORE (a file, as `cast wallet new <dir>` writes)');
  }
  return decryptKeystore(json, await keystorePassword(file, passwordFile, config, env), file);
}

/**
 * The key for a chain command (see the file comment for the order); undefined only when `readOnly` and nothing
 * is configured off a local anvil.
 */
export async function resolveKey(opts: ChainOptions, chainId: number, config: OpmlConfig, env: NodeJS.ProcessEnv = process.env): Promise<Hex | undefined> {
  const role = opts.account === 0 ? 'submitter' : opts.account === 1 ? 'challenger' : undefined;
  const ks = (f: string) => keyFromKeystore(f, opts.passwordFile, config, env);
  if (opts.keystore) return ks(opts.keystore);
  if (role) {
    const R = role.toUpperCase();
    const k = env[`OPML_${R}_KEY`];
    if (k) return checkHexKey(k, `OPML_${R}_KEY`);
    const f = env[`OPML_${R}_KEYSTORE`];
    if (f) return ks(f);
  }
  if (env.OPML_PRIVATE_KEY) return checkHexKey(env.OPML_PRIVATE_KEY, 'OPML_PRIVATE_KEY');
  if (env.OPML_KEYSTORE) return ks(env.OPML_KEYSTORE);
  const roleKs = role === 'submitter' ? config.submitterKeystore : role === 'challenger' ? config.challengerKeystore : undefined;
  if (roleKs) return ks(roleKs);
  if (config.keystore) return ks(config.keystore);
  if (chainId === 31337) return ANVIL_KEYS[opts.account ?? 0] ?? ANVIL_KEYS[0];
  if (opts.readOnly) return undefined;
  const roleVar = role ? `OPML_${role.toUpperCase()}_KEY or ` : '';
  throw new OpmlError(`no key for chain ${chainId}`, ExitCode.USAGE, `pass --keystore <file>, or set ${roleVar}OPML_PRIVATE_KEY to the key that pays for the transactions`);
}

/** The deployment a command talks to: a deployment file, or a game address read from the contract. */
export async function resolveDeployment(r: ResolvedChainOptions): Promise<Deployment> {
  if (r.gameAddress) {
    if (!r.rpcUrl) throw new OpmlError('--game-address needs the chain to read it from', ExitCode.USAGE, 'pass --rpc-url <url> (or set OPML_RPC_URL, or rpcUrl in the config file)');
    return GameChain.deploymentAt(r.rpcUrl, r.gameAddress);
  }
  const d = readDeployment(r.deployment);
  return r.rpcUrl ? { ...d, rpcUrl: r.rpcUrl } : d;
}

/** How transactions are sent and logs read, and the remote signer if any: flag > env > config file > default. */
export function resolveTxOptions(opts: ChainOptions, config: OpmlConfig, env: NodeJS.ProcessEnv = process.env): { tx: TxSettings; signer?: RemoteSignerSpec } {
  const first = <T>(...vs: (T | undefined)[]): T | undefined => vs.find((v) => v !== undefined && v !== '');
  // Name the setting where its value came from, so the error points at the right place.
  const nameOf = (flag: string, envName: string, key: keyof OpmlConfig, own: unknown) => (own !== undefined && own !== '' ? flag : env[envName] ? envName : `${key} in the config file`);
  const tx = parseTxSettings(
    {
      maxFee: first(opts.maxFee, env.OPML_MAX_FEE, config.maxFee),
      priorityFee: first(opts.priorityFee, env.OPML_PRIORITY_FEE, config.priorityFee),
      confirmations: first(opts.confirmations, env.OPML_CONFIRMATIONS, config.confirmations),
      logRange: first(opts.logRange, env.OPML_LOG_RANGE, config.logRange),
    },
    {
      maxFee: nameOf('--max-fee', 'OPML_MAX_FEE', 'maxFee', opts.maxFee),
      priorityFee: nameOf('--priority-fee', 'OPML_PRIORITY_FEE', 'priorityFee', opts.priorityFee),
      confirmations: nameOf('--confirmations', 'OPML_CONFIRMATIONS', 'confirmations', opts.confirmations),
      logRange: nameOf('--log-range', 'OPML_LOG_RANGE', 'logRange', opts.logRange),
    },
  );
  const url = first(opts.signerUrl, env.OPML_SIGNER_URL, config.signerUrl);
  const address = first(opts.signerAddress, env.OPML_SIGNER_ADDRESS, config.signerAddress);
  if (!url && address) throw new OpmlError('--signer-address needs --signer-url', ExitCode.USAGE, 'pass the remote signer as --signer-url <url> (or OPML_SIGNER_URL), or drop --signer-address');
  return { tx, signer: url ? parseSigner(url, address) : undefined };
}

/** Who signs a chain command's transactions: the remote signer if one is configured (not for reads), else the key. */
export async function resolveSigner(opts: ChainOptions, chainId: number, config: OpmlConfig, signer: RemoteSignerSpec | undefined, env: NodeJS.ProcessEnv = process.env): Promise<KeySource | undefined> {
  if (signer && !opts.readOnly) return signer;
  return resolveKey(opts, chainId, config, env);
}

export async function connect(opts: ChainOptions): Promise<GameChain> {
  const r = resolveChainOptions(opts);
  const { tx, signer } = resolveTxOptions(opts, r.config);
  const deployment = await resolveDeployment(r);
  return GameChain.connect(deployment, await resolveSigner(opts, deployment.chainId, r.config, signer), tx);
}
