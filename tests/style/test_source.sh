#!/usr/bin/env bash
# The source check: calls the style bans (unbounded or unchecked libc) and
# money held in floating point are refused, in TAP.
set -u
root=${MLV_SRCDIR:?}
n=0; failed=0
check() { # check NAME PATTERN
  n=$((n+1))
  hits=$(grep -rnE "$2" "$root/src" "$root/include" --include='*.c' --include='*.h' | grep -vE '^\S+:\s*(//|/?\*)' || true)
  if [ -z "$hits" ]; then echo "ok $n - $1"; else failed=$((failed+1)); echo "not ok $n - $1"; printf '%s\n' "$hits" | sed 's/^/# /' | head -10; fi
}
check "no strcpy/strcat/sprintf/vsprintf/gets" '\b(strcpy|strcat|sprintf|vsprintf|gets)\s*\('
check "no atoi/atol/atof (unchecked conversions)" '\b(atoi|atol|atoll|atof)\s*\('
check "no strtok (not reentrant)" '\bstrtok\s*\('
check "no float or double variable named for money" '\b(float|double)\s+\**(amount|value|total|price|duty|tax|money|cost|minor)s?\b'
check "no rand()/srand() (reproducibility)" '\b(rand|srand)\s*\('
echo "1..$n"
[ $failed -eq 0 ]
