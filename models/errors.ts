// Errors raised while loading or evaluating a model. Every message is one line:
// "<subject>: <what is wrong>[; <how to fix it>]", where the subject names the node and its op, a graph
// input, an initializer, or the file.

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export class ModelError extends Error {
  constructor(subject: string, why: string, fix?: string) {
    super(oneLine(`${subject}: ${why}${fix ? `; ${fix}` : ''}`));
    this.name = new.target.name;
  }
}

/** The subject of a message about a node: `node "conv1" (Conv)`. */
export function nodeSubject(name: string, op: string): string {
  return `node "${name}" (${op})`;
}

/** The bytes are not a usable ONNX model (truncated, malformed, unsupported encoding or dtype). */
export class OnnxLoadError extends ModelError {}

/** A node uses an operator (or an attribute value of it) that opml does not implement. */
export class UnsupportedOpError extends OnnxLoadError {}

/** The nodes do not form a DAG. */
export class GraphCycleError extends OnnxLoadError {}

/** A node or graph output refers to a value nothing produces (no input, initializer or node output). */
export class MissingValueError extends OnnxLoadError {}

/** Shapes do not fit an op, or a tensor is absurdly large. */
export class ShapeError extends OnnxLoadError {}

/** A run-time input is missing or does not have the shape/type the graph declares. */
export class InputShapeError extends ModelError {}

/** A run-time value makes an op undefined (e.g. a Gather index out of range). */
export class EvaluationError extends ModelError {}
