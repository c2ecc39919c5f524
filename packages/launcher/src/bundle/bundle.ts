import type { Message, Plugin } from "esbuild";
import { readFile, realpath } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { trace } from "../trace.ts";
import { cacheDirectory, lookupBundle, storeBundle } from "./cache.ts";

/** Source extensions a rank program may have. */
export const PROGRAM_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"] as const;

export type BundleOutcome = { ok: true; file: string; cached?: boolean } | { ok: false; diagnostics: string };

/**
 * The bundle of `program`: from the content-keyed cache (see cache.ts) when no input changed,
 * else built into `outfile` and stored for the next launch.
 */
export async function bundleProgramCached(program: string, outfile: string): Promise<BundleOutcome> {
  const dir = cacheDirectory();
  if (dir !== undefined) {
    const hit = await lookupBundle(dir, program);
    if (hit !== undefined) {
      trace("bundle: cache hit");
      return { ok: true, file: hit, cached: true };
    }
  }
  const startedMs = Date.now();
  const built = await buildBundle(program, outfile);
  trace("bundle: built");
  if (!built.ok || dir === undefined) return built;
  const stored = await storeBundle(dir, program, { file: built.file, inputs: built.inputs, externals: built.externals, startedMs });
  return { ok: true, file: stored ?? built.file, cached: false };
}

/**
 * Bundles the rank program once per job into `<jobDir>/program.mjs`, so N ranks start from
 * plain JavaScript instead of compiling TypeScript N times.
 *
 * User code and workspace packages (whose "exports" point at TS source) are bundled; real npm
 * packages stay external and are imported by absolute path: zeromq loads a native addon relative
 * to its own files, which a bundle would break.
 *
 * Known limitation: `import.meta.url`, `__dirname` and `__filename` are rewritten per bundled
 * file to that file's *source* location, so reads relative to them keep working; but
 * `import.meta.resolve()`, `import.meta.dirname/filename` and `new Worker(new URL(..., import.meta.url))`
 * pointing at a TS file are not rewritten and refer to the bundle in the job directory.
 */
export async function bundleProgram(program: string, outfile: string): Promise<BundleOutcome> {
  const built = await buildBundle(program, outfile);
  return built.ok ? { ok: true, file: built.file } : built;
}

export type Built = { ok: true; file: string; inputs: string[]; externals: string[] } | { ok: false; diagnostics: string };

export async function buildBundle(program: string, outfile: string): Promise<Built> {
  // Loaded on a cache miss only: importing esbuild costs ~10-20 ms a launch.
  const { build } = await import("esbuild");
  try {
    const result = await build({
      entryPoints: [program],
      outfile,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "inline",
      // Stack traces need the mappings only; Node reads a source line from disk when it shows one.
      // Without the sources the map is ~4x smaller, and every rank parses it at start.
      sourcesContent: false,
      metafile: true,
      logLevel: "silent",
      // Bundled CommonJS code calls require(); an ESM bundle has none unless we make one.
      banner: {
        js: 'import { createRequire as __tsmpiCreateRequire } from "node:module"; const require = __tsmpiCreateRequire(import.meta.url);',
      },
      // Resolved to the per-file constants that sourceLocationPlugin declares (see below).
      define: {
        "import.meta.url": SOURCE_URL,
        __dirname: SOURCE_DIRNAME,
        __filename: SOURCE_FILENAME,
      },
      plugins: [externalPackagesPlugin, sourceLocationPlugin],
    });
    if (result.errors.length > 0) return { ok: false, diagnostics: await format(result.errors) };
    const cwd = process.cwd();
    const inputs = Object.keys(result.metafile.inputs).map((input) => resolve(cwd, input));
    const externals = Object.values(result.metafile.outputs)
      .flatMap((output) => output.imports)
      .filter((imported) => imported.external && (imported.path.startsWith("file:") || imported.path.startsWith("/")))
      .map((imported) => (imported.path.startsWith("file:") ? fileURLToPath(imported.path) : imported.path));
    return { ok: true, file: outfile, inputs, externals: [...new Set(externals)] };
  } catch (error) {
    const errors = (error as { errors?: Message[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) return { ok: false, diagnostics: await format(errors) };
    throw error;
  }
}

async function format(messages: Message[]): Promise<string> {
  const { formatMessages } = await import("esbuild");
  const lines = await formatMessages(messages, { kind: "error", color: false });
  return lines.join("").trimEnd();
}

const SOURCE_URL = "__tsmpi_source_url";
const SOURCE_DIRNAME = "__tsmpi_source_dirname";
const SOURCE_FILENAME = "__tsmpi_source_filename";

const builtins = new Set(builtinModules);

function isBareSpecifier(specifier: string): boolean {
  return !specifier.startsWith(".") && !specifier.startsWith("/") && !/^[a-z]+:/i.test(specifier);
}

function isInsideNodeModules(file: string): boolean {
  return file.split(sep).includes("node_modules");
}

/** Keeps builtins and anything that resolves into a node_modules directory out of the bundle. */
const externalPackagesPlugin: Plugin = {
  name: "tsmpi-external-packages",
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (args.kind === "entry-point" || args.pluginData === RESOLVING) return undefined;
      if (args.path.startsWith("node:") || builtins.has(args.path)) return { path: args.path, external: true };
      if (!isBareSpecifier(args.path)) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: RESOLVING,
      });
      // Let esbuild report unresolvable imports itself, with the importing file and line.
      if (resolved.errors.length > 0 || resolved.external) return undefined;
      const file = await realpath(resolved.path);
      if (!isInsideNodeModules(file)) return { path: file };
      // require() takes a path; import takes a URL (a path with '#' or '%' would break as a URL).
      const path = args.kind === "require-call" ? file : pathToFileURL(file).href;
      return { path, external: true };
    });
  },
};
const RESOLVING = Symbol("tsmpi-resolving");

const loaders = { ".ts": "ts", ".mts": "ts", ".cts": "ts", ".tsx": "tsx", ".jsx": "jsx" } as const;

/**
 * Declares, at the top of every bundled source file that uses them, constants holding that
 * file's source URL, dirname and filename; `define` points `import.meta.url`, `__dirname` and
 * `__filename` at them. esbuild renames the constants apart per file when it hoists modules into
 * one scope, so each file keeps its own location. The declarations go on line 1 (after a
 * shebang, which becomes a comment) so source-map line numbers do not move.
 */
const sourceLocationPlugin: Plugin = {
  name: "tsmpi-source-location",
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, async (args) => {
      if (isInsideNodeModules(args.path)) return undefined;
      const source = await readFile(args.path, "utf8");
      const loader = loaders[extname(args.path) as keyof typeof loaders] ?? "js";
      if (!/import\.meta|__dirname|__filename/.test(source)) return { contents: source, loader };
      const declarations =
        `const ${SOURCE_URL} = ${JSON.stringify(pathToFileURL(args.path).href)}, ` +
        `${SOURCE_DIRNAME} = ${JSON.stringify(dirname(args.path))}, ` +
        `${SOURCE_FILENAME} = ${JSON.stringify(args.path)};`;
      const contents = source.startsWith("#!")
        ? `${declarations}//${source.slice(2)}`
        : `${declarations}${source}`;
      return { contents, loader, resolveDir: dirname(args.path) };
    });
  },
};

/** Where the bundle of a job goes. */
export function bundlePath(jobDir: string): string {
  return join(jobDir, "program.mjs");
}
