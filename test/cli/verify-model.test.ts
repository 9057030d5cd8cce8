/**
 * `opml verify-model` and checkModel: the TypeScript twin of ModelValidator names the same rule the contract
 * reverts with on hand-broken commitments (checked against the deployed validator), passes the zoo models, and the
 * command passes a registered model, fails an unregistered one with a clear message (exit 3), runs the off-chain
 * checks alone without a deployment file, and exits 4 when the chain cannot be read.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { BaseError, ContractFunctionRevertedError, createPublicClient, http, type Address, type Hex } from 'viem';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployedGame, type DeployedGame } from '../support/chain.ts';
import type { Anvil } from '../../cli/chain/anvil.ts';
import { loadArtifact } from '../../cli/chain/artifacts.ts';
import { ANVIL_KEYS } from '../../cli/commands/connect.ts';
import { checkWeights, verifyModel, type VerifyResult } from '../../cli/commands/verifyModel.ts';
import { ExitCode, OpmlError } from '../../cli/errors.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { checkModel, type ModelRule } from '../../cli/game/modelChecks.ts';
import type { Deployment } from '../../cli/game/types.ts';
import { Output } from '../../cli/output.ts';
import { modelCommitment, toAbiNodeSpec, UNTILED, type InputRegion, type ModelCommitment, type NodeSpec } from '../../models/int/commitment.ts';
import { prepareModel } from '../../models/prepare.ts';

const ZERO: Hex = `0x${'00'.repeat(32)}`;
const root = (n: number): Hex => `0x${n.toString(16).padStart(64, '0')}`;
const slot = (s: number, base: number, height: number): InputRegion => ({ fromSlot: true, slot: s, root: ZERO, base, height });
const constant = (r: number, base: number, height: number): InputRegion => ({ fromSlot: false, slot: 0, root: root(r), base, height });

type Shape = Pick<ModelCommitment, 'nodes' | 'inputWords' | 'outputSlot' | 'outputWords'>;

/**
 * A valid model: inputs of 8 and 64 words (heights 0 and 3); node 0 reads input 0 and a constant and writes 16
 * words (slot 2); node 1 reads input 1 and slot 2 and writes 8 words (slot 3); node 2 reads slot 3 and writes the
 * output (slot 4).
 */
function good(): Shape {
  const nodes: NodeSpec[] = [
    { codeRoot: root(100), steps: 10, outBase: 0, outHeight: 1, inputs: [slot(0, 0, 0), constant(1, 32, 2)], ...UNTILED },
    { codeRoot: root(101), steps: 20, outBase: 0, outHeight: 0, inputs: [slot(1, 0, 3), slot(2, 64, 1)], ...UNTILED },
    { codeRoot: root(102), steps: 30, outBase: 8, outHeight: 0, inputs: [slot(3, 0, 0)], ...UNTILED },
  ];
  return { nodes, inputWords: [8, 64], outputSlot: 4, outputWords: 8 };
}

function broken(edit: (m: Shape) => void): Shape {
  const m = structuredClone(good());
  edit(m);
  return m;
}

const CASES: { name: string; rule: ModelRule; model: Shape }[] = [
  { name: 'unsorted regions', rule: 'RegionsOverlap', model: broken((m) => m.nodes[1].inputs.reverse()) },
  { name: 'overlapping regions', rule: 'RegionsOverlap', model: broken((m) => (m.nodes[0].inputs[1].base = 0)) },
  { name: 'a slot not produced yet (the node reads its own output)', rule: 'SlotNotProducedYet', model: broken((m) => (m.nodes[1].inputs[1].slot = 3)) },
  { name: 'a slot of a later node', rule: 'SlotNotProducedYet', model: broken((m) => (m.nodes[0].inputs[0].slot = 4)) },
  { name: "a region's height is not its slot's", rule: 'SlotHeightMismatch', model: broken((m) => (m.nodes[1].inputs[0].height = 2)) },
  { name: 'zero steps', rule: 'ZeroSteps', model: broken((m) => (m.nodes[2].steps = 0)) },
  { name: 'too many inputs (33 regions)', rule: 'ModelTooLarge', model: broken((m) => (m.nodes[0].inputs = Array.from({ length: 33 }, (_, i) => slot(0, 8 * i, 0)))) },
  { name: 'a misaligned region', rule: 'RegionMisaligned', model: broken((m) => (m.nodes[0].inputs[1].base = 40)) },
  { name: 'a region past the end of memory', rule: 'RegionOutOfRange', model: broken((m) => (m.nodes[2].inputs[0].base = 2 ** 22)) },
  { name: 'an output region past the end of memory', rule: 'RegionOutOfRange', model: broken((m) => (m.nodes[1].outHeight = 20)) },
  { name: 'no node', rule: 'EmptyModel', model: broken((m) => ((m.nodes = []), (m.outputSlot = 0))) },
  { name: 'an empty graph input', rule: 'TensorSizeOutOfRange', model: broken((m) => (m.inputWords[0] = 0)) },
  { name: 'an output slot out of range', rule: 'OutputSlotOutOfRange', model: broken((m) => (m.outputSlot = 5)) },
  { name: "an output whose height is not its slot's", rule: 'SlotHeightMismatch', model: broken((m) => (m.outputWords = 9)) },
];

