/** Shared constants of the quantized domain. */
export const int8 = { lo: -128, hi: 127 } as const;
