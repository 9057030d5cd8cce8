/**
 * The tile phase of a dispute on a tiled node (docs/GAME.md, "Tiled nodes"), from its events: startTiles
 * (TilesStarted: the node, m, σ_0 and the submitter's σ_m), the bisection over the tile states σ_0..σ_m
 * (StatesPosted, then the challenger's Responded, in phase Tile), and startTileVM (TileVMStarted: the tile whose VM run the
 * VM phase plays). Undefined for a dispute that never opened a tile phase (an untiled node, or not there yet).
 */
import { innerPositions } from '../game/dissection.ts';
import { Phase } from '../game/types.ts';
import type { GameEvent } from './events.ts';
import type { BisectionRound, TilePhaseData, TxRef } from './types.ts';

const ref = (e: GameEvent): TxRef & { by: string } => ({ block: e.block.toString(), timestamp: e.timestamp.toString(), tx: e.tx, by: e.from });

/** @param evs the dispute's events, oldest first */
export function tilePhase(evs: readonly GameEvent[], nodeName?: (node: number) => string | undefined): TilePhaseData | undefined {
  const start = evs.find((e) => e.name === 'TilesStarted');
  if (!start) return undefined;
  const numTiles = Number(start.args.numTiles);
  const node = Number(start.args.node);
  let lo = 0n;
  let hi = BigInt(numTiles);
  const rounds: BisectionRound[] = [];
  let vm: TilePhaseData['vm'];
  for (const e of evs) {
    const tilePhase = Number(e.args.phase) === Phase.Tile;
    if (e.name === 'StatesPosted' && tilePhase) {
      const states = (e.args.states as readonly string[]).map(String);
      const positions = innerPositions(e.args.lo as bigint, e.args.hi as bigint, states.length + 1).map(String);
      rounds.push({ lo: lo.toString(), hi: hi.toString(), positions, states, post: ref(e) });
    } else if (e.name === 'Responded' && tilePhase) {
      const r = rounds.at(-1);
      lo = e.args.lo as bigint;
      hi = e.args.hi as bigint;
      if (r && r.part === undefined) Object.assign(r, { part: Number(e.args.part), respond: ref(e), newLo: lo.toString(), newHi: hi.toString() });
    } else if (e.name === 'TileVMStarted') {
      vm = { ...ref(e), tile: Number(e.args.tile), steps: String(e.args.steps), initialState: String(e.args.initialState), finalState: String(e.args.finalState) };
    }
  }
  const name = nodeName?.(node);
  return {
    node,
    ...(name !== undefined ? { nodeName: name } : {}),
    numTiles,
    initialMem: String(start.args.initialMem),
    finalMem: String(start.args.finalMem),
    started: ref(start),
    rounds,
    lo: lo.toString(),
    hi: hi.toString(),
    ...(hi - lo === 1n ? { converged: Number(lo) } : {}),
    ...(vm ? { vm } : {}),
  };
}
