// brown-llama's tokenizer: one token per character, a fixed vocabulary of 96 ids. Id 0 is the unknown token
// (any character outside printable ASCII, e.g. a newline or an accented letter); ids 1…95 are the printable
// ASCII characters 32 (space) … 126 (`~`) in code order. Deterministic and data-free: the vocabulary does not
// depend on the corpus (the plain Brown text of scripts/zoo/llama/corpus.ts uses 84 of the 95 characters and
// never needs the unknown token).

/** The unknown token's id. */
export const UNK = 0;
/** Vocabulary size: the unknown token plus printable ASCII 32…126. */
export const BROWN_VOCAB = 96;
/** Shown for the unknown token by `decodeText`. */
export const UNK_CHAR = '\u00bf';

/** One character → its id (UNK outside printable ASCII). */
export function charId(ch: string): number {
  const c = ch.charCodeAt(0);
  return ch.length === 1 && c >= 32 && c <= 126 ? c - 31 : UNK;
}

/** Text → ids, one per UTF-16 code unit. */
export function encodeText(text: string): Int32Array {
  const out = new Int32Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = charId(text[i]);
  return out;
}

/** Ids → text; the unknown token (and any id outside the vocabulary) shows as UNK_CHAR. */
export function decodeText(ids: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    s += id >= 1 && id < BROWN_VOCAB ? String.fromCharCode(id + 31) : UNK_CHAR;
  }
  return s;
}

/**
 * `text:` input of a model with `length` positions: at most `length` printable ASCII characters, padded with
 * spaces after the end (a causal model's prediction after the text is at position text.length − 1, which the
 * padding cannot reach) or, for a generation's prompt, before the start (so that the generation continues the
 * text). Anything else is refused (an Error with a one-line message).
 */
export function encodePadded(text: string, length: number, pad: 'start' | 'end' = 'end'): Int32Array {
  if (text.length === 0 || text.length > length) throw new Error(`text "${text}" has ${text.length} characters; give 1 to ${length}`);
  for (const ch of text) if (charId(ch) === UNK) throw new Error(`text "${text}": character ${JSON.stringify(ch)} is not printable ASCII`);
  return encodeText(pad === 'end' ? text.padEnd(length, ' ') : text.padStart(length, ' '));
}
