// The tiny transformer's vocabulary: 64 characters, one token each.

export const VOCAB = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .';
export const VOCAB_SIZE = VOCAB.length; // 64
export const SEQ_LEN = 16;

/** Fixed prompts, each exactly SEQ_LEN characters of VOCAB. */
export const PROMPTS: readonly string[] = [
  'hello world. opm',
  'optimistic ml 42',
  'the quick brown ',
  'ABCDEFGHIJKLMNOP',
  '0123456789 01234',
  'aaaaaaaaaaaaaaaa',
  'Fraud proofs win',
  'bisect then step',
];

export function encode(text: string): Int32Array {
  if (text.length !== SEQ_LEN) throw new Error(`prompt "${text}" has ${text.length} characters, expected ${SEQ_LEN}`);
  return Int32Array.from(text, (ch) => {
    const id = VOCAB.indexOf(ch);
    if (id < 0) throw new Error(`prompt "${text}": character "${ch}" is not in the vocabulary`);
    return id;
  });
}

export function decode(ids: ArrayLike<number>): string {
  return Array.from(ids, (id) => VOCAB[id] ?? '?').join('');
}
