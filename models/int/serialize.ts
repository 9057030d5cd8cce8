/**
 * The integer graph as bytes (`.opml` files): deterministic, so its keccak hash names the exact model.
 * Layout: "OPMLIR2\n", u32 little-endian header length, the JSON header (tensors, inputs, outputs, nodes),
 * every weight's words as little-endian int32 in tensor-id order, then the keccak256 of everything before it:
 * a damaged file (a flipped weight bit included) is refused on load instead of running with wrong weights.
 */
import { bytesToHex, keccak256, type Hex } from 'viem';
import { elementCount, type IntGraph } from './graph.ts';
import { intGraphProblem } from './validate.ts';

const MAGIC = 'OPMLIR2\n';
/** The first version, without a content hash. */
const MAGIC_V1 = 'OPMLIR1\n';
const HASH_BYTES = 32;

export class IntGraphFormatError extends Error {
  readonly cause_: string;
  readonly fix = 're-create it with `opml quantize <model.onnx> -o <file.opml>`';
  constructor(reason: string) {
    super(`not a valid .opml integer graph: ${reason} (re-create it with \`opml quantize\`)`);
    this.name = 'IntGraphFormatError';
    this.cause_ = `not a valid .opml integer graph: ${reason}`;
  }
}

export function serializeIntGraph(graph: IntGraph): Uint8Array {
  const header = JSON.stringify({ tensors: graph.tensors, inputs: graph.inputs, outputs: graph.outputs, nodes: graph.nodes });
  const headerBytes = new TextEncoder().encode(header);
  const weightIds = [...graph.weights.keys()].sort((a, b) => a - b);
  const weightWords = weightIds.reduce((n, id) => n + graph.weights.get(id)!.length, 0);
  const bodyLength = MAGIC.length + 4 + headerBytes.length + weightWords * 4;
  const out = new Uint8Array(bodyLength + HASH_BYTES);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(MAGIC.length, headerBytes.length, true);
  out.set(headerBytes, MAGIC.length + 4);
  let o = MAGIC.length + 4 + headerBytes.length;
  for (const id of weightIds) {
    for (const w of graph.weights.get(id)!) {
      view.setInt32(o, w, true);
      o += 4;
    }
  }
  out.set(keccak256(out.subarray(0, bodyLength), 'bytes'), bodyLength);
  return out;
}

export function deserializeIntGraph(file: Uint8Array): IntGraph {
  const magic = new TextDecoder().decode(file.subarray(0, MAGIC.length));
  if (magic === MAGIC_V1) throw new IntGraphFormatError('an old version without a content hash');
  if (magic !== MAGIC) throw new IntGraphFormatError('wrong magic bytes');
  if (file.length < MAGIC.length + 4 + HASH_BYTES) throw new IntGraphFormatError('truncated header');
  const bytes = file.subarray(0, file.length - HASH_BYTES);
  const hash = keccak256(bytes, 'bytes');
  if (!hash.every((b, i) => b === file[bytes.length + i])) throw new IntGraphFormatError('its content hash does not match: the file is damaged or truncated');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(MAGIC.length, true);
  const start = MAGIC.length + 4;
  if (start + headerLength > bytes.length) throw new IntGraphFormatError('truncated header');
  let header: Omit<IntGraph, 'weights'>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + headerLength)));
  } catch (err) {
    throw new IntGraphFormatError(err instanceof RangeError ? 'the header is nested too deeply' : 'the header is not JSON');
  }
  const problem = intGraphProblem(header);
  if (problem) throw new IntGraphFormatError(problem);
  const graph: IntGraph = { ...header, weights: new Map() };
  let o = start + headerLength;
  graph.tensors.forEach((t, id) => {
    if (t.kind !== 'weight') return;
    const n = elementCount(t.dims);
    if (o + n * 4 > bytes.length) throw new IntGraphFormatError(`weights end early at tensor "${t.name}"`);
    const words = new Int32Array(n);
    for (let i = 0; i < n; i++) words[i] = view.getInt32(o + 4 * i, true);
    graph.weights.set(id, words);
    o += n * 4;
  });
  if (o !== bytes.length) throw new IntGraphFormatError(`${bytes.length - o} trailing bytes`);
  return graph;
}

/** keccak256 of the serialized graph. */
export function intGraphHash(graph: IntGraph): Hex {
  return keccak256(bytesToHex(serializeIntGraph(graph)));
}
