#!/bin/bash
# Undoes up.sh: stops the daemons it started (by their pid files), then removes the namespaces,
# the bridge and the per-namespace /etc files. Safe to run when nothing is up.
T=${TSMPI_CLUSTER_DIR:-/var/tmp/tsmpi-cluster}
alive() { [ -e /proc/$1 ] && ! grep -q '^[0-9]* ([^)]*) Z' /proc/$1/stat 2>/dev/null; }
pids=""
for f in "$T"/slurm/slurmctld.pid "$T"/slurm/slurmd-n1.pid "$T"/slurm/slurmd-n2.pid "$T"/slurm/slurmd-n3.pid \
  "$T"/ssh/sshd-1.pid "$T"/ssh/sshd-2.pid "$T"/ssh/sshd-3.pid /run/munge/tsmpi-munged.pid; do
  [ -s "$f" ] && pids="$pids $(cat "$f")"
done
for p in $pids; do kill "$p" 2>/dev/null; done
left=""
for k in $(seq 1 50); do left=""; for p in $pids; do alive "$p" && left="$left $p"; done; [ -z "$left" ] && break; sleep 0.1; done
for p in $left; do kill -9 "$p" 2>/dev/null; done
rm -f "$T"/slurm/*.pid "$T"/ssh/*.pid /run/munge/tsmpi-munged.pid
for i in 1 2 3; do ip netns del tsmpi-n$i 2>/dev/null; rm -rf /etc/netns/tsmpi-n$i; done
rmdir /etc/netns 2>/dev/null
ip link del br-tsmpi 2>/dev/null
rm -rf "$T"/slurm/state "$T"/slurm/spool "$T"/slurm/log
true
