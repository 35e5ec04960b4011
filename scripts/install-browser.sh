#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the inspector's browser tests
# (tests/inspector). Idempotent: does nothing when /usr/bin/chromium exists.
# Playwright's own browser download cannot work offline, so playwright-core
# drives this one (executablePath: /usr/bin/chromium).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
sudo_cmd=""
if [ "$(id -u)" -ne 0 ]; then sudo_cmd="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
# A lock held by another apt run (e.g. scripts/install-system-deps.sh) is
# waited for rather than failing.
$sudo_cmd apt-get -o DPkg::Lock::Timeout=300 update -qq
$sudo_cmd apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
/usr/bin/chromium --version
