/**
 * Turning the <model> argument, --calibration and --shape into a prepared integer graph, with CLI errors. Every
 * command that takes a model goes through here, so a zoo name, an .onnx (+ --calibration, --shape) or an .opml
 * is accepted the same way everywhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ModelError } from '../../models/errors.ts';
import { IntGraphFormatError } from '../../models/int/serialize.ts';
import { readSamples, samplesToFeeds, shapeArg } from '../../models/inputs/samples.ts';
import { onnxInterface, symbolicInputs, type OnnxInterface } from '../../models/onnx/interface.ts';
import { ModelRefError, modelFile, prepareModel, type PreparedModel } from '../../models/prepare.ts';
import type { QuantizeOptions } from '../../models/quantize/quantize.ts';
import type { LoweringOptions } from '../../models/int/tiles/options.ts';
import { DecodeGraphError } from '../../models/generate/decodeGraph.ts';
import { DEFAULT_PROMPT_LENGTH, GenerationShapeError, type GenerationShape } from '../../models/generate/unroll.ts';
import { ExitCode, OpmlError, printable } from '../errors.ts';
import { parseShapeSpec, type ShapeSpec } from './modelOptions.ts';

export { CALIBRATION_HELP, collect, collectShape, GENERATE_HELP, parseGenerate, parsePromptLength, parseShapeSpec, parseTileSteps, PROMPT_LENGTH_HELP, SHAPE_HELP, TILE_STEPS_HELP, type ShapeSpec } from './modelOptions.ts';

/** What every model-taking command accepts besides the model itself. */
export interface ModelArgs {
  calibration?: string | string[];
  shape?: string[];
  /** --tile-steps: the lowering's tile bound (changes the model id; default 2^20). */
  tileSteps?: number;
  /** --generate: a greedy generation of this many tokens (changes the model id). */
  generate?: number;
  /** --prompt-length: with --generate, the prompt's tokens (default 8). */
  promptLength?: number;
}

const specs = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const fmtDims = (dims: OnnxInterface['inputs'][number]['dims']) => (dims === null ? '(no shape)' : `[${dims.map((d) => (d === null ? '?' : typeof d === 'string' ? printable(d, 20) : d)).join(',')}]`);

/** The suggestion for an input's --shape: its fixed dims, 1 for every symbolic one. */
export function suggestedShape(v: OnnxInterface['inputs'][number]): string {
  return `--shape ${shapeArg(v.name)}=${(v.dims ?? [1]).map((d) => (typeof d === 'number' ? d : 1)).join(',')}`;
}

/** --shape values checked against the inputs an ONNX file declares: a record for loadOnnx. Usage errors exit 2. */
export function resolveShapes(ref: string, iface: OnnxInterface, shapes: readonly string[], requireAll = true): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const names = iface.inputs.map((v) => `"${printable(v.name)}"`).join(', ');
  for (const s of shapes) {
    let spec: ShapeSpec;
    try {
      spec = parseShapeSpec(s);
    } catch (err) {
      throw new OpmlError(`--shape ${printable(s, 60)}: ${(err as Error).message}`, ExitCode.USAGE, 'e.g. --shape image=1,3,224,224');
    }
    let v = iface.inputs.find((i) => i.name === spec.name);
    if (spec.name === undefined) {
      if (iface.inputs.length !== 1) throw new OpmlError(`--shape ${printable(s, 60)}: the model has ${iface.inputs.length} inputs (${names}); say which`, ExitCode.USAGE, `name it: ${iface.inputs[0] ? suggestedShape(iface.inputs[0]) : '--shape <input>=<dims>'}`);
      v = iface.inputs[0];
    }
    if (!v) throw new OpmlError(`--shape ${printable(s, 60)}: ${printable(ref)} has no input "${printable(spec.name ?? '', 40)}"`, ExitCode.USAGE, `its inputs are ${names}`);
    if (Object.hasOwn(out, v.name)) throw new OpmlError(`--shape: input "${printable(v.name)}" is given twice`, ExitCode.USAGE, 'give each input one --shape');
    if (v.dims !== null) {
      if (v.dims.length !== spec.dims.length) throw new OpmlError(`--shape ${printable(s, 60)}: input "${printable(v.name)}" has rank ${v.dims.length} ${fmtDims(v.dims)}, not ${spec.dims.length}`, ExitCode.USAGE, `e.g. ${suggestedShape(v)}`);
      const clash = v.dims.findIndex((d, i) => typeof d === 'number' && d !== spec.dims[i]);
      if (clash >= 0) throw new OpmlError(`--shape ${printable(s, 60)}: the model fixes axis ${clash} of "${printable(v.name)}" to ${v.dims[clash]}`, ExitCode.USAGE, `only symbolic dims can be set: ${suggestedShape(v)}`);
    }
    out[v.name] = spec.dims;
  }
  const open = symbolicInputs(iface).filter((v) => !Object.hasOwn(out, v.name));
  if (requireAll && open.length > 0) {
    const v = open[0];
    throw new OpmlError(
      `${printable(ref)}: input "${printable(v.name)}" has ${v.dims === null ? 'no declared shape' : `symbolic dims ${fmtDims(v.dims)}`}; opml needs static shapes`,
      ExitCode.USAGE,
      `fix them on the command line: ${open.map(suggestedShape).join(' ')} (with your real sizes)`,
    );
  }
  return out;
}

