#!/usr/bin/env bash
# Runs every LeakHound test. First installs what the tests need and this machine lacks
# (tests compare LeakHound's census with ss and lsof, load the HTML report and the dashboard in headless chromium,
# start a PostgreSQL 15 of their own, and scrape `serve` with a real Prometheus), then builds with warnings as errors and runs dotnet test.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v ss >/dev/null 2>&1 || missing+=(iproute2)
command -v lsof >/dev/null 2>&1 || missing+=(lsof)
# The live view is tested on a pseudo-terminal that util-linux's script provides.
command -v script >/dev/null 2>&1 || missing+=(bsdutils)
# The HTML report is tested in a real headless browser.
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The PostgreSQL tests start a PostgreSQL 15 of their own (initdb + pg_ctl in a temporary folder).
[ -x /usr/lib/postgresql/15/bin/initdb ] || missing+=(postgresql-15)
# serve is scraped by a real Prometheus, and deploy/prometheus's rules are checked with promtool (both in prometheus).
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if ((${#missing[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: the tests need ${missing[*]}; install them (sudo apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
  echo "test.sh: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

dotnet build LeakHound.slnx -c Release -warnaserror -nologo -v quiet
dotnet test --solution LeakHound.slnx -c Release --no-build "$@"
