import { Anygrid } from '@anygrid/sdk';

const grid = new Anygrid(); // ANYGRID_URL and ANYGRID_TOKEN from the environment
const tasks = [0, 1, 2].map((i) => ({ args: [String(i * 100_000), String((i + 1) * 100_000)] }));
const job = await grid.submit({ module: 'examples/prime.wasm', tasks, redundancy: 2 });
for await (const r of job.results()) console.log(r.index, r.stdout.trim());
