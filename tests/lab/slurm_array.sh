#!/usr/bin/env bash
# A one-node Slurm cluster of its own (munged, slurmctld and slurmd with their
# own sockets, ports and state in a temporary directory), then the sbatch
# array script of `mish sweep --emit-slurm` submitted to it for real: every
# run of the sweep must finish, each exactly once. Needs root (slurmd) and
# Debian's slurm-wlm (scripts/setup installs it); exits 77 (skipped) without root.
#   slurm_array.sh MISH WORK_DIR
set -euo pipefail
mish=$1
work=$2
if [[ $(id -u) -ne 0 ]]; then
  echo "skipped: slurmd must run as root to start jobs (run the tests as root, as scripts/test does)"
  exit 77
fi
for tool in munged mungekey slurmctld slurmd sbatch sinfo scontrol; do
  command -v "$tool" > /dev/null || { echo "FAIL: $tool not found: apt-get install slurm-wlm (scripts/setup)"; exit 1; }
done
rm -rf "$work"
mkdir -p "$work/state" "$work/spool"
export SLURM_CONF=$work/slurm.conf
pids=()
cleanup() {
  scontrol shutdown > /dev/null 2>&1 || true
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  for f in "$work"/*.pid; do [[ -f $f ]] && kill "$(cat "$f")" 2> /dev/null || true; done
}
trap cleanup EXIT

# munge with its own key and socket
mungekey --create --keyfile="$work/munge.key" --force
chmod 600 "$work/munge.key"
munged --force --key-file="$work/munge.key" --socket="$work/munge.sock" --pid-file="$work/munged.pid" \
  --log-file="$work/munged.log" --seed-file="$work/munged.seed"

host=$(hostname -s)
port=$((20000 + $$ % 20000))
cat > "$SLURM_CONF" << CONF
ClusterName=mishtest
SlurmctldHost=$host
AuthType=auth/munge
AuthInfo=socket=$work/munge.sock
CredType=cred/munge
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$host CPUs=$(nproc) RealMemory=1000 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -c
slurmd
# wait (at most a minute) for the node to come up
for _ in $(seq 1 120); do
  sinfo -h -o %t 2> /dev/null | grep -q idle && break
  sleep 0.5
done
if ! sinfo -h -o %t | grep -q idle; then
  echo "FAIL: the Slurm node did not come up"; sinfo || true
  tail -n 20 "$work/slurmctld.log" "$work/slurmd.log" || true
  exit 1
fi

out=$work/sweep
"$mish" sweep --grid activation=mish,relu,swish --grid seed=1,2 --set model=mlp --set depth=1 --set width=16 \
  --set epochs=1 --set limit_train=300 --set limit_test=100 --out "$out" --jobs 1 --threads 1 \
  --emit-slurm "$work/job.sh" --tasks 3
if ! timeout 300 sbatch --wait "$work/job.sh"; then
  echo "FAIL: the array job did not complete within 5 minutes"
  squeue || true
  tail -n 20 "$work/slurmctld.log" "$work/slurmd.log" || true
  exit 1
fi

# every run finished, each exactly once over the three array tasks
status=0
runs=$(ls "$out/runs" | wc -l)
[[ $runs -eq 6 ]] || { echo "FAIL: $runs run directories, expected 6"; status=1; }
for r in "$out"/runs/*; do
  name=$(basename "$r")
  grep -q '"status": "ok"' "$r/result.json" || { echo "FAIL: $name did not finish"; status=1; }
  times=$(cat "$out"/logs/slurm-*.out | grep -F " $name: ok" | wc -l)
  [[ $times -eq 1 ]] || { echo "FAIL: $name finished $times times"; status=1; }
done
tasks=$(ls "$out"/logs/slurm-*.out | wc -l)
[[ $tasks -eq 3 ]] || { echo "FAIL: $tasks array task logs, expected 3"; status=1; }
cat "$out"/logs/slurm-*.out
[[ $status -eq 0 ]] && echo "ok: the emitted array job ran the 6 runs once each on 3 Slurm tasks"

# one training run data-parallel over 2 tasks started by srun (rendezvous at the
# step's first node, from SLURM_STEP_NODELIST; Gloo over loopback)
if ! GLOO_SOCKET_IFNAME=lo MASTER_PORT=$((port + 2)) timeout 300 srun --ntasks=2 --cpus-per-task=1 \
  "$mish" train --model depth --limit-train 512 --limit-test 256 --epochs 1 --batch-size 64 --threads 1 \
  --out "$work/dp" --name srun --dist-timeout 60; then
  echo "FAIL: data-parallel training under srun failed"
  status=1
fi
result=$work/dp/srun/result.json
if grep -q '"status": "ok"' "$result" 2> /dev/null && grep -q '"processes": 2' "$result"; then
  echo "ok: srun --ntasks=2 trained one run data-parallel on 2 processes"
else
  echo "FAIL: $result does not say ok on 2 processes"; cat "$result" 2> /dev/null || true
  status=1
fi
exit $status
