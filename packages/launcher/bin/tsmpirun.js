#!/usr/bin/env node
// The launcher ships as TypeScript source (no build step). Its CLI runs from an esbuild bundle
// cached in node_modules/.cache/tsmpirun/launcher (see src/bundle/self.ts), rebuilt with tsx when
// any of its sources changed; TSMPIRUN_CACHE=0 always runs the sources through tsx.
// Ranks are started with a plain `node` on a bundle of the program, so they never pay for tsx.
import { readdirSync, readFileSync, statSync, unlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const useCache = process.env.TSMPIRUN_CACHE !== "0";
const cacheDir = process.env.TSMPIRUN_CACHE_DIR
  ? join(process.env.TSMPIRUN_CACHE_DIR, "launcher")
  : resolve(here, "../node_modules/.cache/tsmpirun/launcher");

/** The cached bundle if every input still has the size and mtime recorded before it was built. */
function cachedBundle() {
  try {
    const manifest = JSON.parse(readFileSync(join(cacheDir, "manifest.json"), "utf8"));
    for (const [file, size, mtimeMs] of manifest.inputs) {
      const info = statSync(file);
      if (info.size !== size || info.mtimeMs !== mtimeMs) return undefined;
    }
    statSync(manifest.bundle);
    return manifest.bundle;
  } catch {
    return undefined;
  }
}

function removeStaleBundles(keep) {
  try {
    for (const name of readdirSync(cacheDir)) {
      if (name.startsWith("main-") && join(cacheDir, name) !== keep) unlinkSync(join(cacheDir, name));
    }
  } catch {
    // another launcher removed them first, or the cache is read-only: harmless
  }
}

let bundle = useCache ? cachedBundle() : undefined;
if (bundle === undefined) {
  const { register } = await import("tsx/esm/api");
  register();
  if (useCache) {
    const { buildLauncherBundle } = await import("../src/bundle/self.ts");
    bundle = await buildLauncherBundle(cacheDir).catch(() => undefined);
    // Old bundles may still be running in other launchers: unlinking an open file is harmless.
    if (bundle !== undefined) removeStaleBundles(bundle);
  }
}
if (bundle !== undefined) {
  // The bundle carries an inline source map: stack traces of launcher bugs name the .ts lines.
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(bundle).href);
} else {
  await import("../src/cli/main.ts");
}
