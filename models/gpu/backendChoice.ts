/** The `--backend` choices, apart from backend.ts so that parsing the flag does not load WebGPU (Dawn). */
export type Backend = 'gpu' | 'cpu' | 'auto';
export const BACKENDS: readonly Backend[] = ['auto', 'gpu', 'cpu'];
