#!/bin/bash
# Three test "hosts" for the multi-host suite: network namespaces tsmpi-n1..3 (10.201.0.11-13 on the
# bridge br-tsmpi, whose own address 10.201.0.1 is the launcher's host, "head"), each with its own
# hostname and mount namespace, an sshd on port 2222 (keys only) and a slurmd; slurmctld and munged
# run in the root namespace. Every daemon writes a pid file that down.sh uses (nothing is killed
# by name). Needs root and: apt-get install openssh-server slurm-wlm munge.
# Prints "cluster: ready in N ms"; leaves ssh_config and slurm.conf under $TSMPI_CLUSTER_DIR.
set -euo pipefail
T=${TSMPI_CLUSTER_DIR:-/var/tmp/tsmpi-cluster}
t0=$(date +%s%N)
mkdir -p "$T/ssh" "$T/slurm/state" "$T/slurm/spool" "$T/slurm/log" "$T/private"
chmod 700 "$T"

ip link add br-tsmpi type bridge
ip addr add 10.201.0.1/24 dev br-tsmpi
ip link set br-tsmpi up
for i in 1 2 3; do
  ip netns add tsmpi-n$i
  ip link add veth-tsmpi$i type veth peer name eth0 netns tsmpi-n$i
  ip link set veth-tsmpi$i master br-tsmpi
  ip link set veth-tsmpi$i up
  ip -n tsmpi-n$i addr add 10.201.0.1$i/24 dev eth0
  ip -n tsmpi-n$i link set eth0 up
  ip -n tsmpi-n$i link set lo up
  ip -n tsmpi-n$i route add default via 10.201.0.1
  # `ip netns exec` bind-mounts these over /etc/hosts and /etc/resolv.conf inside the namespace.
  mkdir -p /etc/netns/tsmpi-n$i
  printf '127.0.0.1 localhost\n10.201.0.1 head\n10.201.0.11 n1\n10.201.0.12 n2\n10.201.0.13 n3\n' >/etc/netns/tsmpi-n$i/hosts
  # No DNS server exists here: fail look-ups at once instead of after 10 s.
  printf 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n' >/etc/netns/tsmpi-n$i/resolv.conf
done

if [ ! -f "$T/ssh/client_key" ]; then
  ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host_key"
  ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/client_key"
  cp "$T/ssh/client_key.pub" "$T/ssh/authorized_keys"
fi
cat >"$T/ssh/sshd_config" <<CFG
Port 2222
HostKey $T/ssh/host_key
AuthorizedKeysFile $T/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
MaxStartups 64
CFG
cat >"$T/ssh/ssh_config" <<CFG
Host n1
  HostName 10.201.0.11
Host n2
  HostName 10.201.0.12
Host n3
  HostName 10.201.0.13
Host unreachable
  HostName 10.201.0.99
Host *
  Port 2222
  User root
  IdentityFile $T/ssh/client_key
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR
  BatchMode yes
  ConnectTimeout 3
  ServerAliveInterval 1
  ServerAliveCountMax 3
CFG
mkdir -p /run/sshd
for i in 1 2 3; do
  # Own UTS namespace: the host's name. `ip netns exec` also gives it its own mount namespace,
  # where n3 hides $T/private behind an empty tmpfs (a path the other hosts have and n3 lacks).
  ip netns exec tsmpi-n$i unshare --uts sh -c "hostname n$i; [ $i = 3 ] && mount -t tmpfs -o size=1m tsmpi-private $T/private; exec /usr/sbin/sshd -f $T/ssh/sshd_config -o ListenAddress=10.201.0.1$i -o PidFile=$T/ssh/sshd-$i.pid"
done
for i in 1 2 3; do for k in $(seq 1 100); do [ -s "$T/ssh/sshd-$i.pid" ] && break; sleep 0.05; done; done

if [ -x /usr/sbin/slurmctld ]; then
  mkdir -p /run/munge && chown munge:munge /run/munge
  [ -f /etc/munge/munge.key ] || /usr/sbin/mungekey -c >/dev/null 2>&1 || true
  runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/tsmpi-munged.pid --socket=/run/munge/munge.socket.2 -f 2>/dev/null || runuser -u munge -- /usr/sbin/munged
  cat >"$T/slurm/slurm.conf" <<CFG
ClusterName=tsmpi
SlurmctldHost=$(hostname)(10.201.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
StateSaveLocation=$T/slurm/state
SlurmdSpoolDir=$T/slurm/spool/%n
SlurmctldPidFile=$T/slurm/slurmctld.pid
SlurmdPidFile=$T/slurm/slurmd-%n.pid
SlurmctldLogFile=$T/slurm/log/slurmctld.log
SlurmdLogFile=$T/slurm/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
NodeName=n1 NodeHostname=n1 NodeAddr=10.201.0.11 Port=17001 CPUs=2 RealMemory=2000 State=UNKNOWN
NodeName=n2 NodeHostname=n2 NodeAddr=10.201.0.12 Port=17002 CPUs=2 RealMemory=2000 State=UNKNOWN
NodeName=n3 NodeHostname=n3 NodeAddr=10.201.0.13 Port=17003 CPUs=2 RealMemory=2000 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP OverSubscribe=YES
CFG
  export SLURM_CONF=$T/slurm/slurm.conf
  slurmctld -i
  for i in 1 2 3; do
    nsenter --net=/run/netns/tsmpi-n$i --uts=/proc/$(cat "$T/ssh/sshd-$i.pid")/ns/uts slurmd -N n$i
  done
  for k in $(seq 1 100); do [ "$(sinfo -h -o %T 2>/dev/null | sort -u)" = idle ] && break; sleep 0.1; done
  [ "$(sinfo -h -o %T | sort -u)" = idle ] || { echo "cluster: slurm nodes not idle: $(sinfo -h)" >&2; exit 1; }
fi
echo "cluster: ready in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
