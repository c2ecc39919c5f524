import { describe, expect, it } from "vitest";
import { runFixturePassing, stdoutLines, TRANSPORTS } from "../helpers/jobs.ts";

/** RANK_COUNTS and an odd count above them, for the pairings that leave one rank out. */
const COUNTS = [1, 2, 3, 4, 5] as const;

describe.each(TRANSPORTS)("requests and issue 13's point-to-point calls over %s", (transport) => {
  it.each(COUNTS)(
    "inactive requests, waitSome/testAll/testAny/testSome, status, cancel, ssend/issend, isendrecv, recvInto and free with pending receives work at np %i",
    async (np) => {
      const result = await runFixturePassing("p2p-requests.ts", np, { transport });
      expect(stdoutLines(result)).toEqual([`p2p-requests ok size=${np}`]);
    },
  );
});

describe("the same on a split half of the world", () => {
  it.each(COUNTS)("every check passes on a communicator of its own at np %i", async (np) => {
    const result = await runFixturePassing("p2p-requests.ts", np, { args: ["--split"] });
    expect(stdoutLines(result)).toEqual([`p2p-requests ok size=${np}`]);
  });
});
