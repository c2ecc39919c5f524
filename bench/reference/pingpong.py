"""
mpi4py reference for bench/pingpong: half round-trip latency and streaming bandwidth between 2 ranks
with the plan bench/pingpong/common.ts computes for tsmpi, the zeromq.js floor and
bench/reference/pingpong.c (bench/pingpong/suite.ts passes it as --cases), the two ways an mpi4py
user sends, one per run:

- --api=buffer ("mpi4py-buf"): uppercase Send/Recv/Isend on numpy uint8 buffers of the payload's
  size, received into a preallocated buffer (what pingpong.c does with MPI_DOUBLE: the same bytes);
- --api=pickle ("mpi4py"): lowercase send/recv/isend of pickled objects: a float64 array of the
  payload's size (what tsmpi-pingpong.ts sends as a Float64Array) or, for bytes 0, the small object
  {"step": i, "value": 1.5, "name": "x"} (common.ts makeObject).

Latency: rank 0 sends, rank 1 sends back what it received; each sample is the median of one
repetition's round trips, halved (us). Bandwidth: rank 0 isends a window of messages and waits for
them, rank 1 receives them one by one and sends one ack; MB/s = 1e6 bytes/s, the object in
thousands of messages per second. Rank 0 prints one JSON line (`ProgramResult`) on stdout.

Run with Debian's python (mpi4py is installed for it, not for a pyenv one); by hand:
  mpirun --allow-run-as-root --oversubscribe --bind-to none -n 2 /usr/bin/python3 bench/reference/pingpong.py \\
    --api=pickle --cases=8:200:100:256:8:1,0:200:100:256:8:1 --reps=5 [--pin=0,1]
  (--cases=bytes:iterations:warmup:window:windows:warmupWindows,...; bytes 0 is the object, pickle only)
"""
import json
import os
import sys

PING, STREAM, ACK = 1, 2, 3


def parse_args(argv):
    cases, reps, pin, api = None, 5, None, "buffer"
    for a in argv:
        if a.startswith("--cases="):
            cases = []
            for tok in a[len("--cases="):].split(","):
                fields = [int(x) for x in tok.split(":")]
                if len(fields) != 6 or fields[0] < 0 or min(fields[1], fields[3], fields[4]) < 1:
                    raise SystemExit(f"pingpong.py: bad case {tok!r}")
                cases.append(dict(zip(("bytes", "iterations", "warmup", "window", "windows", "warmup_windows"), fields)))
        elif a.startswith("--reps="):
            reps = int(a[len("--reps="):])
        elif a.startswith("--pin="):
            pin = [int(x) for x in a[len("--pin="):].split(",")]
        elif a.startswith("--api="):
            api = a[len("--api="):]
    if cases is None or reps < 1 or api not in ("buffer", "pickle"):
        raise SystemExit("usage: pingpong.py --api=buffer|pickle --cases=bytes:iterations:warmup:window:windows:warmupWindows,... [--reps=N] [--pin=a,b]")
    if api == "buffer" and any(c["bytes"] == 0 for c in cases):
        raise SystemExit("pingpong.py: the object case (bytes 0) is --api=pickle only")
    return cases, reps, pin, api


CASES, REPS, PIN, API = parse_args(sys.argv[1:])

# `--pin=a,b`: rank 0 on cpu a, rank 1 on cpu b, before mpi4py and numpy start any thread, so that
# every thread inherits the mask.
pinned = "unpinned"
if PIN is not None and "OMPI_COMM_WORLD_RANK" in os.environ:
    cpu = PIN[0 if int(os.environ["OMPI_COMM_WORLD_RANK"]) == 0 else 1]
    os.sched_setaffinity(0, {cpu})
    pinned = f"cpu {cpu}"

import numpy as np  # noqa: E402
from mpi4py import MPI  # noqa: E402

comm = MPI.COMM_WORLD
rank, size = comm.Get_rank(), comm.Get_size()
if size != 2:
    if rank == 0:
        print(f"pingpong.py needs exactly 2 ranks, got {size}", file=sys.stderr)
    comm.Abort(2)
peer = 1 - rank


def make_object(i):
    """bench/pingpong/common.ts makeObject."""
    return {"step": i, "value": 1.5, "name": "x"}


