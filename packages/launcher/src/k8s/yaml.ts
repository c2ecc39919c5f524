/**
 * A multi-document YAML stream written as JSON documents. JSON is YAML (1.2, and what kubectl
 * reads), so this needs no YAML serializer: every string is quoted the JSON way, so a value such
 * as `yes`, `0755` or `a: b` cannot change type, and the output can be read back with JSON.parse.
 */

/** Lines are kept within this many columns where a value can be split. */
const WIDTH = 100;

/**
 * `comment` as `# ` lines, then each document after a `---` line. The comment stands alone before
 * the first `---`, an empty document that kubectl skips.
 */
export function yamlStream(comment: readonly string[], documents: readonly object[]): string {
  const lines = comment.map((line) => (line === "" ? "#" : `# ${line}`));
  for (const document of documents) lines.push("---", formatJson(document, "", 0, true));
  return `${lines.join("\n")}\n`;
}

/**
 * JSON indented by two spaces, except that an array or object that fits on the rest of its line
 * stays on it (`{ "name": "TSMPI_SIZE", "value": "4" }`): JSON.stringify's one value per line
 * makes a Job three times as long to read.
 */
function formatJson(value: unknown, indent: string, prefix: number, expand = false): string {
  const inline = oneLine(value);
  if (typeof value !== "object" || value === null) return inline;
  if (!expand && indent.length + prefix + inline.length <= WIDTH) return inline;
  const inner = `${indent}  `;
  const lines = Array.isArray(value)
    ? value.map((item) => inner + formatJson(item, inner, 0))
    : definedEntries(value).map(([key, item]) => {
        const label = `${JSON.stringify(key)}: `;
        return inner + label + formatJson(item, inner, label.length);
      });
  if (lines.length === 0) return inline;
  const [open, close] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  return `${open}\n${lines.join(",\n")}\n${indent}${close}`;
}

/** JSON on one line, with a space after each `,` and `:` as a person would write it. */
function oneLine(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(oneLine).join(", ")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = definedEntries(value).map(([key, item]) => `${JSON.stringify(key)}: ${oneLine(item)}`);
    return entries.length === 0 ? "{}" : `{ ${entries.join(", ")} }`;
  }
  return JSON.stringify(value);
}

/** An object's entries as JSON.stringify writes them: without those whose value is undefined. */
function definedEntries(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, item]) => item !== undefined);
}
