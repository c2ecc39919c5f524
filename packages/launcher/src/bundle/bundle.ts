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

/** What buildBundle does with npm packages besides keeping them external (the default, for programs). */
export interface BundleOptions {
  /**
   * Packages bundled in, with every package they import, instead of imported from node_modules at
   * run time: the launcher's own pure-JS dependencies (yargs is ~15 ES modules to resolve, read and
   * compile at every start).
   */
  inlinePackages?: readonly string[];
  /**
   * Per inlined package, packages it imports for their default export (a function) but rarely
   * calls: evaluated on the first call instead of at start. yargs formats only --help with cliui
   * and string-width, whose start-up (an Intl.Segmenter each) costs every launch ~10-20 ms.
   */
  deferredDefaults?: Readonly<Record<string, readonly string[]>>;
}

export async function buildBundle(program: string, outfile: string, options: BundleOptions = {}): Promise<Built> {
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
      plugins: [packagesPlugin(options), sourceLocationPlugin],
    });
    if (result.errors.length > 0) return { ok: false, diagnostics: await format(result.errors) };
    const cwd = process.cwd();
    // Not the plugin's generated modules ("namespace:path"): each depends only on a file listed anyway.
    const inputs = Object.keys(result.metafile.inputs)
      .filter((input) => !GENERATED_NAMESPACES.some((namespace) => input.startsWith(`${namespace}:`)))
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

/** The workspace's packages (the runtime and the launcher), whose sources are bundled as our own. */
const WORKSPACE_PACKAGES = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

function isWorkspaceSource(file: string): boolean {
  return file.startsWith(WORKSPACE_PACKAGES + sep) && !isInsideNodeModules(file);
}

/** `name` or `@scope/name` of a bare specifier. */
function packageName(specifier: string): string {
  const [first = "", second = ""] = specifier.split("/");
  return first.startsWith("@") ? `${first}/${second}` : first;
}

/** The package a file inside node_modules belongs to, else undefined. */
function packageOf(file: string): string | undefined {
  const parts = file.split(sep);
  const at = parts.lastIndexOf("node_modules");
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const name = parts[at + 1]!;
  return name.startsWith("@") ? `${name}/${parts[at + 2] ?? ""}` : name;
}

/** Whether Node loads `file` as CommonJS: .cjs, or .js without "type": "module" in its package.json. */
async function isCommonJs(file: string): Promise<boolean> {
  const extension = extname(file);
  if (extension === ".cjs") return true;
  if (extension !== ".js") return false;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = await readFile(join(dir, "package.json"), "utf8").catch(() => undefined);
    if (manifest !== undefined) return (JSON.parse(manifest) as { type?: unknown }).type !== "module";
    if (dirname(dir) === dir) return true;
  }
}

/** Namespaces of the small modules the plugin below writes itself. */
const COMMONJS_FACADE = "tsmpi-commonjs-facade";
const DEFERRED_DEFAULT = "tsmpi-deferred-default";
const GENERATED_NAMESPACES = [COMMONJS_FACADE, DEFERRED_DEFAULT];

/**
 * Keeps builtins and anything that resolves into a node_modules directory out of the bundle,
 * except the `inlinePackages` (and what they import).
 *
 * A workspace source's `import` of a CommonJS package (zeromq) becomes a require() of it: Node
 * imports CommonJS from ESM by first scanning its source (and that of every file it re-exports)
 * for export names: zeromq as an import cost each rank ~5-10 ms more. Same module object: a program that
 * imports the package itself gets the one require() loaded. Only for our own sources, which
 * import such packages as a namespace or by name; a program's imports keep Node's semantics.
 */
function packagesPlugin(options: BundleOptions): Plugin {
  const inline = new Set(options.inlinePackages ?? []);
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
        // Let esbuild report unresolvable imports itself, with the importing file and line.
        if (resolved.errors.length > 0 || resolved.external) return undefined;
        const file = await realpath(resolved.path);
        if (!isInsideNodeModules(file)) return { path: file };
        // With packages inlined, an importer inside node_modules is one of them: bundle its imports too.
        const importer = inline.size > 0 ? packageOf(args.importer) : undefined;
        if (importer !== undefined) {
          if (args.kind === "import-statement" && options.deferredDefaults?.[importer]?.includes(args.path)) {
            return { path: file, namespace: DEFERRED_DEFAULT, pluginData: { specifier: args.path, resolveDir: args.resolveDir } };
          }
          return { path: file };
        }
        if (inline.has(packageName(args.path))) return { path: file };
        if (args.kind === "import-statement" && isWorkspaceSource(args.importer) && (await isCommonJs(file))) {
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
      // esbuild bundles a module that is require()d inside a function that runs on the first call.
      build.onLoad({ filter: /.*/, namespace: DEFERRED_DEFAULT }, (args) => {
        const { specifier, resolveDir } = args.pluginData as { specifier: string; resolveDir: string };
        return {
          contents:
            `let loaded;\n` +
            `export default function deferred(...args) {\n` +
            `  loaded ??= require(${JSON.stringify(specifier)}).default;\n` +
            `  return loaded.apply(this, args);\n` +
            `}\n`,
          resolveDir,
          loader: "js",
        };
      });
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
      const mentions = /import\.meta|__dirname|__filename/.test(source);
      // A file of an inlined package (see packagesPlugin) that needs no declarations loads as usual.
      if (isInsideNodeModules(args.path) && !mentions) return undefined;
      const loader = loaders[extname(args.path) as keyof typeof loaders] ?? "js";
      if (!mentions) return { contents: source, loader };
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
