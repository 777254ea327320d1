#!/usr/bin/env node
// Plain JavaScript so that an old Node.js reaches this check instead of failing on TypeScript syntax.
import { existsSync } from 'node:fs';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `leakproof: Node.js 24 or newer is required (this is ${process.version}).\n` +
      'Install it next to the project with: npm install --prefix .tools --no-save node@24 && export PATH="$PWD/.tools/node_modules/.bin:$PATH"\n',
  );
  process.exit(2);
}
// A checkout runs its TypeScript sources directly; an installed package (where Node will not strip
// types inside node_modules) ships only the JavaScript that `npm pack` built into dist/.
const sources = new URL('../src/cli/main.ts', import.meta.url);
const { main } = await import(existsSync(sources) ? sources.href : new URL('../dist/cli/main.js', import.meta.url).href);
process.exitCode = await main(process.argv.slice(2));
