/**
 * `npm run bench [-- <name>...]`: every benchmark (or the named ones: vm, models, gpu, game, dissection, llama), each printing its figures (llama: a 1.1B-shaped generation, minutes and ~6 GB)
 * and writing bench/results/<name>.json.
 */
const ALL = ['vm', 'models', 'gpu', 'game', 'dissection', 'llama'];
const picked = process.argv.slice(2).filter((a) => ALL.includes(a));
for (const name of picked.length > 0 ? picked : ALL) await import(`./${name}.bench.ts`);
