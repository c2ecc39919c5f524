/** Collectives refuse strings with lone UTF-16 surrogates on the sending rank (p2p: test/p2p/bad-input.test.ts). */
import { expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

it("collectives refuse a lone surrogate with ERR_SERIALIZE, naming the rank and the call", async () => {
  const result = await runFixturePassing("coll-lone-surrogate.ts", 1);
  const cases = stdoutLines(result).map((line) => JSON.parse(line) as { case: string; code: string; message: string });
  expect(cases.map((c) => c.case)).toEqual(["bcast", "gather", "allgather", "scatter", "alltoall"]);
  for (const c of cases) {
    expect(c.code, c.case).toBe("ERR_SERIALIZE");
    expect(c.message, c.case).toContain(`rank 0: ${c.case}(data): a string with a lone UTF-16 surrogate cannot be sent unchanged`);
  }
});
