#!/usr/bin/env node
// Launcher: kubequake is TypeScript run by Node's type stripping, which needs Node >= 24 (the project's own
// `node` dependency; `npx kubequake` and npm scripts put it first on PATH).
const [major] = process.versions.node.split(".").map(Number);
if (major < 24) {
  console.error(
    `kubequake: needs Node.js 24 or newer, but this is ${process.version}.\n` +
      "  what to do: run it through npm so the project's Node 24 is used: `npx kubequake …` or `npm run …` " +
      "(after `npm ci`, or `bash scripts/bootstrap.sh` on a fresh clone).",
  );
  process.exit(2);
}
const { main } = await import("../cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
