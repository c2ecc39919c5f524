/**
 * `reduceLocal` (MPI_Reduce_local): one op applied element-wise to two typed arrays of this
 * process, with no communication, through the kernels the reductions use, so it computes exactly
 * what a reduction of the two would.
 */
import { badArgument, invalidArguments, notAnOp, opResultMisshapen } from "../errors.ts";
import { isTypedArray, type AnyTypedArray } from "../wire/typed-array.ts";
import { checkOperand } from "./combine.ts";
import { toOp, type OpLike } from "./op.ts";
import { kernelFor } from "./typed-kernels.ts";

const CALL = "reduceLocal";

/**
 * `inoutBuffer[i] = inBuffer[i] op inoutBuffer[i]` for every i, in place (MPI_Reduce_local;
 * mpi4py's `Op.Reduce_local`), and returns `inoutBuffer`. `inBuffer` stands for the lower ranks,
 * as in a reduction: `Op.REPLACE` leaves `inoutBuffer` as it is and `Op.NO_OP` copies `inBuffer`
 * into it; a user op is called once, `fn(inBuffer, inoutBuffer)`, on the whole arrays, and must
 * return an array of their length (which may be `inoutBuffer` itself). Both must be typed arrays
 * of one kind and length (ERR_ARG); an op that does not apply to their kind is ERR_OP.
 *
 * @example
 * ```ts
 * const acc = Float64Array.of(1, 2, 3);
 * reduceLocal(Float64Array.of(10, 20, 30), acc, Op.SUM); // acc is now [11, 22, 33]
 * ```
 */
export function reduceLocal<T extends ArrayBufferView>(inBuffer: T, inoutBuffer: T, op: OpLike<T>): T {
  const site = { call: CALL };
  if (!isTypedArray(inBuffer)) throw badArgument(site, "inBuffer", inBuffer, "a typed array");
  if (!isTypedArray(inoutBuffer)) throw badArgument(site, "inoutBuffer", inoutBuffer, "a typed array");
  if (inBuffer.constructor !== inoutBuffer.constructor || inBuffer.length !== inoutBuffer.length) {
    throw invalidArguments(
      site,
      `inBuffer is ${inBuffer.constructor.name}(${inBuffer.length}) but inoutBuffer is ${inoutBuffer.constructor.name}(${inoutBuffer.length}): both must be of one kind and length`,
      "inoutBuffer",
    );
  }
  const resolved = toOp(op);
  if (resolved === undefined) throw notAnOp(site, op);
  if (resolved.fn !== undefined) {
    const result = resolved.fn(inBuffer, inoutBuffer) as unknown;
    if (result !== inoutBuffer) {
      if (!isTypedArray(result) || result.length !== inoutBuffer.length) throw opResultMisshapen(site, String(resolved), result, inoutBuffer.length);
      (inoutBuffer as unknown as Float64Array).set(result as Float64Array);
    }
    return inoutBuffer;
  }
  checkOperand(resolved, inoutBuffer, site);
  const kernel = kernelFor(resolved.builtin!, inoutBuffer)!;
  kernel(inoutBuffer as AnyTypedArray, inBuffer as AnyTypedArray, inoutBuffer as AnyTypedArray, inoutBuffer.length);
  return inoutBuffer;
}
