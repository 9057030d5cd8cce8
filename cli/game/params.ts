/**
 * The game's deployment parameters: profiles sized for a chain's block time, the checks a deployment must pass
 * before it goes on-chain, and the chain-time bound of a model's longest dispute (docs/GAME.md, "Parameters").
 */
import { parseEther } from 'viem';
import { dissectionRounds, MAX_ARITY, MIN_ARITY } from './dissection.ts';
import type { ModelCommitment } from '../../models/int/commitment.ts';
import { ExitCode, OpmlError } from '../errors.ts';
import type { GameParams } from './chain.ts';
import { PROFILE_INFO, type ProfileName } from './profileInfo.ts';

/** A chain the game is deployed on, and the parameters sized for it. */
export interface Profile {
  name: string;
  description: string;
  /** Seconds between blocks the parameters assume. */
  blockTime: number;
  params: GameParams;
}

/**
 * k, the parts each post cuts a disputed interval into, for every profile (docs/GAME.md, "Dissection": chosen from
 * rounds, gas and chain time measured for k = 2, 4, 8, 16 by `npm run bench -- dissection`).
 */
export const DEFAULT_ARITY = 16;

/** Blocks one move may take (send, land, plus an agent's compute and congestion): the increment covers them. */
export const MOVE_BLOCKS = 5;
/** Blocks of slack each side starts with on top of its increments (re-execution, a restarted agent). */
export const CLOCK_BLOCKS = 50;

const info = (name: ProfileName) => PROFILE_INFO.find((p) => p.name === name)!;

export const PROFILES: readonly Profile[] = [
  {
    ...info('l1'),
    blockTime: 12,
    params: { minBond: parseEther('1'), challengeBond: parseEther('1'), challengeWindow: 21_600, clockSeconds: 3_600, moveIncrement: 120, arity: DEFAULT_ARITY },
  },
  {
    ...info('l2'),
    blockTime: 2,
    params: { minBond: parseEther('0.1'), challengeBond: parseEther('0.1'), challengeWindow: 7_200, clockSeconds: 900, moveIncrement: 30, arity: DEFAULT_ARITY },
  },
  {
    ...info('devnet'),
    blockTime: 1,
    params: { minBond: parseEther('0.1'), challengeBond: parseEther('0.1'), challengeWindow: 600, clockSeconds: 300, moveIncrement: 15, arity: DEFAULT_ARITY },
  },
];

export function profile(name: string): Profile {
  const p = PROFILES.find((x) => x.name === name);
  if (!p) throw new OpmlError(`unknown chain profile "${name}"`, ExitCode.USAGE, `use one of ${PROFILES.map((x) => x.name).join(', ')}`);
  return p;
}

/**
 * Refuse parameters a game cannot be played under at `blockTime`: every move must fit its increment
 * (MOVE_BLOCKS blocks), each side must start with CLOCK_BLOCKS blocks of slack, and the window must leave a
 * challenger time to re-execute and challenge (as long as one clock). The contract checks only what it can
 * see (non-zero values, increment <= clock); the block time is the deployer's statement.
 */
export function checkParams(p: GameParams, blockTime: number): void {
  const fail = (what: string, fix: string) => {
    throw new OpmlError(`deploy: ${what}`, ExitCode.USAGE, fix);
  };
  if (!(blockTime > 0)) fail(`the block time ${blockTime} s is not positive`, 'pass --block-time <seconds>');
  if (p.minBond <= 0n || p.challengeBond <= 0n) fail('bonds must be positive', 'pass --min-bond and --challenge-bond in ETH, e.g. 0.1');
  if (p.moveIncrement < MOVE_BLOCKS * blockTime) {
    fail(`a move increment of ${p.moveIncrement} s is under ${MOVE_BLOCKS} blocks of ${blockTime} s: an honest agent could lose on time to block latency alone`, `pass --increment ${MOVE_BLOCKS * blockTime} or more`);
  }
  if (p.clockSeconds < Math.max(p.moveIncrement, CLOCK_BLOCKS * blockTime)) {
    fail(`a clock of ${p.clockSeconds} s is under ${CLOCK_BLOCKS} blocks of ${blockTime} s (or under the increment)`, `pass --clock ${Math.max(p.moveIncrement, CLOCK_BLOCKS * blockTime)} or more`);
  }
  checkArity(p.arity);
  if (p.challengeWindow < p.clockSeconds) fail(`a challenge window of ${p.challengeWindow} s is shorter than one clock (${p.clockSeconds} s)`, `pass --window ${p.clockSeconds} or more`);
}

/** Refuse a dissection arity the contract would refuse (DisputeGame's constructor: 2 to 64). */
export function checkArity(arity: number): void {
  if (!Number.isInteger(arity) || arity < MIN_ARITY || arity > MAX_ARITY) {
    throw new OpmlError(`deploy: an arity of ${arity} is not a whole number from ${MIN_ARITY} to ${MAX_ARITY}`, ExitCode.USAGE, `pass --arity ${DEFAULT_ARITY} (2 is a bisection)`);
  }
}

/** The most moves in one dispute of model `c`, and the chain-time bound on its length under `p`. */
export function longestDispute(c: Pick<ModelCommitment, 'numNodes' | 'nodes' | 'maxTileSteps'>, p: Pick<GameParams, 'clockSeconds' | 'moveIncrement' | 'arity'>): { moves: number; seconds: number } {
  const rounds = (length: number) => dissectionRounds(length, p.arity);
  const graphRounds = rounds(c.numNodes);
  // Below the graph phase: an untiled node's VM rounds and startVM; a tiled node's tile rounds, its longest tile's
  // VM rounds (2^40 steps when the tiles are not known here), startTiles and startTileVM.
  const nodeMoves = c.nodes.map((n, i) => (n.numTiles > 0 ? 2 * (rounds(n.numTiles) + rounds(c.maxTileSteps?.[i] || 2 ** 40)) + 2 : 2 * rounds(n.steps) + 1));
  // Each round is a post and an answer; each transition is one more move; resolveStep ends the game and earns nothing.
  const moves = 2 * graphRounds + Math.max(...nodeMoves);
  // Each side spends at most its starting clock plus an increment per move it made (the cap only lowers this).
  return { moves, seconds: 2 * p.clockSeconds + moves * p.moveIncrement };
}
