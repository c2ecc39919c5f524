/**
 * No object literal in the runtime has a getter or a setter. V8 gives such a literal a hidden class
 * of its own each time it is evaluated (the accessor holds that evaluation's closure), in the old
 * generation; on a per-call path the dead ones keep every call's objects alive through scavenges.
 * A receive's handle built that way promoted the objects of every message (p2p/recv.ts,
 * PostedReceive). A class's accessors live on its prototype: use one.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { expect, test } from "vitest";
import { repoRoot } from "../helpers/paths.ts";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });
}

/** `file:line` of every object literal member of `source` that is a getter or a setter. */
function literalAccessors(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isObjectLiteralExpression(node)) {
      for (const member of node.properties) {
        if (ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member)) {
          const { line } = source.getLineAndCharacterOfPosition(member.getStart(source));
          found.push(`${relative(repoRoot, source.fileName)}:${line + 1} ${member.getText(source).split("\n")[0]}`);
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const parse = (fileName: string, text: string): ts.SourceFile => ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);

test("no object literal in packages/runtime/src has a getter or setter", () => {
  const files = sourceFiles(join(repoRoot, "packages", "runtime", "src"));
  expect(files.length).toBeGreaterThan(50);
  expect(files.flatMap((path) => literalAccessors(parse(path, readFileSync(path, "utf8"))))).toEqual([]);
});

test("the check finds accessors in object literals, not in classes", () => {
  const probe = join(repoRoot, "probe.ts");
  expect(literalAccessors(parse(probe, "const o = { get x() { return 1; }, set x(v) {}, y: 2 };"))).toHaveLength(2);
  expect(literalAccessors(parse(probe, "class C { get x() { return 1; } }"))).toEqual([]);
});
