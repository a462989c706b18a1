#!/bin/sh
# Static analysis of src/*.c: cppcheck (suppressions in tests/cppcheck.supp,
# each justified) and clang-tidy (checks in .clang-tidy).  The BPF program
# (src/bpf/*.bpf.c, clang -target bpf) is not host C: its build has
# -Wall -Wextra -Werror, and the verifier checks it at every load.  Any finding
# fails the test; 77 when neither tool is installed.
set -u

srcdir=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
builddir=$(pwd)
jobs=$(nproc 2>/dev/null || echo 2)

[ "${PTRAP_SANITIZED:-0}" = 1 ] && { echo "SKIP: inside the sanitizer build"; exit 77; }
[ -f "$builddir/config.h" ] || { echo "SKIP: no config.h in $builddir"; exit 77; }
have_cppcheck=0; have_tidy=0
command -v cppcheck >/dev/null 2>&1 && have_cppcheck=1
command -v clang-tidy >/dev/null 2>&1 && have_tidy=1
[ $have_cppcheck = 1 ] || [ $have_tidy = 1 ] ||
	{ echo "SKIP: neither cppcheck nor clang-tidy installed"; exit 77; }

rc=0
defs="-D_GNU_SOURCE -DHAVE_CONFIG_H -I$builddir -I$srcdir/src"
if [ $have_cppcheck = 1 ]; then
	start=$(date +%s)
	# shellcheck disable=SC2086
	if ! cppcheck -q -j"$jobs" --std=c11 --enable=warning,performance,portability \
		--error-exitcode=1 --inline-suppr \
		--suppressions-list="$srcdir/tests/cppcheck.supp" \
		-i"$srcdir/src/bpf/sendrec.bpf.c" \
		$defs "$srcdir/src"; then
		echo "FAIL: cppcheck"
		rc=1
	fi
	echo "cppcheck: $(( $(date +%s) - start ))s"
else
	echo "cppcheck not installed, not run"
fi

if [ $have_tidy = 1 ]; then
	start=$(date +%s)
	pkgs="libnftables libmnl libnetfilter_queue libcap-ng libbpf"
	pkgflags=$(pkg-config --cflags $pkgs 2>/dev/null)
	# One file per process, $jobs at a time; .clang-tidy is found from
	# the source file's directory upwards.
	# shellcheck disable=SC2086
	ls "$srcdir"/src/*.c | xargs -P"$jobs" -n1 sh -c \
		'clang-tidy --quiet "$0" -- -std=gnu11 '"$defs $pkgflags"' 2>&1 |
		 grep -v "warnings\{0,1\} generated\."' >"$builddir/tests/lint-tidy.out"
	if grep -q -E '(warning|error): ' "$builddir/tests/lint-tidy.out"; then
		cat "$builddir/tests/lint-tidy.out"
		echo "FAIL: clang-tidy"
		rc=1
	fi
	rm -f "$builddir/tests/lint-tidy.out"
	echo "clang-tidy: $(( $(date +%s) - start ))s"
else
	echo "clang-tidy not installed, not run"
fi
exit $rc
