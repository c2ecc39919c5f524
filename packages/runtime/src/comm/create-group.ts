/**
 * MPI_Comm_create_group: only the members of the group call it, so the context ids must be agreed
 * among them without the rest of the parent. As in dup, each member proposes the lowest id it has
 * never used and the maximum is unused on every member; here the members' proposals go to the
 * group's rank 0, which answers each with the maximum, or with the fault or mismatch it saw.
 *
 * An argument error found on one member travels in its proposal, so that every member rejects
 * (this is not a collective of the parent: its other ranks take no part). A caller the group
 * leaves out still tells the group's rank 0 (its first member in the parent), which counts it a
 * member, and does not wait for an answer. What a caller cannot route stays its own: without a
 * Group, a valid tag, or a member of the group in the parent, there is no one to tell or no
 * channel to tell them on. Members that disagree about who is rank 0 are beyond this, as in MPI:
 * a proposal sent to a rank that is not gathering is left to its next createGroup with that tag.
 *
 * Those messages travel on a context of the parent's that nothing else uses: the parent's id,
 * negated, below the ids communicators take. Their tag is the call's tag and their source the
 * sender's world rank, so calls on one parent with different tags (which MPI lets overlap) never
 * take each other's messages, and calls with the same tag take them in the order both sides made
 * the calls, as MPI requires. Disjoint parents that share a context id have no process in common.
 */
import { asCallError } from "../engine/peer-finalized.ts";
import { assertUsable, makeCore, type CommCore } from "../core/comm-core.ts";
import { adoptContextId, proposeContextId } from "../core/context-id.ts";
import { CollectiveId } from "../core/collective-ids.ts";
import { decodeMessage, encodeForSend } from "../core/payload.ts";
import { operationsInProgress } from "../engine/operations.ts";
import { collectiveMismatch, failedOnAnotherMember, TsmpiError, wrongGroup, type TsmpiErrorCode } from "../errors.ts";
import { checkSendTag } from "../p2p/validate.ts";
import { Group, groupMembers } from "./group.ts";
import { groupFingerprint, membersInParent } from "./create.ts";

const CALL = "createGroup";

/** What a member found wrong with its own arguments. */
interface Fault {
  code: TsmpiErrorCode;
  message: string;
}

/** A member's contribution (`awaitsAnswer` is false from a caller its group leaves out), and rank 0's answer. */
type Proposal = readonly [context: number, groupPrint: number, fault: Fault | null, awaitsAnswer: boolean];
type Answer = { context: number } | { mismatch: string } | { fault: Fault & { rank: number } };

/** The context of the parent's createGroup agreements. */
function agreementContext(parent: CommCore): number {
  return -2 - parent.p2pContext;
}

export async function createGroupCore(parent: CommCore, group: Group, tag: number): Promise<CommCore> {
  assertUsable(parent, CALL);
  const site = { rank: parent.rank, call: CALL };
  const self = parent.engine.worldRank;
  let members: readonly number[] = [];
  let fault: TsmpiError | undefined;
  checkSendTag({ rank: parent.rank, size: parent.size }, CALL, tag);
  try {
    members = membersInParent(parent, group, CALL);
    if (!members.includes(self)) throw wrongGroup(site, "this rank is not in group: only the group's members call createGroup");
  } catch (error) {
    if (!(error instanceof TsmpiError)) throw error;
    fault = error;
  }
  // The members this caller can reach: with a fault, those of its group that are in the parent.
  const reachable = fault === undefined ? members : group instanceof Group ? groupMembers(group).filter((member) => parent.group.includes(member)) : [];
  if (fault !== undefined && reachable.length === 0) throw fault;
  const inGroup = reachable.includes(self);
  const print = group instanceof Group ? groupFingerprint(groupMembers(group)) : 0;
  const proposal: Proposal = [proposeContextId(parent.engine), print, fault === undefined ? null : { code: fault.code, message: fault.message }, inGroup];
  const leader = reachable[0]!;
  if (!inGroup) {
    await post(parent, leader, tag, proposal);
    throw fault!;
  }
  // Listed while it waits, for tsmpirun's state report: a member waits for rank 0, rank 0 for all.
  const isLeader = leader === self;
  const operation = operationsInProgress.begin(CALL, parent.p2pContext, parent.size, isLeader ? -1 : parent.group.indexOf(leader), tag);
  const agreeing = isLeader ? gatherProposals(parent, reachable, tag, proposal) : propose(parent, leader, tag, proposal);
  const answer = await operationsInProgress.track(agreeing, operation);
  if (fault !== undefined) throw fault;
  if ("fault" in answer) throw failedOnAnotherMember(site, answer.fault);
  if ("mismatch" in answer) throw collectiveMismatch(site, answer.mismatch, "group");
  adoptContextId(parent.engine, answer.context);
  return makeCore(parent.engine, { rank: members.indexOf(self), group: members, context: answer.context });
}

async function propose(parent: CommCore, leader: number, tag: number, proposal: Proposal): Promise<Answer> {
  await post(parent, leader, tag, proposal);
  return receive<Answer>(parent, leader, tag);
}

async function gatherProposals(parent: CommCore, members: readonly number[], tag: number, own: Proposal): Promise<Answer> {
  const others = members.slice(1);
  const proposals = await Promise.all(others.map((member) => receive<Proposal>(parent, member, tag)));
  const answer = verdict(parent, members, [own, ...proposals]);
  await Promise.all(others.filter((_, i) => proposals[i]![3]).map((member) => post(parent, member, tag, answer)));
  return answer;
}

/** The first fault in group order, else the first member that passed another group than rank 0, else the agreed id. */
function verdict(parent: CommCore, members: readonly number[], proposals: readonly Proposal[]): Answer {
  const faulty = proposals.findIndex(([, , fault]) => fault !== null);
  if (faulty >= 0) return { fault: { ...proposals[faulty]![2]!, rank: parent.group.indexOf(members[faulty]!) } };
  const astray = proposals.findIndex(([, print]) => print !== proposals[0]![1]);
  if (astray >= 0) {
    return {
      mismatch:
        `world rank ${members[astray]} passed another group than the group's rank 0 (world rank ${members[0]}); ` +
        "every member must pass the same group",
    };
  }
  return { context: Math.max(...proposals.map(([context]) => context)) };
}

function post(parent: CommCore, worldDest: number, tag: number, data: unknown): Promise<void> {
  const { engine } = parent;
  const envelope = { context: agreementContext(parent), source: engine.worldRank, tag, collective: CollectiveId.createGroup, sequence: 0, signature: 0 };
  return engine.post(worldDest, envelope, encodeForSend(parent, CALL, data));
}

async function receive<T>(parent: CommCore, worldSource: number, tag: number): Promise<T> {
  const message = await parent.engine.receive(agreementContext(parent), { source: worldSource, tag }).catch((error: unknown) => Promise.reject(asCallError(error, { rank: parent.rank, call: CALL })));
  return decodeMessage<T>(parent, CALL, message);
}
