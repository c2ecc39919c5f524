/**
 * The tag of a collective's internal message: the call's sequence number (mod 2^15) in the high
 * bits and the algorithm's step in the low 16, so that several collectives in flight on one
 * communicator never take each other's messages. Step 0xffff is not used, so that no call's tag is
 * 0x7fffffff, the tag of the monitor's failure notices. Internal to the runtime.
 */

const STEP_BITS = 16;
const STEP_MASK = 0xffff;
/** The highest step a call may use. */
export const MAX_COLLECTIVE_STEP = STEP_MASK - 1;
const SEQUENCE_MASK = 0x7fff;

/** The tag of the monitor's failure notices (core/collective-monitor.ts). */
export const FAILURE_NOTICE_TAG = 0x7fffffff;

/** The tag of step `step` of collective call number `sequence`. */
export function collectiveTag(sequence: number, step: number): number {
  if (step < 0 || step > MAX_COLLECTIVE_STEP) throw new Error(`collective step ${step} out of range`);
  return ((sequence & SEQUENCE_MASK) << STEP_BITS) | step;
}

/** Whether `tag` is a message of call number `sequence` (as far as 15 bits tell). */
export function isTagOfCall(tag: number, sequence: number): boolean {
  return tag >>> STEP_BITS === (sequence & SEQUENCE_MASK);
}

/** The algorithm's step that `tag` carries. */
export function stepOfTag(tag: number): number {
  return tag & STEP_MASK;
}
