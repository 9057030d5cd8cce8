/**
 * From a model reference to an integer graph ready to run: a zoo name (`mnist-mlp`), an `.onnx` file
 * (quantized here, calibrated on the zoo's training data or on samples you give), or an `.opml` file (an
 * integer graph already quantized). This is what `opml run`, `submit` and `challenge` all start from, so every
 * party derives the same integer graph, and so the same model id, from the same reference.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Feeds } from './float/evaluate.ts';
import type { FloatGraph, Tensor, ValueInfo } from './graph.ts';
import type { IntGraph } from './int/graph.ts';
import type { LoweringOptions } from './int/tiles/options.ts';
import { printable } from './errors.ts';
import { deserializeIntGraph } from './int/serialize.ts';
import { loadOnnx } from './onnx/load.ts';
import { quantize, type QuantizeOptions } from './quantize/quantize.ts';
import { loadMnist, mnistImage } from './zoo/mnist.ts';
import { ZOO, type ZooModel } from './zoo/index.ts';
import { cachedZooGraph, storeZooGraph } from './zoo/graphCache.ts';
import { PROMPTS, SEQ_LEN, VOCAB_SIZE } from './zoo/tokens.ts';
import { decodeCalibration } from './generate/calibration.ts';
import { floatDecodeInterface, intDecodeInterface } from './generate/decodeGraph.ts';
import { unrollDecode, type GenerationShape } from './generate/unroll.ts';
import { Prng } from './zoo/prng.ts';

export interface PreparedModel {
  /** What the user named. */
  ref: string;
  int: IntGraph;
  /** The float graph, when the model came from ONNX (for float reference runs). */
  float?: FloatGraph;
  zoo?: ZooModel;
  /**
   * The lowering options the model is committed with (`--tile-steps`): pass them to `modelCommitment` (and
   * whatever lowers the model for the game), since they change the model id as the calibration does.
   */
  lowering: LoweringOptions;
}

export class ModelRefError extends Error {
  readonly cause_: string;
  readonly fix: string;
  constructor(ref: string, why: string, fixText?: string) {
    const cause = `model "${printable(ref)}": ${why}`;
    const fix = fixText ?? `give a zoo name (${ZOO.map((z) => z.name).join(', ')}), an .onnx file or an .opml file`;
    super(`${cause}; ${fix}`);
    this.name = 'ModelRefError';
    this.cause_ = cause;
    this.fix = fix;
  }
}

/** How many calibration samples the zoo models are quantized with. */
export const ZOO_CALIBRATION_SAMPLES = 64;

/** Calibration inputs for a zoo model: its own (brown-llama: training-text windows), MNIST training images (never the test set), or prompts plus seeded random token strings. */
export function zooCalibration(zoo: ZooModel, count = ZOO_CALIBRATION_SAMPLES): Feeds[] {
  if (zoo.calibration) return zoo.calibration(count);
  if (zoo.inputType === 'float32') {
    const train = loadMnist('train', count);
    return Array.from({ length: count }, (_, i) => ({ [zoo.inputName]: mnistImage(train, i, zoo.inputDims) }));
  }
  const rng = new Prng(7);
  return Array.from({ length: count }, (_, i) => {
    const data =
      i < PROMPTS.length
        ? zoo.samples(PROMPTS.length)[i].feeds[zoo.inputName].data
        : Int32Array.from({ length: SEQ_LEN }, () => rng.int(VOCAB_SIZE));
    const t: Tensor = { dims: [1, SEQ_LEN], data: Int32Array.from(data) };
    return { [zoo.inputName]: t };
  });
}

export function zooFor(file: string): ZooModel | undefined {
  const resolved = path.resolve(file);
  return ZOO.find((z) => z.name === file || path.resolve(z.file) === resolved);
}

/** Calibration samples, or a function that reads them once the float graph's inputs are known (names, dims, dtypes). */
export type Calibration = Feeds[] | ((inputs: readonly ValueInfo[]) => Feeds[]);

export interface PrepareOptions {
  /** Static dims for ONNX graph inputs whose dims are symbolic (`--shape`), passed to loadOnnx. */
  inputDims?: Record<string, number[]>;
  /** Calibration method and bias correction (models/quantize/quantize.ts); the zoo's graph cache holds only the defaults. */
  quantize?: QuantizeOptions;
  /** Lowering options (tileSteps), kept on the prepared model for its commitment; the graph does not depend on them. */
  lowering?: LoweringOptions;
  /** A greedy generation (`--generate`): the model's decode step unrolled over the prompt and N new tokens (models/generate/). */
  generate?: GenerationShape;
}

