/**
 * Compiled contracts, read from forge's output folder (contracts/out).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Abi, Hex } from 'viem';
import { REPO_ROOT as ROOT } from '../../models/repoRoot.ts';

export interface Artifact {
  abi: Abi;
  bytecode: Hex;
}

export class MissingArtifactError extends Error {
  constructor(file: string) {
    super(`no compiled contract at ${file}: run \`npm run build:contracts\` (forge build) first`);
    this.name = 'MissingArtifactError';
  }
}

/** The ABI and creation bytecode of `contract` from `contracts/src/<source>`. */
export function loadArtifact(contract: string, source = `${contract}.sol`): Artifact {
  const file = path.join(ROOT, 'contracts', 'out', source, `${contract}.json`);
  if (!existsSync(file)) throw new MissingArtifactError(file);
  const json = JSON.parse(readFileSync(file, 'utf8')) as { abi: Abi; bytecode: { object: Hex } };
  return { abi: json.abi, bytecode: json.bytecode.object };
}
