#!/usr/bin/env bash
# Runs every test of a build directory and ends with "N passed, N failed".
# Exit status: 0 only when every test passed.
set -uo pipefail
build=${1:-build-test}
log="$build/meson-logs/testlog.txt"
meson test -C "$build" --print-errorlogs --num-processes 2
status=$?
# Each test speaks TAP: count its cases from meson's JSON log.
json="$build/meson-logs/testlog.json"
if [ -f "$json" ]; then
  read -r passed failed skipped < <(python3 - "$json" <<'PY' 2>/dev/null || echo "0 0 0"
import json, sys, re
p = f = s = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = t.get("stdout", "") or ""
    cases = re.findall(r"^(ok|not ok)\b[^\n]*", out, re.M)
    if cases:
        for c in cases:
            if c.startswith("not ok"): f += 1
            elif "# SKIP" in c: s += 1
            else: p += 1
        if t.get("result") not in ("OK", "EXPECTEDFAIL", "SKIP") and not any(c.startswith("not ok") for c in cases):
            f += 1   # crashed after its last case
    else:
        if t.get("result") == "OK": p += 1
        elif t.get("result") == "SKIP": s += 1
        else: f += 1
print(p, f, s)
PY
)
else
  passed=0; failed=1; skipped=0
fi
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
exit $status
