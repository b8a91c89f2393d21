#!/usr/bin/env bash
# The whole GUI suite in one process, RUNS times in a row per platform, alternating offscreen and
# the real xcb platform under Xvfb (apt-get install xvfb). Stops at the first failing run and
# names its log. Usage: tests/gui_proof.sh [RUNS]   (make gui-proof RUNS=20)
# PLATFORMS=offscreen (or xcb) runs one platform only, e.g. two proofs side by side on two cores.
set -u
runs=${1:-20}
cd "$(dirname "$0")/.."
out=$(mktemp -d -t gpdesk-gui-proof-XXXX)
for i in $(seq 1 "$runs"); do
  for platform in ${PLATFORMS:-offscreen xcb}; do
    log="$out/$platform-$i.log"
    if [ "$platform" = offscreen ]; then
      QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest tests/gui -q -p no:cacheprovider >"$log" 2>&1
    else
      xvfb-run -a -s "-screen 0 1366x768x24" env QT_QPA_PLATFORM=xcb \
        .venv/bin/python -m pytest tests/gui -q -p no:cacheprovider >"$log" 2>&1
    fi
    rc=$?
    echo "$platform run $i: $(grep -aE '[0-9]+ (passed|failed)' "$log" | tail -1)"
    if [ "$rc" != 0 ]; then
      echo "run failed (exit $rc): $log"
      exit 1
    fi
  done
done
echo "$runs consecutive runs passed on offscreen and on xcb"