let game: DeployedGame;
let anvil: Anvil;
let deployment: Deployment;
let dir: string;
let depFile: string;
let validator: Address;
const validatorAbi = loadArtifact('ModelValidator').abi;

/** What the deployed ModelValidator says: the nodes root, or the name of the error it reverts with. */
async function onChain(m: Shape): Promise<{ nodesRoot?: Hex; error?: string }> {
  const client = createPublicClient({ transport: http(anvil.rpcUrl) });
  try {
    const nodesRoot = (await client.readContract({ address: validator, abi: validatorAbi, functionName: 'validate', args: [m.nodes.map(toAbiNodeSpec), m.inputWords, m.outputSlot, m.outputWords] })) as Hex;
    return { nodesRoot };
  } catch (err) {
    const revert = err instanceof BaseError ? (err.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null) : null;
    return { error: revert?.data?.errorName ?? String(err) };
  }
}

/** An Output that keeps what a command prints. */
class Capture extends Output {
  lines: string[] = [];
  results: unknown[] = [];
  constructor() {
    super({ quiet: true });
  }
  override line(text = ''): void {
    this.lines.push(text);
  }
  override result(value: unknown): void {
    this.results.push(value);
  }
}

async function verify(opts: Parameters<typeof verifyModel>[1]): Promise<{ result: VerifyResult; error?: OpmlError; lines: string[] }> {
  const out = new Capture();
  let error: OpmlError | undefined;
  try {
    await verifyModel('mnist-mlp', opts, out);
  } catch (err) {
    if (!(err instanceof OpmlError)) throw err;
    error = err;
  }
  return { result: out.results[0] as VerifyResult, error, lines: out.lines };
}

beforeAll(async () => {
  game = await deployedGame('verify');
  ({ anvil, dir, deployment, depFile } = game);
  const chain = await GameChain.connect(deployment, ANVIL_KEYS[1]);
  validator = await chain.read<Address>('modelValidator');
}, 300_000);

afterAll(async () => {
  await game?.stop();
});

describe('checkModel: the rules of ModelValidator', () => {
  it('passes the valid hand-made model, as the contract does', async () => {
    expect(checkModel(good())).toEqual([]);
    expect((await onChain(good())).nodesRoot).toMatch(/^0x[0-9a-f]{64}$/);
  });

  for (const c of CASES) {
    it(`catches ${c.name}: ${c.rule}, the error the contract reverts with`, async () => {
      const problems = checkModel(c.model);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems[0].rule).toBe(c.rule);
      expect(problems[0].message.length).toBeGreaterThan(10);
      expect((await onChain(c.model)).error).toBe(c.rule);
    });
  }

  it('lists every problem, where the contract stops at the first', () => {
    const m = broken((x) => {
      x.nodes[0].steps = 0;
      x.nodes[1].inputs.reverse();
      x.nodes[2].inputs[0].slot = 7;
    });
    expect(checkModel(m).map((p) => [p.rule, p.node])).toEqual([
      ['ZeroSteps', 0],
      ['RegionsOverlap', 1],
      ['SlotNotProducedYet', 2],
    ]);
  });

  for (const name of ['mnist-mlp', 'mnist-cnn', 'tiny-transformer']) {
    it(`passes ${name}, whose node tree the contract computes to the same root`, async () => {
      const prepared = prepareModel(name);
      const c = modelCommitment(prepared.int);
      expect(checkModel(c)).toEqual([]);
      expect(await onChain(c)).toEqual({ nodesRoot: c.nodesRoot });
      expect(checkWeights(prepared.int, c).status).toBe('ok');
    }, 120_000);
  }

  it('a tiled commitment (mnist-mlp, --tile-steps 4096: fc1 as 32 tiles) gets the same node tree root on-chain', async () => {
    const c = modelCommitment(prepareModel('mnist-mlp').int, { tileSteps: 4096 });
    expect(c.nodes[0].numTiles).toBe(32);
    expect(await onChain(c)).toEqual({ nodesRoot: c.nodesRoot });
  }, 120_000);

  it('the weights check notices a constant region that is not the root of a weight of the file', () => {
    const prepared = prepareModel('mnist-mlp');
    const c = modelCommitment(prepared.int);
    const k = c.nodes[0].inputs.findIndex((r) => !r.fromSlot);
    c.nodes[0].inputs[k] = { ...c.nodes[0].inputs[k], root: root(12345) };
    const check = checkWeights(prepared.int, c);
    expect(check.status).toBe('failed');
    expect(check.problems.join('\n')).toMatch(/node 0 \(fc1\): constant region \d+ .* is not the root of any weight tensor of the node/);
    expect(check.problems.join('\n')).toMatch(/node 0 \(fc1\): weight ".*" has no constant region with its root/);
  }, 120_000);
});

