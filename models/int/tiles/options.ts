/**
 * The lowering option that decides which nodes are tiled (docs/VM.md "Tiled nodes"): a node of a tileable kind
 * (matmul, gather along axis 0 from a constant table) is lowered to tiles when its untiled program would run more
 * than `tileSteps` steps or its untiled layout does not fit VM memory; each tile then runs at most `tileSteps`
 * steps. The option is part of what a model commitment is computed from, like the calibration: every party must
 * use the same value (`--tile-steps`, default 2^20).
 */

/** The default bound on a tile's VM run (and the step count above which a tileable node is tiled). */
export const DEFAULT_TILE_STEPS = 2 ** 20;

/** Smallest accepted bound: a tile must at least load its header and halt. */
export const MIN_TILE_STEPS = 64;

/** Largest accepted bound: the VM bisection of a run has at most 40 rounds. */
export const MAX_TILE_STEPS = 2 ** 40;

/** Options of the lowering that change a model commitment. */
export interface LoweringOptions {
  /** Most steps of a tile's run, and the step count above which a tileable node is tiled (default 2^20). */
  tileSteps?: number;
  /**
   * Most words a tile's window may take (default: what VM memory leaves beside the persistent regions). For
   * tests, to cut a small table or weight into many windows; like tileSteps it changes the commitment.
   */
  maxWindowWords?: number;
}

/** The bounds a tiling works within. */
export interface TileLimits {
  tileSteps: number;
  maxWindowWords: number;
}

export class TileStepsError extends Error {
  /** The least tileSteps that would do, when the bound was too small for a node (else undefined). */
  readonly least: number | undefined;
  constructor(message: string, least?: number) {
    super(message);
    this.name = 'TileStepsError';
    this.least = least;
  }
}

/** The limits the options give, checked. */
export function tileLimitsOf(options: LoweringOptions = {}): TileLimits {
  const maxWindowWords = options.maxWindowWords ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isSafeInteger(maxWindowWords) || maxWindowWords < 9) throw new TileStepsError(`maxWindowWords must be a whole number of at least 9 (a header and a word), got ${maxWindowWords}`);
  return { tileSteps: tileStepsOf(options), maxWindowWords };
}

/** The tile bound the options give, checked: a whole number in [MIN_TILE_STEPS, MAX_TILE_STEPS]. */
export function tileStepsOf(options: LoweringOptions = {}): number {
  const t = options.tileSteps ?? DEFAULT_TILE_STEPS;
  if (!Number.isSafeInteger(t) || t < MIN_TILE_STEPS || t > MAX_TILE_STEPS) {
    throw new TileStepsError(`tileSteps must be a whole number from ${MIN_TILE_STEPS} to 2^40, got ${t}`);
  }
  return t;
}
