/**
 * One dispute's moves, in order, from its events: who moved (the transaction's sender and its role), when,
 * what it said, the gas its receipt shows, and both chess clocks right after it (replayed with the contract's
 * rules, contracts/src/Clock.sol: only the mover's clock runs; each move credits the mover the increment,
 * capped at the starting clock).
 */
import { innerPositions } from '../game/dissection.ts';
import { MOVE_NAMES, Move, Phase, REASON_NAMES, SIDE_NAMES, Side } from '../game/types.ts';
import type { GameEvent } from './events.ts';
import type { MoveRow, Role } from './types.ts';

/** The events that make up a dispute's timeline (all indexed by `d`); the tile phase's only on a tiled node. */
export const DISPUTE_EVENTS = ['Challenged', 'StatesPosted', 'Responded', 'VMStarted', 'TilesStarted', 'TileVMStarted', 'DisputeResolved', 'Settled'] as const;

/** Per phase (Phase.Graph, Phase.Tile, Phase.VM): the post's and the answer's names, and what the positions are. */
const DISSECTION = {
  [Phase.Graph]: { post: Move.PostGraphState, respond: Move.RespondGraph, state: (p: bigint) => `S_${p}`, range: 'nodes', one: 'node' },
  [Phase.Tile]: { post: Move.PostTileState, respond: Move.RespondTile, state: (p: bigint) => `σ_${p}`, range: 'tile states', one: 'tile' },
  [Phase.VM]: { post: Move.PostVMState, respond: Move.RespondVM, state: (p: bigint) => `step ${p}`, range: 'steps', one: 'step' },
} as const;

const short = (h: unknown) => String(h);

export function buildMoves(events: readonly GameEvent[], who: { submitter: string; challenger: string }, clock: { clockSeconds: number; moveIncrement: number }): MoveRow[] {
  const left = { [Side.Submitter]: clock.clockSeconds, [Side.Challenger]: clock.clockSeconds } as Record<number, number>;
  let turn: number = Side.Submitter;
  let turnStart = 0n;
  let lastRange: { lo: bigint; hi: bigint } = { lo: 0n, hi: 0n };
  /** The tile whose VM run is played (a tiled node, once startTileVM is in). */
  let tile: number | undefined;
  const roleOf = (a: string): Role => (a.toLowerCase() === who.submitter.toLowerCase() ? 'submitter' : a.toLowerCase() === who.challenger.toLowerCase() ? 'challenger' : 'third party');
  /** A move by the side on turn, handing the clock to `next`. */
  const handTo = (t: bigint, next: number) => {
    const elapsed = Number(t - turnStart);
    left[turn] = Math.min(left[turn] - elapsed + clock.moveIncrement, clock.clockSeconds);
    turnStart = t;
    turn = next;
  };
  const rows: MoveRow[] = [];
  for (const e of events) {
    const a = e.args;
    let name: string;
    let detail: string;
    switch (e.name) {
      case 'Challenged':
        name = 'challenge';
        detail = `opened dispute ${a.d} on submission ${a.id}; the submitter moves first`;
        turn = Side.Submitter;
        turnStart = e.timestamp;
        break;
      case 'StatesPosted': {
        const at = DISSECTION[Number(a.phase) as keyof typeof DISSECTION];
        const states = a.states as readonly string[];
        const positions = innerPositions(a.lo as bigint, a.hi as bigint, states.length + 1);
        name = MOVE_NAMES[at.post];
        detail = positions.map((p, i) => `${at.state(p)} = ${short(states[i])}`).join(', ');
        handTo(e.timestamp, Side.Challenger);
        break;
      }
      case 'Responded': {
        const phase = Number(a.phase) as keyof typeof DISSECTION;
        const at = DISSECTION[phase];
        name = MOVE_NAMES[at.respond];
        lastRange = { lo: a.lo as bigint, hi: a.hi as bigint };
        const converged = (a.hi as bigint) - (a.lo as bigint) === 1n;
        detail = `names part ${a.part}; ${at.range} ${a.lo}..${a.hi} in dispute${converged ? ` (${at.one} ${a.lo} is disputed)` : ''}`;
        handTo(e.timestamp, converged && phase === Phase.VM ? Side.Challenger : Side.Submitter);
        break;
      }
      case 'VMStarted':
        name = MOVE_NAMES[Move.StartVM];
        detail = `transition into node ${a.node} proven; VM dissection over steps 0..${a.steps}; initial ${short(a.initialState)}, final ${short(a.finalState)}`;
        lastRange = { lo: 0n, hi: a.steps as bigint };
        handTo(e.timestamp, a.steps === 1n ? Side.Challenger : Side.Submitter);
        break;
      case 'TilesStarted':
        name = MOVE_NAMES[Move.StartTiles];
        detail = `transition into tiled node ${a.node} proven: ${a.numTiles} tile(s); tile dissection over tile states 0..${a.numTiles}; σ_0 ${short(a.initialMem)}, σ_${a.numTiles} ${short(a.finalMem)}`;
        lastRange = { lo: 0n, hi: BigInt(a.numTiles as number) };
        handTo(e.timestamp, Side.Submitter);
        break;
      case 'TileVMStarted':
        name = MOVE_NAMES[Move.StartTileVM];
        tile = Number(a.tile);
        detail = `transition through tile ${a.tile} proven; VM dissection over steps 0..${a.steps}; initial ${short(a.initialState)}, final ${short(a.finalState)}`;
        lastRange = { lo: 0n, hi: a.steps as bigint };
        handTo(e.timestamp, a.steps === 1n ? Side.Challenger : Side.Submitter);
        break;
      case 'DisputeResolved': {
        const reason = Number(a.reason);
        name = reason === 1 ? MOVE_NAMES[Move.ResolveStep] : REASON_NAMES[reason] ?? `reason ${reason}`;
        detail = `won by the ${SIDE_NAMES[Number(a.winner)]} (${REASON_NAMES[reason]})${reason === 1 ? `: the judge executed step ${lastRange.lo}${tile === undefined ? '' : ` of tile ${tile}`}` : `: the ${SIDE_NAMES[turn]}'s clock ran out`}`;
        // The ruling stops the clocks; the side on turn has used its time up to here.
        left[turn] = Math.max(0, left[turn] - Number(e.timestamp - turnStart));
        turnStart = e.timestamp;
        break;
      }
      case 'Settled':
        name = MOVE_NAMES[Move.Settle];
        detail = `credited the winning challenger its share: ${a.share} wei`;
        break;
      default:
        continue;
    }
    rows.push({ name, actor: e.from, role: roleOf(e.from), block: e.block.toString(), timestamp: e.timestamp.toString(), tx: e.tx, gasUsed: e.gasUsed.toString(), detail, clocks: { submitter: left[Side.Submitter], challenger: left[Side.Challenger] } });
  }
  return rows;
}
