/**
 * A zoo model forced to tile: mnist-mlp with tileSteps 4096 commits fc1 (784×64, 101k steps untiled) as 32 tiles
 * of two output columns each, fc2 stays one program; the commitment is reproducible from the file plus the
 * option (pinned here: an accidental change of the tiling or of an encoding moves it), and the tiled run gives
 * the executor's fc1 output root. With the default bound no zoo node is tiled.
 */
import { describe, expect, it } from 'vitest';
import { parseInput } from '../../../cli/inputs.ts';
import { parseTileSteps } from '../../../cli/commands/modelOptions.ts';
import { modelCommitment } from '../../../models/int/commitment.ts';
import { runGraph } from '../../../models/int/execute.ts';
import { lowerForCommitment } from '../../../models/int/tiles/lowering.ts';
import { TiledRun, tiledRunOf } from '../../../models/int/tiles/run.ts';
import { inspectModel } from '../../../cli/commands/inspect.ts';
import { ExitCode, OpmlError } from '../../../cli/errors.ts';
import { Output } from '../../../cli/output.ts';
import type { TiledNode } from '../../../models/int/tiles/tiled.ts';
import { prepareModel } from '../../../models/prepare.ts';
import { Status } from '../../../vm/state.ts';

/** Model id of mnist-mlp committed with tileSteps 4096 (regenerate only for an intended change of the tiling). */
const TILED_MLP_ID = '0x48a8155c23cc074f0f4341ed7ac3786ca1afe937f3d0da921e73d9dfefb8c3ee';
const TILED_FC1_ROOT = '0x91e72f1b05ad7199676c24bda1e84ac72166fd1a99b4e204f9b09c7bc58f3092';

describe('mnist-mlp with --tile-steps 4096', () => {
  it('commits fc1 as 32 tiles, fc2 as one program, reproducibly', () => {
    const prepared = prepareModel('mnist-mlp', undefined, { lowering: { tileSteps: 4096 } });
    expect(prepared.lowering).toEqual({ tileSteps: 4096 });
    const c = modelCommitment(prepared.int, prepared.lowering);
    expect(c.nodes[0]).toMatchObject({ codeRoot: `0x${'00'.repeat(32)}`, steps: 0, numTiles: 32, tilesRoot: TILED_FC1_ROOT, windowBase: 0, windowHeight: 8, outBase: 3072, outHeight: 3 });
    expect(c.nodes[0].inputs).toEqual([{ fromSlot: true, slot: 0, root: `0x${'00'.repeat(32)}`, base: 2048, height: 7 }]);
    expect(c.nodes[1].numTiles).toBe(0);
    expect(c.modelId).toBe(TILED_MLP_ID);
    expect(modelCommitment(prepareModel('mnist-mlp').int, { tileSteps: 4096 }).modelId).toBe(TILED_MLP_ID);
    expect(modelCommitment(prepared.int).modelId).not.toBe(TILED_MLP_ID);
  }, 120_000);

  it('its tiles run to the executor\'s fc1 output, each within 4096 steps', () => {
    const prepared = prepareModel('mnist-mlp');
    const graph = prepared.int;
    const x = parseInput('mnist:0', graph).words;
    const run = runGraph(graph, x);
    const tiled = lowerForCommitment(graph, 0, { tileSteps: 4096 }) as TiledNode;
    const inputs = graph.nodes[0].inputs.map((t) => run.values.get(t) ?? graph.weights.get(t)!);
    const tr = new TiledRun(tiled, inputs);
    expect(tr.outputRoot).toBe(run.roots.get(graph.nodes[0].output));
    for (let i = 0; i < tiled.numTiles; i++) expect(tiled.steps(i)).toBeLessThanOrEqual(4096);
    expect(new Set(tiled.specs().map((s) => s.codeRoot)).size).toBe(1);
    for (const i of [0, 17, 31]) {
      const final = tr.trace(i).runToEnd();
      expect(final).toMatchObject({ status: Status.HALTED, step: tiled.steps(i), memRoot: tr.states[i + 1] });
    }
  }, 120_000);

  it('no zoo node is tiled at the default bound', () => {
    for (const name of ['mnist-mlp', 'mnist-cnn', 'tiny-transformer']) {
      const graph = prepareModel(name).int;
      expect(modelCommitment(graph).nodes.every((n) => n.numTiles === 0)).toBe(true);
    }
  }, 120_000);

  it('opml inspect: a --tile-steps too small for a node is a usage error that names the least that would do', () => {
    let error: OpmlError | undefined;
    try {
      inspectModel('mnist-mlp', { tileSteps: 64 }, new Output({ quiet: true }));
    } catch (err) {
      error = err as OpmlError;
    }
    expect(error).toBeInstanceOf(OpmlError);
    expect(error?.exitCode).toBe(ExitCode.USAGE);
    expect(error?.message).toBe('--tile-steps 64: node "fc1": one output word of this matmul takes 1587 steps as a tile, more than tileSteps = 64');
    expect(error?.hint).toBe('give --tile-steps 1587 or more');
  }, 120_000);

  it('a tiled run of node j from the graph, or none for an untiled node', () => {
    const graph = prepareModel('mnist-mlp').int;
    const run = runGraph(graph, parseInput('mnist:1', graph).words);
    const inputs = (j: number) => graph.nodes[j].inputs.map((t) => run.values.get(t) ?? graph.weights.get(t)!);
    expect(tiledRunOf(graph, 0, inputs(0), { tileSteps: 4096 })?.outputRoot).toBe(run.roots.get(graph.nodes[0].output));
    expect(tiledRunOf(graph, 1, inputs(1), { tileSteps: 4096 })).toBeUndefined();
    expect(tiledRunOf(graph, 0, inputs(0))).toBeUndefined();
  }, 120_000);

  it('--tile-steps takes a whole number from 64 to 2^40', () => {
    expect(parseTileSteps('4096')).toBe(4096);
    expect(parseTileSteps(' 64 ')).toBe(64);
    for (const bad of ['63', '0', '-5', '1e6', 'abc', '', String(2 ** 40 + 1), '4096.5']) expect(() => parseTileSteps(bad), bad).toThrow(/expected a whole number of steps from 64 to 2\^40/);
  });
});
