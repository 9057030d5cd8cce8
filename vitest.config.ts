import { defineConfig } from 'vitest/config';

// Developers and CI alike run on 2 cores, with forge/solc-js compiles, anvil and Dawn competing for them: no
// test may lean on vitest's 5 s default. Slow tests still set their own, larger timeouts.
// `*.long.test.ts` files (replays with a block time: minutes each) run only in `npm run test:long`, which CI
// runs after `npm test`.
const long = process.env.OPML_LONG_TESTS === '1';

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 300_000,
    include: long ? ['test/**/*.long.test.ts'] : ['test/**/*.test.ts'],
    exclude: long ? [] : ['test/**/*.long.test.ts', '**/node_modules/**'],
  },
});
