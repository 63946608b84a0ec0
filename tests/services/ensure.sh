#!/usr/bin/env bash
# Installs the system parts the suite needs when they are missing: a PostgreSQL
# server and Chromium for the browser tests (Playwright cannot download browsers here).
set -euo pipefail
here=$(dirname "$0")
need=()
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || need+=(postgresql)
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q "${need[@]}"
fi
bash "$here/postgres.sh" start
