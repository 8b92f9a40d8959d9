#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, 'dist', 'src', 'cli.js');
if (!existsSync(entry)) {
  console.error(`research-bot is not built yet: run \`npm install\` (or \`npm run build\`) in ${root}`);
  process.exit(1);
}
const { endOnClosedPipe, main } = await import(pathToFileURL(entry).href);
endOnClosedPipe(process.stdout);
process.exitCode = await main(process.argv.slice(2));
