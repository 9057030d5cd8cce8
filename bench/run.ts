/**
 * `npm run bench [-- <name>...]`: every benchmark (or the named ones: vm, models, gpu, game), each printing its figures
 * and writing bench/results/<name>.json.
 */
const ALL = ['vm', 'models', 'gpu', 'game'];
const picked = process.argv.slice(2).filter((a) => ALL.includes(a));
for (const name of picked.length > 0 ? picked : ALL) await import(`./${name}.bench.ts`);
