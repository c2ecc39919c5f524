/**
 * The launcher's own bundle: `bin/tsmpirun.js` runs the CLI from one esbuild-built file in
 * `node_modules/.cache/tsmpirun/launcher/` instead of compiling its TypeScript sources with tsx at
 * every start (~200-300 ms of each launch on this machine). Built on the first run after any
 * change to an input; `bin/tsmpirun.js` checks the manifest (size + mtime of every input) without
 * loading tsx, and falls back to tsx when anything is off.
 */
import { stat, mkdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { buildBundle, type BundleOptions } from "./bundle.ts";

export interface LauncherManifest {
  /** [absolute path, size, mtimeMs] of every source file in the bundle, taken before building. */
  inputs: [string, number, number][];
  bundle: string;
}

/**
 * yargs and its dependencies go into the bundle (pure JS, no native parts), with cliui and
 * string-width, which only --help needs, evaluated on first use: importing yargs from
 * node_modules was ~70 ms of CPU at every launch, bundled ~25 ms.
 */
const LAUNCHER_BUNDLE_OPTIONS: BundleOptions = {
  inlinePackages: ["yargs"],
  deferredDefaults: { yargs: ["cliui", "string-width"] },
};

/** Builds the CLI bundle and its manifest into `dir`; resolves with the bundle's path, or undefined. */
export async function buildLauncherBundle(dir: string): Promise<string | undefined> {
  const main = resolve(dirname(fileURLToPath(import.meta.url)), "../cli/main.ts");
  await mkdir(dir, { recursive: true });
  const temporary = join(dir, `main.${process.pid}.tmp.mjs`);
  // A first build names the inputs; their stats are taken before a second build, so an edit
  // racing the build leaves a manifest that does not match and the next start rebuilds.
  const first = await buildBundle(main, temporary, LAUNCHER_BUNDLE_OPTIONS);
  if (!first.ok) return undefined;
  const inputs = await Promise.all(
    first.inputs.map(async (file): Promise<[string, number, number]> => {
      const info = await stat(file);
      return [file, info.size, info.mtimeMs];
    }),
  );
  const built = await buildBundle(main, temporary, LAUNCHER_BUNDLE_OPTIONS);
  if (!built.ok) return undefined;
  const bundle = join(dir, `main-${process.pid}-${Date.now()}.mjs`);
  await rename(temporary, bundle);
  const manifest: LauncherManifest = { inputs, bundle };
  await writeFile(join(dir, `manifest.json.${process.pid}.tmp`), JSON.stringify(manifest));
  await rename(join(dir, `manifest.json.${process.pid}.tmp`), join(dir, "manifest.json"));
  return bundle;
}
