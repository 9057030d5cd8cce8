/**
 * Writes the judge's golden vectors (contracts/test/vectors/*.json) from the TypeScript VM.
 * Run after changing VM semantics: `npm run vectors`. test/vectors.test.ts fails while they are stale.
 */
import { writeFileSync } from 'node:fs';
import { buildRevertVectors, buildStepVectors } from '../test/support/vectors.ts';

const dir = new URL('../contracts/test/vectors/', import.meta.url);
const steps = buildStepVectors();
const reverts = buildRevertVectors();
writeFileSync(new URL('steps.json', dir), `${JSON.stringify(steps, null, 1)}\n`);
writeFileSync(new URL('reverts.json', dir), `${JSON.stringify(reverts, null, 1)}\n`);
console.log(`wrote ${steps.count} step vectors and ${reverts.count} revert vectors`);
