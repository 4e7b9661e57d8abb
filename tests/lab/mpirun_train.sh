#!/usr/bin/env bash
# One training run data-parallel over 2 processes started by Open MPI's mpirun
# (the rank from OMPI_COMM_WORLD_*, the rendezvous at MASTER_ADDR; Gloo over
# loopback). Debian's openmpi-bin (scripts/setup installs it).
#   mpirun_train.sh MISH WORK_DIR
set -euo pipefail
mish=$1
work=$2
command -v mpirun > /dev/null || { echo "FAIL: mpirun not found: apt-get install openmpi-bin (scripts/setup)"; exit 1; }
rm -rf "$work"
port=$((20000 + ($$ * 7) % 20000))
timeout 300 mpirun --allow-run-as-root --oversubscribe -np 2 -x MASTER_ADDR=127.0.0.1 -x MASTER_PORT=$port \
  -x GLOO_SOCKET_IFNAME=lo "$mish" train --model depth --limit-train 512 --limit-test 256 --epochs 1 \
  --batch-size 64 --threads 1 --out "$work" --name mpirun --dist-timeout 60
result=$work/mpirun/result.json
if grep -q '"status": "ok"' "$result" && grep -q '"processes": 2' "$result"; then
  echo "ok: mpirun -np 2 trained one run data-parallel on 2 processes"
else
  echo "FAIL: $result does not say ok on 2 processes"; cat "$result" || true
  exit 1
fi
