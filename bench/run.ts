/** `npm run bench`: every benchmark, each printing its figures and writing bench/results/<name>.json. */
await import('./vm.bench.ts');
