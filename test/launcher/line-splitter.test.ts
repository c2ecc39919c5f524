import { describe, expect, it } from "vitest";
import { LineSplitter } from "../../packages/launcher/src/output/line-splitter.ts";
import { linePrefixer } from "../../packages/launcher/src/output/prefix.ts";

// Pure logic: the integration tests in output.test.ts cover lines through real ranks.
describe("the line splitter", () => {
  it("emits only whole lines, across chunk boundaries and inside multi-byte characters", () => {
    const out: string[] = [];
    const splitter = new LineSplitter((block) => out.push(block.toString("utf8")));
    const text = Buffer.from("héllo\nwörld\nlast");
    splitter.push(text.subarray(0, 2));
    splitter.push(text.subarray(2, 9));
    splitter.push(text.subarray(9));
    splitter.flush();
    expect(out).toEqual(["héllo\n", "wörld\n", "last\n"]);
  });

  it("passes a carriage-return redraw through at once, without adding a newline", () => {
    const out: string[] = [];
    const splitter = new LineSplitter((block) => out.push(block.toString("utf8")));
    splitter.push(Buffer.from("\r[##  ] 50%"));
    splitter.push(Buffer.from("\r[####] 100%\n"));
    expect(out).toEqual(["\r", "[##  ] 50%\r[####] 100%\n"]);
  });

  it("prefixes each redrawn piece and each line, but treats CRLF as one line end", () => {
    const prefix = linePrefixer({ rank: 3, tagOutput: true, timestampOutput: false })!;
    expect(prefix(Buffer.from("a\r\nb\n")).toString()).toBe("[3] a\r\n[3] b\n");
    expect(prefix(Buffer.from("50%\r")).toString()).toBe("[3] 50%\r");
  });

  it("emits a line longer than maxLineBytes in pieces marked as continuing, and ends it once", () => {
    const out: [string, boolean][] = [];
    const splitter = new LineSplitter((block, endsLine) => out.push([block.toString(), endsLine]), 4);
    splitter.push(Buffer.from("ab"));
    splitter.push(Buffer.from("cdef"));
    splitter.push(Buffer.from("gh\nij"));
    splitter.push(Buffer.from("klmn"));
    expect(splitter.midLine).toBe(true);
    splitter.flush();
    expect(out).toEqual([["abcdef", false], ["gh\n", true], ["ijklmn", false], ["\n", true]]);
    expect(splitter.midLine).toBe(false);
  });

  it("prefixes only the first piece of a line streamed in pieces, and a CRLF cut between blocks once", () => {
    const prefix = linePrefixer({ rank: 1, tagOutput: true, timestampOutput: false })!;
    const blocks = ["abc", "def", "g\nh", "i\r", "\nj\n"].map((text) => prefix(Buffer.from(text)).toString());
    expect(blocks.join("")).toBe("[1] abcdefg\n[1] hi\r\n[1] j\n");
    prefix(Buffer.from("k"));
    prefix.newLine();
    expect(prefix(Buffer.from("l\n")).toString()).toBe("[1] l\n");
  });
});
