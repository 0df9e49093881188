#!/usr/bin/env node
// The `anygrid` command: a shim over the compiled CLI (build with `npm run build`).
import { main } from '../dist/main.js';

await main(process.argv);
