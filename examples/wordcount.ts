import { readdirSync, readFileSync } from 'node:fs';
import { Anygrid } from '@anygrid/sdk';

// Map-reduce with a task graph: one map per text counts its words, and the reduce,
// which depends on every map, adds up their outputs (parents/<index>/stdout).
const grid = new Anygrid(); // ANYGRID_URL and ANYGRID_TOKEN from the environment
const texts = readdirSync('examples/texts').sort();
const maps = texts.map((name) => ({
  args: ['map'],
  files: { 'input.txt': readFileSync(`examples/texts/${name}`) },
}));
const reduce = { args: ['reduce'], dependsOn: maps.map((_, i) => i) };
const job = await grid.submit({ module: 'examples/wordcount.wasm', tasks: [...maps, reduce] });
for await (const r of job.results()) {
  if (r.index === maps.length) console.log(r.outcome === 'valid' ? r.stdout : r.errors);
}
