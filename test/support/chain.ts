/**
 * A real anvil with contracts deployed from forge's artifacts, for tests that talk to a chain; or one with the
 * whole game deployed and its deployment file written (deployedGame).
 */
import { createPublicClient, createWalletClient, http, type Abi, type Address, type Hex, type PublicClient, type WalletClient } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { foundry } from 'viem/chains';
import { ANVIL_KEYS, startAnvil, type Anvil } from '../../cli/chain/anvil.ts';
import { loadArtifact } from '../../cli/chain/artifacts.ts';
import { ensureContractsBuilt } from '../../cli/chain/foundry.ts';
import { writeDeployment } from '../../cli/commands/connect.ts';
import { GameChain } from '../../cli/game/chain.ts';
import { profile } from '../../cli/game/params.ts';
import type { Deployment } from '../../cli/game/types.ts';
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
