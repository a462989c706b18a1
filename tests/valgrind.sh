#!/bin/sh
# Runs every unit test binary under valgrind memcheck: any memory error or
# definite leak fails.  77 when valgrind is missing, or inside the sanitizer
# build (ASan binaries cannot run under valgrind).
set -u

builddir=$(pwd)

[ "${PTRAP_SANITIZED:-0}" = 1 ] && { echo "SKIP: inside the sanitizer build"; exit 77; }
command -v valgrind >/dev/null 2>&1 || { echo "SKIP: valgrind not installed"; exit 77; }

rc=0 n=0
start=$(date +%s)
for t in "$builddir"/tests/unit/test_*; do
	case $t in *.o|*.c|*.log|*.trs) continue ;; esac
	[ -f "$t" ] && [ -x "$t" ] || continue
	n=$((n + 1))
	log=$t.valgrind
	if valgrind -q --error-exitcode=1 --leak-check=full \
		--errors-for-leak-kinds=definite --show-leak-kinds=definite \
		--track-origins=yes "$t" >"$log" 2>&1; then
		echo "PASS: valgrind $(basename "$t")"
		rm -f "$log"
	else
		echo "FAIL: valgrind $(basename "$t") (log: $log)"
		grep -E '^==[0-9]+==' "$log" | head -n 60
		rc=1
	fi
done
[ "$n" -gt 0 ] || { echo "FAIL: no unit test binaries under $builddir/tests/unit"; exit 1; }
echo "valgrind: $n binaries, $(( $(date +%s) - start ))s"
exit $rc
