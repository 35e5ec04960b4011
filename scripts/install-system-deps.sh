#!/bin/sh
# Installs the system packages the tests need: jupyter-server and Debian's
# Python 3 with ipykernel, numpy, pandas and matplotlib (the Jupyter executor),
# PostgreSQL's server binaries (the durable-resume test starts its own cluster
# in a temp dir), Chromium (the inspector's browser tests) and bubblewrap (the
# Python sandbox). Idempotent:
# does nothing when everything is present.
#
# The checks use Debian's /usr/bin/python3 on purpose: apt installs the
# modules there, and the default `python3` on PATH may be another Python
# (pyenv) that cannot see them.
set -eu

SYSTEM_PYTHON=/usr/bin/python3
PACKAGES="jupyter-server python3-ipykernel python3-numpy python3-pandas python3-matplotlib postgresql chromium fonts-dejavu-core bubblewrap"

all_present() {
  command -v jupyter-server >/dev/null 2>&1 || [ -x /usr/bin/jupyter-server ] || return 1
  [ -x "$SYSTEM_PYTHON" ] || return 1
  "$SYSTEM_PYTHON" -c "import ipykernel, numpy, pandas, matplotlib" >/dev/null 2>&1 || return 1
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || return 1
  [ -x /usr/bin/chromium ] || return 1
  command -v bwrap >/dev/null 2>&1
}

if all_present; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
else
  SUDO="sudo"
fi

echo "install-system-deps: installing $PACKAGES" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -q
# shellcheck disable=SC2086 # word splitting of the package list is intended
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $PACKAGES

if ! all_present; then
  echo "install-system-deps: packages installed but the check still fails" >&2
  exit 1
fi
echo "install-system-deps: done" >&2
