#!/usr/bin/env node
// The launcher ships compiled (dist/, built by `tsc -b`); source maps name its .ts lines in stacks.
process.setSourceMapsEnabled(true);
await import("../dist/cli/main.js");
