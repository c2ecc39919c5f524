import { fileURLToPath } from "node:url";

/**
 * How to run the agent on a host: the same node and the same agent file as this launcher, by
 * absolute path, since the project (and its node_modules) must sit at the same path everywhere.
 */
export function agentCommand(): string[] {
  return [process.execPath, fileURLToPath(new URL("../agent/main.js", import.meta.url))];
}

/** Quotes a word for the remote shell that ssh hands its command to. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Splits a command given as one string (`--ssh-command "ssh -F cfg"`) into words: whitespace
 * separates, single and double quotes group, as a shell would (without expansions).
 */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let current: string | undefined;
  let quote: string | undefined;
  for (const char of text) {
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      else current = (current ?? "") + char;
    } else if (char === "'" || char === '"') {
      quote = char;
      current ??= "";
    } else if (/\s/.test(char)) {
      if (current !== undefined) words.push(current);
      current = undefined;
    } else {
      current = (current ?? "") + char;
    }
  }
  if (quote !== undefined) throw new Error(`unterminated ${quote} in ${JSON.stringify(text)}`);
  if (current !== undefined) words.push(current);
  return words;
}
