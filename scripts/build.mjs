#!/usr/bin/env node
// Builds both packages (tsc -b, incremental) and removes from dist/ what no source produces any
// more: tsc -b never deletes the output of a source that was moved or removed, and a packed
// tarball would ship it.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
execFileSync(process.execPath, [tsc, "-b", "tsconfig.build.json", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });

for (const name of ["runtime", "launcher"]) {
  const dist = join(root, "packages", name, "dist");
  const src = join(root, "packages", name, "src");
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(path);
        if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
        continue;
      }
      const stem = relative(dist, path).replace(/(\.d\.ts|\.js)(\.map)?$/, "");
      if (stem !== relative(dist, path) && !existsSync(join(src, `${stem}.ts`))) rmSync(path);
    }
  };
  if (existsSync(dist)) walk(dist);
}
