/**
 * The runtime's folders are its layers, and imports point one way (../shared/STYLE.md):
 * facades → p2p / collectives → communicator core → engine → matching / transport → wire.
 * A cycle, or an import up the list, is a design bug; these tests name the files that make one.
 */
import madge from "madge";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { repoRoot } from "../helpers/paths.ts";

/** Each top-level folder (or file) of packages/runtime/src, bottom layer first. */
const RUNTIME_LAYERS: readonly (readonly string[])[] = [
  // comm-trace/ (the --trace recorder) is at the bottom: every layer that communicates records into it;
  // util/ holds data structures that any layer may use.
  ["wire/", "wireup/", "constants.ts", "errors.ts", "env.ts", "comm-trace/", "util/"],
  ["matching/", "transport/", "shm/"],
  ["engine/"],
  ["core/", "ops/"],
  ["p2p/", "coll/"],
  ["comm/", "topo/", "lifecycle/"],
  ["pmap/", "darray/", "shared/"],
  ["index.ts", "terminal.ts"],
];

/** Neighbours in one layer that must not borrow from each other. */
const APART: readonly (readonly [string, string])[] = [
  ["p2p/", "coll/"],
  ["coll/", "p2p/"],
];

async function graphOf(packageName: string): Promise<Record<string, string[]>> {
  const result = await madge(join(repoRoot, "packages", packageName, "src"), {
    fileExtensions: ["ts"],
    tsConfig: join(repoRoot, "tsconfig.base.json"),
  });
  return result.obj();
}

async function cyclesOf(packageName: string): Promise<string[][]> {
  const result = await madge(join(repoRoot, "packages", packageName, "src"), {
    fileExtensions: ["ts"],
    tsConfig: join(repoRoot, "tsconfig.base.json"),
  });
  return result.circular();
}

function layerOf(file: string): number {
  const layer = RUNTIME_LAYERS.findIndex((entries) => entries.some((entry) => file === entry || (entry.endsWith("/") && file.startsWith(entry))));
  if (layer < 0) throw new Error(`${file} is in no layer of RUNTIME_LAYERS: add its folder to the list`);
  return layer;
}

/** "a.ts -> b.ts (layer 2 -> 4)" for every import that points up or sideways between APART folders. */
function layerViolations(graph: Record<string, string[]>): string[] {
  const violations: string[] = [];
  for (const [file, imports] of Object.entries(graph)) {
    for (const imported of imports) {
      const from = layerOf(file);
      const to = layerOf(imported);
      if (to > from) violations.push(`${file} -> ${imported} (layer ${from} -> ${to})`);
      if (APART.some(([a, b]) => file.startsWith(a) && imported.startsWith(b))) violations.push(`${file} -> ${imported} (${file.split("/")[0]} borrows from ${imported.split("/")[0]})`);
    }
  }
  return violations;
}

describe("the packages' import graphs", () => {
  test.each(["runtime", "launcher"])("@tsmpi/%s has no import cycle", async (packageName) => {
    expect(await cyclesOf(packageName)).toEqual([]);
  });

  test("every runtime import points to its own layer or one below, and p2p and coll do not borrow from each other", async () => {
    const graph = await graphOf("runtime");
    expect(Object.keys(graph).length).toBeGreaterThan(50);
    expect(layerViolations(graph)).toEqual([]);
  });

  test("the layer check names an import that points up", () => {
    expect(layerViolations({ "wire/codec.ts": ["coll/select.ts"], "coll/messages.ts": ["p2p/send.ts"], "comm/comm.ts": ["core/comm-core.ts"] })).toEqual([
      "wire/codec.ts -> coll/select.ts (layer 0 -> 4)",
      "coll/messages.ts -> p2p/send.ts (coll borrows from p2p)",
    ]);
  });
});
