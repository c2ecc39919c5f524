import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines } from "../helpers/jobs.ts";

interface Case {
  case: string;
  code: string;
  message: string;
}

describe.each([1, 3])("bad arguments at np %i", (np) => {
  it("throw a TsmpiError naming the rank, the call and the argument, and send nothing", async () => {
    const result = await runFixturePassing("p2p-bad-input.ts", np);
    const cases = new Map(stdoutLines(result).map((line) => JSON.parse(line) as Case).map((c) => [c.case, c]));
    const me = np - 1;
    const expectations: Array<[string, string, string]> = [
      ["send dest too large", "ERR_RANK", `rank ${me}: send(dest=${np}): dest must be ${np === 1 ? "0" : `0..${np - 1}`} or PROC_NULL (size ${np})`],
      ["send dest negative", "ERR_RANK", `rank ${me}: send(dest=-7): dest must be`],
      ["send dest not integer", "ERR_RANK", `rank ${me}: send(dest=0.5)`],
      ["isend dest too large (synchronous)", "ERR_RANK", `rank ${me}: isend(dest=${np + 3})`],
      ["recv source too large", "ERR_RANK", `rank ${me}: recv(source=${np}): source must be`],
      ["irecv source negative", "ERR_RANK", `rank ${me}: irecv(source=-9)`],
      ["send tag negative", "ERR_TAG", `rank ${me}: send(tag=-5): tag must be an integer 0..2147483647`],
      ["send tag ANY_TAG", "ERR_TAG", `rank ${me}: send(tag=-1)`],
      ["send tag fractional", "ERR_TAG", `rank ${me}: send(tag=1.5)`],
      ["recv tag string", "ERR_TAG", `rank ${me}: recv(tag="x")`],
      ["send function", "ERR_SERIALIZE", `rank ${me}: send(data): a function cannot be sent`],
      ["send nested function", "ERR_SERIALIZE", `rank ${me}: send(data): a function cannot be sent`],
      ["send symbol", "ERR_SERIALIZE", `rank ${me}: send(data): a symbol cannot be sent`],
      ["send nested symbol", "ERR_SERIALIZE", `rank ${me}: send(data): a symbol cannot be sent`],
      ["send lone surrogate to self", "ERR_SERIALIZE", `rank ${me}: send(data): a string with a lone UTF-16 surrogate cannot be sent unchanged`],
      ["send lone surrogate to another", "ERR_SERIALIZE", `rank ${me}: send(data): a string with a lone UTF-16 surrogate`],
      ["send lone surrogate nested", "ERR_SERIALIZE", `rank ${me}: send(data): a string with a lone UTF-16 surrogate`],
      ["send lone surrogate object key", "ERR_SERIALIZE", `rank ${me}: send(data): a string with a lone UTF-16 surrogate`],
      ["send lone surrogate Map key", "ERR_SERIALIZE", `rank ${me}: send(data): a string with a lone UTF-16 surrogate`],
      ["isend lone surrogate in Set", "ERR_SERIALIZE", `rank ${me}: isend(data): a string with a lone UTF-16 surrogate`],
      ["sendrecv dest too large", "ERR_RANK", `rank ${me}: sendrecv(dest=${np})`],
      ["sendrecv source too large", "ERR_RANK", `rank ${me}: sendrecv(source=${np})`],
      ["probe source too large", "ERR_RANK", `rank ${me}: probe(source=${np + 1})`],
      ["iprobe tag negative", "ERR_TAG", `rank ${me}: iprobe(tag=-2)`],
      ["abort code out of range", "ERR_ARG", `rank ${me}: abort(code=300)`],
    ];
    expect([...cases.keys()].sort()).toEqual(expectations.map(([name]) => name).sort());
    for (const [name, code, start] of expectations) {
      expect(cases.get(name)?.code, name).toBe(code);
      expect(cases.get(name)?.message, name).toContain(start);
    }
  });
});
