/**
 * A real anvil with contracts deployed from forge's artifacts, for tests that talk to a chain; or one with the
 * whole game deployed and its deployment file written (deployedGame).
 */
import { createPublicClient, createWalletClient, http, parseEther, type Abi, type Address, type Hex, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { ANVIL_KEYS, startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { loadArtifact } from '../../cli/chain/artifacts.ts';
import { ensureContractsBuilt } from '../../cli/chain/foundry.ts';
import { writeDeployment } from '../../cli/commands/connect.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { profile } from '../../cli/game/params.ts';
import type { Deployment } from '../../cli/game/types.ts';
import { LyingClaims } from '../../cli/game/claims.ts';
import { Store } from '../../cli/game/store.ts';
import { Submitter, type SubmitterState } from '../../cli/game/submitter.ts';
import { parseInput } from '../../cli/inputs.ts';
import { prepareModel } from '../../models/prepare.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ANVIL_KEY = ANVIL_KEYS[0];

export interface TestChain {
  anvil: Anvil;
  publicClient: PublicClient;
  walletClient: WalletClient;
  deploy(contract: string, args?: readonly unknown[]): Promise<{ address: Address; abi: Abi }>;
  stop(): Promise<void>;
}

export async function startTestChain(): Promise<TestChain> {
  // A fresh clone has no artifacts until the first build (npm test builds them with forge test; the bench does not).
  ensureContractsBuilt('JudgeGasMeter');
  const anvil = await startAnvil();
  const transport = http(anvil.rpcUrl, { batch: { batchSize: 250 } });
  const account = privateKeyToAccount(ANVIL_KEY);
  const publicClient = createPublicClient({ chain: foundry, transport }) as PublicClient;
  const walletClient = createWalletClient({ chain: foundry, transport, account });
  return {
    anvil,
    publicClient,
    walletClient,
    async deploy(contract, args = []) {
      const { abi, bytecode } = loadArtifact(contract);
      const hash = await walletClient.deployContract({ abi, bytecode, args, account, chain: foundry });
      const receipt = await publicClient.waitForTransactionReceipt({ hash });
      if (!receipt.contractAddress) throw new Error(`deploying ${contract} produced no address`);
      return { address: receipt.contractAddress, abi };
    },
    stop: () => anvil.stop(),
  };
}

/** A fresh anvil with the game deployed (devnet parameters), its deployment file in a temp folder of its own. */
export interface DeployedGame {
  anvil: Anvil;
  dir: string;
  deployment: Deployment;
  depFile: string;
  stop(): Promise<void>;
}

export async function deployedGame(prefix: string): Promise<DeployedGame> {
  const anvil = await startAnvil();
  const dir = mkdtempSync(path.join(tmpdir(), `opml-${prefix}-`));
  const deployment = await GameChain.deploy(anvil.rpcUrl, ANVIL_KEY, profile('devnet').params);
  const depFile = path.join(dir, 'deployment.json');
  writeDeployment(deployment, depFile);
  return {
    anvil,
    dir,
    deployment,
    depFile,
    async stop() {
      await anvil.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A game on `rpcUrl` (devnet parameters, its deployment file in `dir`) holding one wrong result: anvil's first
 * account lies about node 0 of mnist-mlp on `mnist:5` from the start of its VM run, with a 0.1 ETH bond; `liar`
 * (its state in dir/sub.json) plays on when ticked.
 */
export async function gameWithLie(rpcUrl: string, dir: string): Promise<{ deployment: Deployment; depFile: string; chain: GameChain; liar: Submitter }> {
  const deployment = await GameChain.deploy(rpcUrl, ANVIL_KEY, profile('devnet').params);
  const depFile = path.join(dir, 'deployment.json');
  writeDeployment(deployment, depFile);
  const prepared = prepareModel('mnist-mlp');
  const input = parseInput('mnist:5', prepared.int).words;
  const chain = await GameChain.connect(deployment, ANVIL_KEY);
  const state = Store.openBound<SubmitterState>(path.join(dir, 'sub.json'), { role: 'submitter', model: 'mnist-mlp', input: 'mnist:5' }, { chainId: deployment.chainId, game: deployment.game });
  const liar = new Submitter(chain, new LyingClaims(prepared.int, input, { node: 0, vmFrom: 'start' }), state);
  await liar.submit(parseEther('0.1'));
  return { deployment, depFile, chain, liar };
}
