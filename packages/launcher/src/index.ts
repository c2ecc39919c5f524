export { launch } from "./launch.ts";
export type { LaunchOptions, JobResult, RankResult, TransportKind } from "./types.ts";
