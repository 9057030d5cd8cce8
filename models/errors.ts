// Errors raised while loading or evaluating a model. Every message is one line:
// "<subject>: <what is wrong>[; <how to fix it>]", where the subject names the node and its op, a graph
// input, an initializer, or the file.

function oneLine(text: string): string {
  return printable(text.replace(/\s*\n\s*/g, ' ').trim(), 2000);
}

/** How long a value from a file or the chain may be in a message before it is cut (with "…"). */
export const PRINTABLE_MAX = 80;

/**
 * A string that came from a file or the chain (node, op, input and tensor names, JSON keys, paths), made safe for
 * one line of a terminal: control characters (ANSI escapes, newlines, NUL…), C1 controls, lone surrogates and
 * bidi overrides become visible escapes (\\n, \\x1b, \\u202e; invalid UTF-8 has already decoded to a visible
 * U+FFFD), and a long value is cut to `max` characters with "…". Never prints raw bytes.
 */
export function printable(value: unknown, max = PRINTABLE_MAX): string {
  const s = typeof value === 'string' ? value : String(value);
  let out = '';
  let shown = 0;
  for (const ch of s) {
    if (shown >= max) return `${out}…`;
    const c = ch.codePointAt(0)!;
    if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if ((c >= 0x80 && c < 0xa0) || (c >= 0xd800 && c <= 0xdfff) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f || c === 0xfeff || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
    shown++;
  }
  return out;
}

export class ModelError extends Error {
  /** The cause alone (the message is the cause and, after "; ", the fix). */
  readonly cause_: string;
  /** How to fix it, when known. */
  readonly fix?: string;
  constructor(subject: string, why: string, fix?: string) {
    super(oneLine(`${subject}: ${why}${fix ? `; ${fix}` : ''}`));
    this.name = new.target.name;
    this.cause_ = oneLine(`${subject}: ${why}`);
    this.fix = fix === undefined ? undefined : oneLine(fix);
  }
}

/** The subject of a message about a node: `node "conv1" (Conv)`. */
export function nodeSubject(name: string, op: string): string {
  return `node "${printable(name)}" (${printable(op, 40)})`;
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
