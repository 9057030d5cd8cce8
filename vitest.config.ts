import { defineConfig } from 'vitest/config';

// Developers and CI alike run on 2 cores, with forge/solc-js compiles, anvil and Dawn competing for them: no
// test may lean on vitest's 5 s default. Slow tests still set their own, larger timeouts.
export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
  },
});
