import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

interface Case {
  case: string;
  code: string;
  message: string;
}

describe.each([
  ["with shared memory", {}],
  ["without shared memory (TSMPI_SHM=0)", { env: { TSMPI_SHM: "0" } }],
] as const)("Op.NO_OP and reduceLocal %s", (_, options) => {
  it.each([1, 2, 3, 4, 7])("NO_OP keeps rank 0's operand in every reduction, and reduceLocal matches a plain loop, at np %i", async (np) => {
    const result = await runFixturePassing("coll-no-op.ts", np, options);
    const lines = stdoutLines(result);
    const oks = lines.filter((line) => line.startsWith("coll-no-op ok"));
    expect(oks.map((line) => line.replace(/ checks=\d+$/, ""))).toEqual(Array.from({ length: np }, (_, r) => `coll-no-op ok rank=${r} size=${np}`));
    const counts = new Set(oks.map((line) => Number(/checks=(\d+)$/.exec(line)![1])));
    expect(counts.size).toBe(1);
    expect([...counts][0]).toBeGreaterThan(100);
    if (np !== 3) return;
    const cases = new Map(lines.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Case).map((c) => [c.case, c]));
    const expectations: Array<[string, string, string]> = [
      ["kinds differ", "ERR_ARG", "reduceLocal(inoutBuffer): inBuffer is Float64Array(3) but inoutBuffer is Float32Array(3): both must be of one kind and length"],
      ["lengths differ", "ERR_ARG", "reduceLocal(inoutBuffer): inBuffer is Int32Array(3) but inoutBuffer is Int32Array(4)"],
      ["inBuffer not a typed array", "ERR_ARG", "reduceLocal(inBuffer=[array of 2]): inBuffer must be a typed array"],
      ["inoutBuffer a DataView", "ERR_ARG", "reduceLocal(inoutBuffer=[DataView]): inoutBuffer must be a typed array"],
      ["op not applicable", "ERR_OP", "reduceLocal(data): Op.BAND needs integers"],
      ["MINLOC on a typed array", "ERR_OP", "reduceLocal(data): Op.MINLOC needs [value, index] pairs"],
      ["not an op", "ERR_OP", `reduceLocal(op="SUM"): op must be an Op`],
      ["user op of the wrong shape", "ERR_OP", "reduceLocal(op): "],
    ];
    expect([...cases.keys()].sort()).toEqual(expectations.map(([name]) => name).sort());
    for (const [name, code, text] of expectations) {
      expect(cases.get(name)?.code, name).toBe(code);
      expect(cases.get(name)?.message, name).toContain(text);
    }
  });
});
