import type { Message, OutputFile, PartialMessage, Plugin } from "esbuild";
import { existsSync, readFileSync } from "node:fs";
import { readFile, realpath, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { dirname, extname, join, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { trace } from "../trace.ts";
import { ancestors } from "./ancestors.ts";
import { cacheDirectory, lookupBundle, storeBundle } from "./cache.ts";

/** Source extensions a rank program may have. */
export const PROGRAM_EXTENSIONS = [".ts", ".mts", ".cts", ".js", ".mjs", ".cjs"] as const;

/** The package every rank program imports; bundled into the program instead of loaded from node_modules. */
const RUNTIME_PACKAGE = "@tsmpi/runtime";

/** `externals`: the files of npm packages the bundle imports by absolute path. */
export type BundleOutcome = { ok: true; file: string; externals: string[]; cached?: boolean } | { ok: false; diagnostics: string };

/**
 * The bundle of `program`, once per job, so N ranks start from plain JavaScript instead of
 * compiling TypeScript N times: from the content-keyed cache (see cache.ts) when no input
 * changed, else built into `outfile` and stored for the next launch.
 */
export async function bundleProgramCached(program: string, outfile: string): Promise<BundleOutcome> {
  const dir = cacheDirectory(program);
  if (dir !== undefined) {
    const hit = await lookupBundle(dir, program);
    if (hit !== undefined) {
      trace("bundle: cache hit");
      return { ok: true, file: hit.file, externals: hit.externals, cached: true };
    }
  }
  const startedMs = Date.now();
  const built = await buildBundle(program, outfile);
  trace("bundle: built");
  if (!built.ok || dir === undefined) return built;
  const stored = await storeBundle(dir, program, { file: built.file, inputs: built.inputs, externals: built.externals, startedMs });
  return { ok: true, file: stored ?? built.file, externals: built.externals, cached: false };
}

type Built = { ok: true; file: string; inputs: string[]; externals: string[] } | { ok: false; diagnostics: string };

/**
 * Bundles the user's own files and the compiled `@tsmpi/runtime` (one file to load per rank instead
 * of a hundred modules); every other npm package stays external and is imported by absolute path:
 * zeromq loads a native addon relative to its own files, which a bundle would break, and a user's
 * dependencies keep Node's semantics.
 *
 * The source map is inline, with absolute `file:` URLs for its sources and esbuild's chaining
 * through the runtime's own maps, so a stack trace names the user's .ts file (and the runtime's
 * .ts file) wherever the bundle is stored.
 *
 * Known limitation: `import.meta.url`, `__dirname` and `__filename` are rewritten per bundled
 * file to that file's *source* location, so reads relative to them keep working; but
 * `import.meta.resolve()`, `import.meta.dirname/filename` and `new Worker(new URL(..., import.meta.url))`
 * pointing at a TS file are not rewritten and refer to the bundle.
 */
async function buildBundle(program: string, outfile: string): Promise<Built> {
  // Loaded on a cache miss only: importing esbuild costs ~10-20 ms a launch.
  const { build } = await import("esbuild");
  try {
    const result = await build({
      entryPoints: [program],
      outfile,
      write: false,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      sourcemap: "external",
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
      plugins: [packagesPlugin(program), sourceLocationPlugin],
    });
    if (result.errors.length > 0) return { ok: false, diagnostics: await format(result.errors) };
    await writeFile(outfile, withInlineSourceMap(result.outputFiles, outfile));
    const cwd = process.cwd();
    // Not the plugin's generated modules ("namespace:path"): each depends only on a file listed anyway.
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => !input.startsWith(`${COMMONJS_FACADE}:`))
      .map((input) => resolve(cwd, input));
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

/**
 * The bundle's code with its map appended as a data URL, the map's sources made absolute: the
 * bundle is built in the job directory and then moved into the cache, so sources relative to it
 * would point nowhere.
 */
function withInlineSourceMap(outputs: OutputFile[], outfile: string): string {
  const code = outputs.find((output) => output.path.endsWith(".mjs") || output.path === outfile);
  const map = outputs.find((output) => output.path.endsWith(".map"));
  if (code === undefined || map === undefined) throw new Error(`esbuild wrote no ${code === undefined ? "bundle" : "source map"} for ${outfile}`);
  const parsed = JSON.parse(map.text) as { sources: string[]; sourceRoot?: string };
  const base = dirname(map.path);
  parsed.sources = parsed.sources.map((source) => (/^[a-z]+:/i.test(source) ? source : pathToFileURL(resolve(base, source)).href));
  delete parsed.sourceRoot;
  const text = code.text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, "\n");
  return `${text}//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(parsed)).toString("base64")}\n`;
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

/** `name` or `@scope/name` of a bare specifier. */
function packageName(specifier: string): string {
  const [first = "", second = ""] = specifier.split("/");
  return first.startsWith("@") ? `${first}/${second}` : first;
}

type Manifest = { name?: unknown; type?: unknown };

/**
 * The nearest package.json above a file, parsed, memoised per folder for one build (a bundle asks
 * for ~100 files; a later build, e.g. the next launch() in the same process, reads them afresh).
 */
function manifestLookup(): (file: string) => Manifest | undefined {
  const known = new Map<string, Manifest | undefined>();
  return (file) => {
    const visited: string[] = [];
    let found: Manifest | undefined;
    for (const dir of ancestors(dirname(file))) {
      if (known.has(dir)) {
        found = known.get(dir);
        break;
      }
      visited.push(dir);
      let text: string | undefined;
      try {
        text = readFileSync(join(dir, "package.json"), "utf8");
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        found = JSON.parse(text) as Manifest;
        break;
      }
    }
    for (const dir of visited) known.set(dir, found);
    return found;
  };
}

/** Whether Node loads `file` as CommonJS: .cjs, or .js without "type": "module" in its package.json. */
function isCommonJs(file: string, manifestOf: (file: string) => Manifest | undefined): boolean {
  const extension = extname(file);
  if (extension === ".cjs") return true;
  if (extension !== ".js") return false;
  return manifestOf(file)?.type !== "module";
}

/** Namespace of the small modules the plugin below writes itself. */
const COMMONJS_FACADE = "tsmpi-commonjs-facade";

/** Whether a node_modules folder at or above `dir` holds the package `name`. */
function isInstalled(name: string, dir: string): boolean {
  for (const at of ancestors(dir)) if (existsSync(join(at, "node_modules", name, "package.json"))) return true;
  return false;
}

/**
 * The error for a package the program imports that is not installed, in place of esbuild's
 * advice to mark it external (which would only move the failure to every rank).
 */
function notInstalled(specifier: string, importer: string, program: string, inProject: boolean): PartialMessage {
  const name = packageName(specifier);
  const project = inProject ? "your project" : dirname(program);
  const hint = name === RUNTIME_PACKAGE ? `npm install ${RUNTIME_PACKAGE} @tsmpi/launcher` : `npm install ${name}`;
  return {
    text: `"${specifier}" is imported by ${importer} but the package "${name}" is not installed: run \`${hint}\` in ${project}`,
  };
}

/**
 * Keeps builtins and anything that resolves into a node_modules directory out of the bundle,
 * except the runtime package, which is bundled with the program.
 *
 * A runtime file's `import` of a CommonJS package (zeromq) becomes a require() of it: Node
 * imports CommonJS from ESM by first scanning its source (and that of every file it re-exports)
 * for export names: zeromq as an import cost each rank ~5-10 ms more. Same module object: a program that
 * imports the package itself gets the one require() loaded. Only for the runtime, which imports
 * such packages as a namespace or by name; a program's imports keep Node's semantics.
 */
function packagesPlugin(program: string): Plugin {
  const manifestOf = manifestLookup();
  // Part of the runtime package: its compiled dist/, or its sources in this workspace.
  const isRuntimeFile = (file: string): boolean => manifestOf(file)?.name === RUNTIME_PACKAGE;
  return {
    name: "tsmpi-packages",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind === "entry-point" || args.pluginData === RESOLVING) return undefined;
        if (args.path.startsWith("node:") || builtins.has(args.path)) return { path: args.path, external: true };
        // The require() inside a facade: the package itself stays external.
        if (args.namespace === COMMONJS_FACADE) return { path: args.path, external: true };
        if (!isBareSpecifier(args.path)) return undefined;
        const resolved = await build.resolve(args.path, {
          kind: args.kind,
          resolveDir: args.resolveDir,
          importer: args.importer,
          pluginData: RESOLVING,
        });
        if (resolved.errors.length > 0) {
          // Let esbuild report what else went wrong (a package without the file it exports, ...).
          return isInstalled(packageName(args.path), args.resolveDir) ? undefined : { errors: [notInstalled(args.path, args.importer, program, manifestOf(program) !== undefined)] };
        }
        if (resolved.external) return undefined;
        const file = await realpath(resolved.path);
        if (isRuntimeFile(file) || !isInsideNodeModules(file)) return { path: file };
        if (args.kind === "import-statement" && isRuntimeFile(args.importer) && isCommonJs(file, manifestOf)) {
          return { path: file, namespace: COMMONJS_FACADE };
        }
        // require() takes a path; import takes a URL (a path with '#' or '%' would break as a URL).
        const path = args.kind === "require-call" ? file : pathToFileURL(file).href;
        return { path, external: true };
      });
      build.onLoad({ filter: /.*/, namespace: COMMONJS_FACADE }, (args) => ({
        contents: `module.exports = require(${JSON.stringify(args.path)});\n`,
        loader: "js",
      }));
    },
  };
}
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
      const source = await readFile(args.path, "utf8");
      if (!/import\.meta|__dirname|__filename/.test(source)) return undefined;
      const loader = loaders[extname(args.path) as keyof typeof loaders] ?? "js";
      const declarations =
        `const ${SOURCE_URL} = ${JSON.stringify(pathToFileURL(args.path).href)}, ` +
        `${SOURCE_DIRNAME} = ${JSON.stringify(dirname(args.path))}, ` +
        `${SOURCE_FILENAME} = ${JSON.stringify(args.path)};`;
      // After a "use strict" on line 1, which would stop being a directive behind the declarations.
      const directive = /^(['"])use strict\1;?/.exec(source)?.[0];
      const contents = source.startsWith("#!")
        ? `${declarations}//${source.slice(2)}`
        : directive !== undefined
          ? `${directive}${directive.endsWith(";") ? "" : ";"}${declarations}${source.slice(directive.length)}`
          : `${declarations}${source}`;
      return { contents, loader, resolveDir: dirname(args.path) };
    });
  },
};

/** Where the bundle of a job goes. */
export function bundlePath(jobDir: string): string {
  return join(jobDir, "program.mjs");
}