/** --shape against an .opml graph: its shapes are fixed; a --shape may only repeat them. */
function checkOpmlShapes(ref: string, prepared: PreparedModel, shapes: readonly string[]): void {
  const g = prepared.int;
  const inputs = g.inputs.map((t) => g.tensors[t]);
  for (const s of shapes) {
    const spec = parseShapeSpec(s);
    const info = spec.name === undefined && inputs.length === 1 ? inputs[0] : inputs.find((t) => t.name === spec.name);
    if (!info) throw new OpmlError(`--shape ${printable(s, 60)}: ${printable(ref)} has no input "${printable(spec.name ?? '', 40)}"`, ExitCode.USAGE, `its inputs are ${inputs.map((t) => `"${printable(t.name)}"`).join(', ')}`);
    if (info.dims.join(',') !== spec.dims.join(',')) throw new OpmlError(`--shape ${printable(s, 60)}: an .opml graph's shapes are fixed; "${printable(info.name)}" is [${info.dims}]`, ExitCode.USAGE, 'drop --shape, or quantize the .onnx again with the shape you want');
  }
}

function isOnnx(file: string): boolean {
  return !file.endsWith('.opml');
}

/** The model's ONNX interface (inputs with symbolic dims, outputs), for a zoo name or an .onnx; undefined for an .opml. */
export function interfaceFromArgs(model: string): OnnxInterface | undefined {
  return wrap(() => {
    const { file } = modelFile(model);
    return isOnnx(file) ? onnxInterface(new Uint8Array(readFileSync(file))) : undefined;
  });
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof GenerationShapeError) throw new OpmlError(`--generate: ${err.message}`, ExitCode.USAGE, 'give fewer tokens (--generate) or a shorter prompt (--prompt-length)');
    if (err instanceof DecodeGraphError) throw new OpmlError(err.message, ExitCode.INPUT, 'export the decode step as docs/GENERATION.md says');
    if (err instanceof ModelRefError || err instanceof ModelError || err instanceof IntGraphFormatError) {
      throw new OpmlError(err.cause_, ExitCode.INPUT, err.fix ?? 'check the model: `opml inspect <model>` lists its nodes and what cannot run');
    }
    throw err;
  }
}

/** The generation a command's model arguments ask for (--generate, --prompt-length), if any. */
export function generationFromArgs(args: Pick<ModelArgs, 'generate' | 'promptLength'>): GenerationShape | undefined {
  if (args.generate === undefined) {
    if (args.promptLength !== undefined) throw new OpmlError('--prompt-length goes with --generate', ExitCode.USAGE, 'give --generate <tokens> too, or drop --prompt-length');
    return undefined;
  }
  return { generate: args.generate, promptLength: args.promptLength ?? DEFAULT_PROMPT_LENGTH };
}

/** The lowering options of a command's model arguments (`prepared.lowering` once prepared). */
export function loweringFromArgs(args: Pick<ModelArgs, 'tileSteps'>): LoweringOptions {
  return args.tileSteps === undefined ? {} : { tileSteps: args.tileSteps };
}

export function prepareFromArgs(model: string, calibration?: string | string[], shape?: readonly string[], quantize?: QuantizeOptions, lowering?: LoweringOptions, generate?: GenerationShape): PreparedModel {
  const calib = specs(calibration);
  const shapes = shape ?? [];
  return wrap(() => {
    const { file, zoo } = modelFile(model);
    let inputDims: Record<string, number[]> | undefined;
    // A zoo model without --shape takes its advertised input dims (prepareModel), symbolic batch dim or not.
    if (isOnnx(file) && !(zoo && shapes.length === 0)) {
      const iface = onnxInterface(new Uint8Array(readFileSync(file)));
      inputDims = resolveShapes(model, iface, shapes);
    }
    const read =
      calib.length === 0
        ? undefined
        : (inputs: readonly { name: string; dims: number[]; dtype: string }[]) =>
            samplesToFeeds(readSamples(calib, { flag: '--calibration', many: true }), inputs.map((v) => ({ name: v.name, dims: v.dims, integer: v.dtype !== 'float32' })));
    if (generate && (calib.length > 0 || shapes.length > 0)) throw new OpmlError('--generate: --calibration and --shape do not apply (the zoo model\'s decode graph is calibrated on its own text)', ExitCode.USAGE, 'drop --calibration and --shape');
    const prepared = prepareModel(model, read, { inputDims, quantize, lowering, generate });
    if (!isOnnx(file)) checkOpmlShapes(model, prepared, shapes);
    return prepared;
  });
}

/** The model options of a command, for error fixes that repeat them: ` --calibration a.json --shape x=1,4`. */
export function modelFlags(args: ModelArgs): string {
  return [
    ...specs(args.calibration).map((c) => ` --calibration ${c}`),
    ...(args.shape ?? []).map((s) => ` --shape ${s}`),
    ...(args.tileSteps === undefined ? [] : [` --tile-steps ${args.tileSteps}`]),
    ...(args.generate === undefined ? [] : [` --generate ${args.generate}`]),
    ...(args.promptLength === undefined ? [] : [` --prompt-length ${args.promptLength}`]),
  ].join('');
}

/** --calibration specs with absolute paths (for state files read later from another directory). */
export function absoluteSpecs(v: string | string[] | undefined): string[] {
  return specs(v).map((s) => {
    if (existsSync(s)) return path.resolve(s);
    const m = /^([^=]+)=(.+)$/s.exec(s);
    return m ? `${m[1]}=${path.resolve(m[2])}` : path.resolve(s);
  });
}
