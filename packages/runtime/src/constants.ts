/** Receive from any source (MPI_ANY_SOURCE). */
export const ANY_SOURCE = -1;
/** Receive with any tag (MPI_ANY_TAG). */
export const ANY_TAG = -1;
/** The null process: sends to it and receives from it complete at once (MPI_PROC_NULL). */
export const PROC_NULL = -2;
/** "Not in any group", e.g. the colour passed to `split` by ranks that want no new communicator. */
export const UNDEFINED = -32766;
/** Largest tag a user may send with (MPI_TAG_UB); tags are 32-bit in the wire header. */
export const TAG_UB = 0x7fff_ffff;
/** Two communicators or groups are the same object (MPI_IDENT). */
export const IDENT = 0;
/** Two communicators have the same ranks in the same order but are distinct (MPI_CONGRUENT). */
export const CONGRUENT = 1;
/** Two communicators or groups have the same members in a different order (MPI_SIMILAR). */
export const SIMILAR = 2;
/** Two communicators or groups have different members (MPI_UNEQUAL). */
export const UNEQUAL = 3;
/** `splitType`: one communicator per host, of the ranks that can share memory (MPI_COMM_TYPE_SHARED). */
export const COMM_TYPE_SHARED = 1;
/** `topoTest()` of a communicator with a graph topology (MPI_GRAPH); tsmpi makes none, see DIST_GRAPH. */
export const GRAPH = 1;
/** `topoTest()` of a communicator with a Cartesian grid, a CartComm (MPI_CART). */
export const CART = 2;
/** `topoTest()` of a communicator with a distributed graph, a DistGraphComm (MPI_DIST_GRAPH). */
export const DIST_GRAPH = 3;
