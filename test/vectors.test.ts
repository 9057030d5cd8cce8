/**
 * The judge's golden vectors (contracts/test/vectors) are exactly what the current TypeScript VM writes:
 * a change to VM semantics without regenerating them (`npm run vectors`) fails here, and forge replays them.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildRevertVectors, buildStepVectors, type VectorFile } from './support/vectors.ts';

const committed = (name: string): VectorFile => JSON.parse(readFileSync(`contracts/test/vectors/${name}`, 'utf8')) as VectorFile;

describe('golden vectors', () => {
  it('steps.json is what the TypeScript VM produces, and covers every opcode', () => {
    const fresh = buildStepVectors();
    expect(committed('steps.json')).toEqual(fresh);
    for (const op of ['HALT', 'ADD', 'MULH', 'RQ', 'ISQRT', 'LOAD', 'STORE', 'MAC', 'BEQ', 'LOOP']) {
      expect(fresh.cases.some((c) => c.name.startsWith(`${op} #`))).toBe(true);
    }
  });

  it('reverts.json is what the TypeScript VM produces', () => {
    expect(committed('reverts.json')).toEqual(buildRevertVectors());
  });
});