describe('opml verify-model', () => {
  it('an unregistered model: FAILED registered, exit 3, and how to register it', async () => {
    const { result, error, lines } = await verify({ deployment: depFile });
    expect(error?.exitCode).toBe(ExitCode.INPUT);
    expect(error?.message).toBe('verify-model: mnist-mlp failed registered');
    expect(error?.hint).toMatch(/opml register mnist-mlp/);
    expect(result.ok).toBe(false);
    expect(result.checks.map((k) => [k.name, k.status])).toEqual([
      ['registered', 'failed'],
      ['registration', 'ok'],
      ['forced moves', 'ok'],
      ['weights', 'ok'],
    ]);
    expect(result.checks[0].detail).toMatch(new RegExp(`^model ${result.modelId} is not registered on the game at ${deployment.game}`));
    expect(lines.join('\n')).toMatch(/^FAILED\s+registered\s+model 0x[0-9a-f]{64} is not registered/m);
  }, 120_000);

  it('a registered model passes every check (the CLI, --json: the checks as an array, exit 0)', async () => {
    const chain = await GameChain.connect(deployment, ANVIL_KEYS[0]);
    const c = modelCommitment(prepareModel('mnist-mlp').int);
    await chain.register(c);
    const r = spawnSync(process.execPath, [path.resolve('bin/opml.js'), 'verify-model', 'mnist-mlp', '--deployment', depFile, '--json'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as VerifyResult;
    expect(json.modelId).toBe(c.modelId);
    expect(json.ok).toBe(true);
    expect(json.onChain).toBe(true);
    expect(Array.isArray(json.checks)).toBe(true);
    expect(json.checks.map((k) => [k.name, k.status])).toEqual([
      ['registered', 'ok'],
      ['registration', 'ok'],
      ['forced moves', 'ok'],
      ['weights', 'ok'],
    ]);
    expect(json.checks[0].detail).toMatch(/nodesRoot, numNodes, outputSlot, outputWords and inputWords match/);
    expect(json.checks[3].detail).toMatch(/true by construction/);
  }, 180_000);

  it('the human report: one line per check, ok or FAILED', async () => {
    const { error, lines } = await verify({ deployment: depFile });
    expect(error).toBeUndefined();
    const text = lines.join('\n');
    for (const name of ['registered', 'registration', 'forced moves', 'weights']) expect(text).toMatch(new RegExp(`^ok\\s+${name}\\s+\\S`, 'm'));
  }, 120_000);

  it('--game-address with --rpc-url: no deployment file needed, the rest is read from the contract', async () => {
    const { result, error } = await verify({ deployment: path.join(dir, 'none.json'), gameAddress: deployment.game, rpcUrl: anvil.rpcUrl });
    expect(error).toBeUndefined();
    expect(result.onChain).toBe(true);
    expect(result.checks[0]).toMatchObject({ name: 'registered', status: 'ok' });
  }, 120_000);

  it('without a deployment file: the off-chain checks only, and it says so', async () => {
    const { result, error, lines } = await verify({ deployment: path.join(dir, 'none.json') });
    expect(error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.onChain).toBe(false);
    expect(result.checks[0]).toMatchObject({ name: 'registered', status: 'skipped' });
    expect(lines.join('\n')).toMatch(/off-chain checks only/);
  }, 120_000);

  it('an unreachable chain: exit 4', async () => {
    const { error } = await verify({ deployment: depFile, rpcUrl: 'http://127.0.0.1:9' });
    expect(error?.exitCode).toBe(ExitCode.CHAIN);
    expect(error?.message).toMatch(/cannot reach the RPC at http:\/\/127\.0\.0\.1:9/);
  }, 120_000);
});
