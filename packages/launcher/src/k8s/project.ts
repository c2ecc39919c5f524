/** Which directory a program's project is: what a rank container must have as its working directory. */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { ancestors } from "../bundle/ancestors.ts";

/**
 * The directory of the nearest package.json above `program` (an absolute path), where npx finds the
 * project's tsmpirun and Node the program's packages; undefined when there is none.
 */
export function projectDirectory(program: string): string | undefined {
  for (const dir of ancestors(dirname(program))) if (existsSync(join(dir, "package.json"))) return dir;
  return undefined;
}
