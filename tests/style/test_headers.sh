#!/usr/bin/env bash
# Every public header compiles on its own (-std=c17 -pedantic -Werror), in TAP.
set -u
root=${MLV_SRCDIR:?}
cc=${CC:-cc}
n=0; failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cflags=$(pkg-config --cflags libcjson 2>/dev/null)
for h in "$root"/include/mlv/*.h; do
  n=$((n+1)); name=$(basename "$h")
  printf '#include "mlv/%s"\n#include "mlv/%s"\nint mlv_header_test_%d;\n' "$name" "$name" "$n" > "$tmp/t.c"
  if out=$($cc -std=c17 -pedantic -Wall -Wextra -Werror -I"$root/include" $cflags -c "$tmp/t.c" -o "$tmp/t.o" 2>&1); then
    echo "ok $n - $name compiles alone (and twice)"
  else
    failed=$((failed+1)); echo "not ok $n - $name compiles alone"; printf '%s\n' "$out" | sed 's/^/# /' | head -10
  fi
done
echo "1..$n"
[ $failed -eq 0 ]
