import { launch } from "@tsmpi/launcher";
import { expect, test } from "vitest";

test("launch() runs the project's program on 4 ranks", async () => {
  const result = await launch({ np: 4, program: "src/app.ts", args: ["100"], timeout: 60 });
  expect(result.failure).toBeUndefined();
  expect(result.exitCode).toBe(0);
  expect(result.ranks[0]!.stdout).toBe("sum of 1..100 on 4 ranks = 5050\n");
});
