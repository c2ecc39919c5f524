#!/usr/bin/env bash
# Installs the reference implementations the benchmarks compare against: Debian's Open MPI (mpicc,
# mpirun) and mpi4py + numpy for Debian's own python3 (/usr/bin/python3, not a pyenv one).
# Idempotent and quiet: does nothing when everything is there. Benchmarks skip a missing reference
# with a note; tests never need any of this.
#
#   bash bench/reference/install.sh
set -euo pipefail

packages=(openmpi-bin libopenmpi-dev python3-mpi4py python3-numpy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# What was found, one line each (the benchmarks detect the same things themselves).
echo "mpicc:   $(command -v mpicc || echo missing) $(mpicc --showme:version 2>/dev/null | head -1 || true)"
echo "mpirun:  $(command -v mpirun || echo missing) $(mpirun --version 2>/dev/null | head -1 || true)"
/usr/bin/python3 - <<'EOF' || echo "mpi4py:  missing (for /usr/bin/python3)"
import mpi4py, numpy
print(f"mpi4py:  {mpi4py.__version__}, numpy {numpy.__version__} (/usr/bin/python3)")
EOF
