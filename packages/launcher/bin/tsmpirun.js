#!/usr/bin/env node
// The launcher ships as TypeScript source (no build step): tsx compiles it in this process only.
// Ranks are started with a plain `node` on an esbuild bundle, so they never pay for tsx.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