def median(values):
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def label_of(nbytes):
    if nbytes == 0:
        return "object"
    if nbytes >= 1048576 and nbytes % 1048576 == 0:
        return f"{nbytes // 1048576} MiB"
    if nbytes >= 1024 and nbytes % 1024 == 0:
        return f"{nbytes // 1024} KiB"
    return f"{nbytes} B"


class Buffer:
    """Uppercase: the payload's bytes in a numpy uint8 array, received in place."""

    def __init__(self, nbytes, fill):
        self.data = np.full(nbytes, fill, dtype=np.uint8)
        self.ack = np.zeros(1, dtype=np.int32)

    def payload(self, _i):
        return self.data

    def send(self, data, tag):
        comm.Send(data, dest=peer, tag=tag)

    def recv(self, tag):
        comm.Recv(self.data, source=peer, tag=tag)
        return self.data

    def isend(self, data, tag):
        return comm.Isend(data, dest=peer, tag=tag)

    def send_ack(self):
        comm.Send(self.ack, dest=peer, tag=ACK)

    def recv_ack(self):
        comm.Recv(self.ack, source=peer, tag=ACK)


class Pickled:
    """Lowercase: any Python object, pickled on send and unpickled on receipt."""

    def __init__(self, nbytes, fill):
        self.nbytes = nbytes
        self.data = None if nbytes == 0 else np.full(nbytes // 8, float(fill))

    def payload(self, i):
        return make_object(i) if self.nbytes == 0 else self.data

    def send(self, data, tag):
        comm.send(data, dest=peer, tag=tag)

    def recv(self, tag):
        return comm.recv(source=peer, tag=tag)

    def isend(self, data, tag):
        return comm.isend(data, dest=peer, tag=tag)

    def send_ack(self):
        comm.send(0, dest=peer, tag=ACK)

    def recv_ack(self):
        comm.recv(source=peer, tag=ACK)


API_CLASS = Buffer if API == "buffer" else Pickled


def latency(c):
    io = API_CLASS(c["bytes"], 1)
    if rank == 1:
        for _ in range(c["warmup"] + REPS * c["iterations"]):
            io.send(io.recv(PING), PING)
        return []
    data = io.payload(1)
    for _ in range(c["warmup"]):
        io.send(data, PING)
        io.recv(PING)
    samples = []
    for _ in range(REPS):
        trips = []
        for i in range(c["iterations"]):
            t0 = MPI.Wtime()
            io.send(io.payload(i), PING)
            io.recv(PING)
            trips.append((MPI.Wtime() - t0) * 1e6 / 2)
        samples.append(median(trips))
    return samples


def bandwidth(c):
    io = API_CLASS(c["bytes"], 2)
    data = io.payload(2)

    def one_window():
        if rank == 1:
            for _ in range(c["window"]):
                io.recv(STREAM)
            io.send_ack()
            return
        MPI.Request.Waitall([io.isend(data, STREAM) for _ in range(c["window"])])
        io.recv_ack()

    for _ in range(c["warmup_windows"]):
        one_window()
    samples = []
    for _ in range(REPS):
        t0 = MPI.Wtime()
        for _ in range(c["windows"]):
            one_window()
        seconds = MPI.Wtime() - t0
        messages = c["window"] * c["windows"]
        samples.append(messages / seconds / 1e3 if c["bytes"] == 0 else messages * c["bytes"] / seconds / 1e6)
    return samples


impl = "mpi4py-buf" if API == "buffer" else "mpi4py"
results = []
for c in CASES:
    lat = latency(c)
    bw = bandwidth(c)
    if rank == 0:
        label = label_of(c["bytes"])
        # The object's bytes on the wire: its pickle (the arrays': their payload, as for the others).
        wire = len(MPI.pickle.dumps(make_object(0))) if c["bytes"] == 0 else c["bytes"]
        results.append({"label": label, "bytes": c["bytes"], "wireBytes": wire, "latencyUs": lat, "bandwidth": bw})
        unit = "kmsg/s" if c["bytes"] == 0 else "MB/s"
        print(f"  {impl} {label}: {median(lat):.1f} us, {median(bw):.0f} {unit}", file=sys.stderr, flush=True)
if rank == 0:
    print(json.dumps({"impl": impl, "pid": 0, "pinned": pinned, "node": "", "cases": results}), flush=True)
