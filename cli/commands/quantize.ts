/** `opml quantize <model.onnx> -o <file.opml>`: the integer graph as a file, with its hash and model id. */
import { writeFileSync } from 'node:fs';
import { modelCommitment } from '../../models/int/commitment.ts';
import { intGraphHash, serializeIntGraph } from '../../models/int/serialize.ts';
import type { CalibrationMethod } from '../../models/quantize/calibrate.ts';
import { Output } from '../output.ts';
import { generationFromArgs, loweringFromArgs, prepareFromArgs } from './modelArg.ts';

export function quantizeModel(model: string, opts: { output: string; calibration?: string | string[]; shape?: string[]; tileSteps?: number; generate?: number; promptLength?: number; calibrationMethod?: CalibrationMethod; json?: boolean }, out = new Output(opts)) {
  const { int: graph, lowering } = prepareFromArgs(model, opts.calibration, opts.shape, { calibration: opts.calibrationMethod }, loweringFromArgs(opts), generationFromArgs(opts));
  const bytes = serializeIntGraph(graph);
  writeFileSync(opts.output, bytes);
  const result = { file: opts.output, bytes: bytes.length, hash: intGraphHash(graph), modelId: modelCommitment(graph, lowering).modelId, nodes: graph.nodes.length };
  out.result(result);
  out.line(`wrote ${opts.output}: ${bytes.length.toLocaleString('en-US')} bytes, ${graph.nodes.length} nodes`);
  out.line(`hash ${result.hash}`);
  out.line(`model id ${result.modelId}`);
  return result;
}
