/**
 * Cache of program bundles, keyed by the content of every file that went into them (esbuild's
 * metafile inputs), so an unchanged program starts without running esbuild (~100-250 ms of a
 * launch). Entries are immutable files named by that content hash: a job keeps running the bundle
 * it started with while an edit makes the next job build another. Lives in the program's
 * project, `node_modules/.cache/tsmpirun/bundles` (find-cache-dir's convention), or
 * $TSMPIRUN_CACHE_DIR; TSMPIRUN_CACHE=0 turns it off.
 *
 * A hit is checked by hashing the inputs again (a few dozen small files, ~1-2 ms) and by checking
 * that every external module the bundle imports by absolute path still exists (a reinstall may
 * move packages). Not tracked: tsconfig.json changes that alter how esbuild compiles.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { ancestors } from "./ancestors.ts";

/** Bumped whenever bundle.ts changes what it produces for the same inputs. */
export const BUNDLE_FORMAT = "tsmpi-bundle-4";
/** Bundles kept per program; older ones are removed (a job still running one has it open already). */
const KEEP_PER_PROGRAM = 3;

interface Manifest {
  /** Absolute paths of the bundled source files. */
  inputs: string[];
  /** Absolute paths of the node_modules files the bundle imports. */
  externals: string[];
  /** The bundle's file name in the cache directory. */
  bundle: string;
}

/**
 * Where bundles of `program` are kept: `node_modules/.cache/tsmpirun/bundles` of the project the
 * program belongs to (the nearest folder above it with a package.json and a node_modules, as
 * find-cache-dir does), else the user's cache folder ($XDG_CACHE_HOME or ~/.cache).
 */
export function cacheDirectory(program: string): string | undefined {
  if (process.env.TSMPIRUN_CACHE === "0") return undefined;
  if (process.env.TSMPIRUN_CACHE_DIR) return join(process.env.TSMPIRUN_CACHE_DIR, "bundles");
  for (const dir of ancestors(dirname(program))) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "node_modules"))) {
      return join(dir, "node_modules", ".cache", "tsmpirun", "bundles");
    }
  }
  return join(process.env.XDG_CACHE_HOME || join(homedir(), ".cache"), "tsmpirun", "bundles");
}

/** A stable short name for a program: the hash of its absolute path and the bundle format. */
function programKey(program: string): string {
  return createHash("sha256").update(BUNDLE_FORMAT).update("\0").update(program).digest("hex").slice(0, 16);
}

/**
 * Read synchronously: a launch waits for this before it starts any rank, and ~100 small files cost
 * ~1.5 ms of CPU with readFileSync against ~10 ms with fs/promises (a FileHandle, a stat and a
 * thread-pool round trip per file).
 */
export async function contentHash(files: readonly string[]): Promise<string> {
  const hash = createHash("sha256").update(BUNDLE_FORMAT);
  for (const file of files) hash.update("\0").update(file).update("\0").update(readFileSync(file));
  return hash.digest("hex").slice(0, 24);
}

/** The cached bundle of `program` if its inputs are unchanged, else undefined. */
export async function lookupBundle(dir: string, program: string): Promise<{ file: string; externals: string[] } | undefined> {
  const key = programKey(program);
  try {
    const manifest = JSON.parse(await readFile(join(dir, `${key}.json`), "utf8")) as Manifest;
    const bundle = `${key}-${await contentHash(manifest.inputs)}.mjs`;
    if (bundle !== manifest.bundle) return undefined;
    if (!manifest.externals.every((file) => existsSync(file))) return undefined;
    const file = join(dir, bundle);
    return existsSync(file) ? { file, externals: manifest.externals } : undefined;
  } catch {
    return undefined; // no manifest, an input gone, a corrupt file: build again
  }
}

/**
 * Stores a freshly built bundle. Skipped when an input changed while esbuild ran (its mtime is
 * after `builtAfterMs`): the bundle might not match the hash computed now.
 */
export async function storeBundle(
  dir: string,
  program: string,
  built: { file: string; inputs: string[]; externals: string[]; startedMs: number },
): Promise<string | undefined> {
  try {
    const mtimes = await Promise.all(built.inputs.map(async (file) => (await stat(file)).mtimeMs));
    if (mtimes.some((mtime) => mtime >= built.startedMs)) return undefined;
    const key = programKey(program);
    const bundle = `${key}-${await contentHash(built.inputs)}.mjs`;
    await mkdir(dir, { recursive: true });
    const target = join(dir, bundle);
    const temporary = `${target}.${process.pid}.tmp`;
    // rename() is atomic: a concurrent launcher sees the old bundle or the whole new one.
    await writeFile(temporary, await readFile(built.file));
    await rename(temporary, target);
    const manifest: Manifest = { inputs: built.inputs, externals: built.externals, bundle };
    await writeFile(`${join(dir, key)}.json.${process.pid}.tmp`, JSON.stringify(manifest));
    await rename(`${join(dir, key)}.json.${process.pid}.tmp`, join(dir, `${key}.json`));
    await prune(dir, key, bundle);
    return target;
  } catch {
    return undefined; // a read-only or full disk only costs the next launch a rebuild
  }
}

async function prune(dir: string, key: string, keep: string): Promise<void> {
  const names = (await readdir(dir)).filter((name) => name.startsWith(`${key}-`) && name.endsWith(".mjs") && name !== keep);
  if (names.length < KEEP_PER_PROGRAM) return;
  const dated = await Promise.all(names.map(async (name) => ({ name, mtime: (await stat(join(dir, name))).mtimeMs })));
  dated.sort((a, b) => b.mtime - a.mtime);
  await Promise.all(dated.slice(KEEP_PER_PROGRAM - 1).map(({ name }) => unlink(join(dir, name)).catch(() => undefined)));
}
