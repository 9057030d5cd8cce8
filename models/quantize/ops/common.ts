/** Shared constants of the quantized domain. */
export const int8 = { lo: -128, hi: 127 } as const;
export const int16 = { lo: -32768, hi: 32767 } as const;
