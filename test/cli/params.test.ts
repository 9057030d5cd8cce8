/**
 * Deployment parameters: the profiles pass their own checks, and parameters a game could not be played under at
 * the stated block time are refused (by the function and by `opml deploy`, before it touches any chain).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkParams, CLOCK_BLOCKS, longestDispute, MOVE_BLOCKS, PROFILES } from '../../cli/game/params.ts';

const BIN = path.resolve('bin/opml.js');

describe('game parameters', () => {
  it('every profile passes its own checks', () => {
    for (const p of PROFILES) expect(() => checkParams(p.params, p.blockTime), p.name).not.toThrow();
  });

  it('refuses an increment under MOVE_BLOCKS blocks, a clock under CLOCK_BLOCKS blocks, a window under one clock, zero bonds', () => {
    const l1 = PROFILES.find((p) => p.name === 'l1')!;
    const p = l1.params;
    expect(() => checkParams({ ...p, moveIncrement: MOVE_BLOCKS * 12 - 1 }, 12)).toThrow(/increment of 59 s is under 5 blocks of 12 s/);
    expect(() => checkParams({ ...p, moveIncrement: MOVE_BLOCKS * 12 }, 12)).not.toThrow();
    expect(() => checkParams({ ...p, clockSeconds: CLOCK_BLOCKS * 12 - 1 }, 12)).toThrow(/clock of 599 s is under 50 blocks/);
    expect(() => checkParams({ ...p, challengeWindow: p.clockSeconds - 1 }, 12)).toThrow(/shorter than one clock/);
    expect(() => checkParams({ ...p, challengeBond: 0n }, 12)).toThrow(/bonds must be positive/);
    // The default l2 parameters are too small for a 12 s-block chain.
    expect(() => checkParams(PROFILES.find((x) => x.name === 'l2')!.params, 12)).toThrow(/under 5 blocks of 12 s/);
  });

  it('bounds a dispute by both clocks plus an increment per move', () => {
    const c = { numNodes: 67, nodes: [{ steps: 151_638 }, { steps: 2 }] } as Parameters<typeof longestDispute>[0];
    // ceil(log2 67) = 7 graph rounds, ceil(log2 151638) = 18 VM rounds: 2 * 25 + 1 = 51 moves.
    expect(longestDispute(c, { clockSeconds: 3600, moveIncrement: 120, arity: 2 })).toEqual({ moves: 51, seconds: 2 * 3600 + 51 * 120 });
    // k = 8: ceil(log8 67) = 3 graph rounds (67 -> 9 -> 2 -> 1), ceil(log8 151638) = 6 VM rounds: 2 * 9 + 1 = 19 moves.
    expect(longestDispute(c, { clockSeconds: 3600, moveIncrement: 120, arity: 8 })).toEqual({ moves: 19, seconds: 2 * 3600 + 19 * 120 });
  });

  it('refuses an arity the contract would refuse (2 to 64)', () => {
    const p = PROFILES[0].params;
    for (const arity of [0, 1, 65, 2.5]) expect(() => checkParams({ ...p, arity }, 12), String(arity)).toThrow(/arity of .* is not a whole number from 2 to 64/);
    for (const arity of [2, 16, 64]) expect(() => checkParams({ ...p, arity }, 12)).not.toThrow();
  });

  it('opml deploy refuses parameters too small for the block time before touching the chain (exit 2)', () => {
    const r = spawnSync(process.execPath, [BIN, 'deploy', '--rpc-url', 'http://127.0.0.1:9', '--profile', 'l1', '--increment', '30'], { encoding: 'utf8', env: { ...process.env, OPML_PRIVATE_KEY: '' } });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/deploy: a move increment of 30 s is under 5 blocks of 12 s/);
    expect(r.stderr).toMatch(/fix: pass --increment 60 or more/);
  });
});
