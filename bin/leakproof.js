#!/usr/bin/env node
// Plain JavaScript so that an old Node.js reaches this check instead of failing on TypeScript syntax.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `leakproof: Node.js 24 or newer is required (this is ${process.version}).\n` +
      'Install it next to the project with: npm install --prefix .tools --no-save node@24 && export PATH="$PWD/.tools/node_modules/.bin:$PATH"\n',
  );
  process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
