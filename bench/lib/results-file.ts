import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Writes a part's markdown to `out` and its figures beside it as `<out>.json`: the run's metadata,
 * then one cell per line, so that two runs diff line by line and plots can read the cells back.
 * Returns the JSON file's path.
 */
export function writeResults(out: string, markdown: string, meta: object, cells: readonly unknown[]): string {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, markdown);
  const jsonOut = `${out.replace(/\.md$/, "")}.json`;
  writeCells(jsonOut, meta, cells);
  return jsonOut;
}

/** `meta` as JSON with a `cells` array appended, one cell per line. */
export function writeCells(file: string, meta: object, cells: readonly unknown[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(meta).slice(0, -1)},"cells":[\n${cells.map((c) => JSON.stringify(c)).join(",\n")}\n]}\n`);
}