/** The file a reference names (a zoo model's .onnx, or the path itself), checked to be a readable file. */
export function modelFile(ref: string): { file: string; zoo?: ZooModel } {
  const zoo = zooFor(ref);
  const file = zoo?.file ?? ref;
  if (!existsSync(file)) throw new ModelRefError(ref, 'no such file or zoo model');
  if (!statSync(file).isFile()) throw new ModelRefError(ref, 'it is a directory (or a device), not a file');
  return { file, zoo };
}

/**
 * Resolve a model reference. For an .onnx outside the zoo, `calibration` must give sample inputs.
 */
export function prepareModel(ref: string, calibration?: Calibration, options: PrepareOptions = {}): PreparedModel {
  if (options.generate) return prepareGeneration(ref, options.generate, options);
  const { file, zoo } = modelFile(ref);
  const bytes = new Uint8Array(readFileSync(file));
  const lowering = { ...options.lowering };
  if (file.endsWith('.opml')) return { ref, int: deserializeIntGraph(bytes), lowering };
  // A zoo model's input dims are its advertised ones (mnist-mobilenet declares a symbolic batch dim).
  if (zoo) options = { ...options, inputDims: { [zoo.inputName]: zoo.inputDims, ...options.inputDims } };
  const defaults = !options.quantize?.calibration && !options.quantize?.biasCorrection;
  if (zoo && !calibration && defaults) {
    // The bundled CLI keeps zoo graphs between runs (models/zoo/graphCache.ts); the float graph then loads on use.
    const cached = cachedZooGraph(zoo.name, bytes);
    if (cached) {
      let float: FloatGraph | undefined;
      return { ref, int: cached, zoo, lowering, get float() { return (float ??= loadOnnx(bytes, { inputDims: options.inputDims })); } };
    }
  }
  const float = loadOnnx(bytes, { inputDims: options.inputDims });
  const samples = typeof calibration === 'function' ? calibration(float.inputs) : calibration ?? (zoo ? zooCalibration(zoo) : undefined);
  if (!samples) {
    throw new ModelRefError(ref, 'an .onnx outside the zoo needs calibration samples to be quantized', `give --calibration samples.json or x.npy (name=x.npy per input; docs/INPUTS.md); \`opml inspect ${printable(ref)}\` lists its inputs`);
  }
  const int = quantize(float, samples, options.quantize);
  if (zoo && !calibration && defaults) storeZooGraph(zoo.name, bytes, int);
  return { ref, int, float, zoo, lowering };
}

/**
 * A zoo text model's greedy generation: its decode-step graph quantized on its token windows (decodeStep),
 * unrolled over P + N − 1 positions. The prepared model's zoo entry pads `text:` prompts at the start
 * and defaults to a prompt of P characters.
 */
function prepareGeneration(ref: string, shape: GenerationShape, options: PrepareOptions): PreparedModel {
  const { zoo } = modelFile(ref);
  if (!zoo?.decode) {
    const withDecode = ZOO.filter((z) => z.decode).map((z) => z.name).join(', ');
    throw new ModelRefError(ref, '--generate needs a zoo text model with a decode-step graph', `give ${withDecode} (models from files: not yet; docs/GENERATION.md)`);
  }
  const step = decodeStep(zoo, options.quantize);
  const int = unrollDecode(step, intDecodeInterface(step), shape);
  const prompt = 'The jury said it did find that'.slice(0, shape.promptLength);
  // A prompt shorter than P is padded before it, so that the generation continues the text.
  const text = zoo.text && { ...zoo.text, encode: (t: string, length: number) => zoo.text!.encode(t, length, 'start') };
  return { ref, int, zoo: { ...zoo, defaultInput: `text:${prompt}`, text }, lowering: { ...options.lowering } };
}

/** A zoo text model's decode step, quantized on its token windows (kept in the zoo graph cache at default options). */
export function decodeStep(zoo: ZooModel, quantizeOptions?: QuantizeOptions): IntGraph {
  if (!zoo.decode) throw new ModelRefError(zoo.name, 'it has no decode-step graph');
  const bytes = new Uint8Array(readFileSync(zoo.decode.file));
  const cacheName = `${zoo.name}-decode`;
  const cached = quantizeOptions ? undefined : cachedZooGraph(cacheName, bytes);
  if (cached) return cached;
  const float = loadOnnx(bytes);
  const step = quantizeDecodeStep(float, zoo.decode.windows(), quantizeOptions);
  if (!quantizeOptions) storeZooGraph(cacheName, bytes, step);
  return step;
}

/** A decode step quantized on token windows, each cache tied to its update's scale (docs/GENERATION.md). */
export function quantizeDecodeStep(float: FloatGraph, windows: readonly ArrayLike<number>[], quantizeOptions: QuantizeOptions = {}): IntGraph {
  const face = floatDecodeInterface(float);
  const tiedRanges = face.caches.map((c) => [c, `new_${c}`] as const);
  return quantize(float, decodeCalibration(float, face, windows), { ...quantizeOptions, tiedRanges });
}
