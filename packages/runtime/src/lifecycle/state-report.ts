/**
 * This rank's answer to tsmpirun's `report-state`: the calls it is in and its pending requests,
 * with what each waits for. Built only when asked, so the hot path pays nothing for the wording.
 * Internal to the runtime.
 */
import { operationsInProgress, type OperationInProgress } from "../engine/operations.ts";
import type { RankStateReport, ReportedOperation } from "../wireup/protocol.ts";
import { runtimeState } from "./state.ts";
import { collectiveContextOf } from "../core/comm-core.ts";
import { isTagOfCall, stepOfTag } from "../core/collective-tag.ts";
import { failuresHeldForNextCall, type HeldFailure } from "../core/collective-monitor.ts";

/** What this rank is doing now. */
export function describeRankState(): RankStateReport {
  const state = runtimeState();
  const now = Date.now();
  const posted = state?.engine.matcher.postedReceives() ?? [];
  const operations = operationsInProgress.list().map((operation): ReportedOperation => {
    const collective = operation.sequence > 0;
    return {
      call: operation.call,
      request: operation.request,
      communicator: communicatorName(operation),
      source: collective || operation.context < 0 ? undefined : operation.source,
      tag: collective || operation.context < 0 ? undefined : operation.tag,
      sequence: collective ? operation.sequence : undefined,
      algorithm: collective ? operation.algorithm : undefined,
      waitingFor: collective
        ? posted
            .filter((receive) => receive.context === collectiveContextOf(operation.context) && isTagOfCall(receive.tag, operation.sequence))
            .map((receive) => ({ source: receive.source, step: stepOfTag(receive.tag) }))
        : [],
      waitedMs: now - operation.startedMs,
      stack: operation.stack === undefined ? undefined : callSite(operation.stack),
    };
  });
  return { host: state?.host ?? "", pid: process.pid, operations, heldFailures: failuresHeldForNextCall().map(describeHeldFailure) };
}

function communicatorName(operation: OperationInProgress): string | undefined {
  return operation.context < 0 ? undefined : nameOfCommunicator(operation.context, operation.commSize);
}

function nameOfCommunicator(context: number, size: number): string {
  return context === 0 ? "world" : `communicator ${context} (size ${size})`;
}

function describeHeldFailure(held: HeldFailure): string {
  const { finder } = held;
  const failure = finder.self
    ? "a message of it that came later shows another rank called differently"
    : `it failed on ${held.context === 0 ? `rank ${finder.rank}` : `its rank ${finder.rank} (world rank ${finder.worldRank})`}`;
  return (
    `collective call #${held.sequence} (${held.call}) on ${nameOfCommunicator(held.context, held.size)} returned here, but ${failure} ` +
    `(${held.code}); the next call on it reports that, and a call in flight on it may wait for ranks that ` +
    `called differently and will not make it: ${held.message}`
  );
}

/** The stack without its first lines (the Error, and tsmpi's own frames): where the program called. */
function callSite(stack: string): string {
  const frames = stack.split("\n").slice(1);
  const first = frames.findIndex((frame) => !isRuntimeFrame(frame));
  return (first < 0 ? frames : frames.slice(first)).map((frame) => frame.trim()).join("\n");
}

/** Frames of the runtime itself: its sources or compiled files, or a bundle's copy of them. */
function isRuntimeFrame(frame: string): boolean {
  return /packages\/runtime\/(src|dist)\/|@tsmpi\/runtime|node_modules\/\.pnpm/.test(frame) || /\bat (OperationRegistry|startRecv|startProbe|Comm|CartComm|Request|collective|runCollective)\b/.test(frame);
}
