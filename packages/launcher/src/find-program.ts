import { stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { PROGRAM_EXTENSIONS } from "./bundle/bundle.ts";

/**
 * The absolute path of the program to bundle, or why there is none (a sentence starting
 * `tsmpirun: `, to which the caller adds what was not started). Checked before bundling, so that a
 * typo reads as a typo and not as an esbuild diagnostic.
 */
export async function findProgram(cwd: string, program: string): Promise<{ ok: true; path: string } | { ok: false; message: string }> {
  const path = resolve(cwd, program);
  const found = await stat(path).catch(() => undefined);
  if (!found?.isFile()) return { ok: false, message: `tsmpirun: cannot find the program "${program}" (looked for ${path})` };
  if (!(PROGRAM_EXTENSIONS as readonly string[]).includes(extname(path))) {
    return { ok: false, message: `tsmpirun: "${program}" is not a TypeScript or JavaScript program (expected ${PROGRAM_EXTENSIONS.join(", ")})` };
  }
  return { ok: true, path };
}
