import { describe, expect, test } from "vitest";
import { fixture } from "../helpers/paths.ts";
import { runTsmpirun } from "../helpers/tsmpirun.ts";

// Ranks run a bundle from the bundle cache; its inline source map must lead stacks back to the
// user's .ts file and line, for library frames too.
describe("stacks of failed ranks", () => {
  test("an uncaught throw names the program's .ts file and the line of the throw", async () => {
    const run = await runTsmpirun(["-n", "2", fixture("fail-throw")]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain(`at explode (${fixture("fail-throw")}:18:9)`);
    expect(run.stderr).not.toMatch(/program\.mjs|\.tsmpi|bundle/);
  });

  test("a TsmpiError rejection names the runtime's and the program's .ts lines", async () => {
    const run = await runTsmpirun(["-n", "1", fixture("fail-throw")]);
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toMatch(/TsmpiError \[ERR_RANK\][^\n]*\n\s+at \S+ \(\S*packages\/runtime\/src\/errors\.ts:\d+:\d+\)/);
    expect(run.stderr).toContain(`(${fixture("fail-throw")}:14:15)`);
    expect(run.stderr).not.toMatch(/program\.mjs|\.tsmpi|bundle/);
  });
});
