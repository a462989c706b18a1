#!/bin/sh
# Builds each libFuzzer target (tests/fuzz/fuzz_*.c) with clang,
# -fsanitize=fuzzer,address,undefined and runs it from its committed seed
# corpus (tests/fuzz/corpus/<target>/) for FUZZ_TIME seconds (default 20).
# Exit 1 on a crash, leak or sanitizer report (the reproducer is kept under
# tests/fuzz/work/ in the build tree); 77 when clang or libFuzzer is missing.
set -u

srcdir=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=$(pwd)
time_limit=${FUZZ_TIME:-20}
cc=${FUZZ_CC:-clang}
work=$builddir/tests/fuzz/work

skip() { echo "SKIP: $*"; exit 77; }

# The sanitizer build's own make check: these targets are sanitized already.
[ "${PTRAP_SANITIZED:-0}" = 1 ] && skip "inside the sanitizer build"
command -v "$cc" >/dev/null 2>&1 || skip "$cc not installed"
[ -f "$builddir/config.h" ] || skip "no config.h in $builddir (run from the build tree)"

rm -rf "$work"
mkdir -p "$work/obj" || exit 1

san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-std=gnu11 -g -O1 -DHAVE_CONFIG_H -D_GNU_SOURCE -DPTRAP_SYSCONFDIR=\"/etc\" -I$builddir -I$srcdir/src -I$srcdir/tests/fuzz"

# Probe: is the libFuzzer runtime there (libclang-rt-14-dev)?
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$work/probe.c"
"$cc" -fsanitize=fuzzer $san "$work/probe.c" -o "$work/probe" >/dev/null 2>&1 ||
	skip "$cc cannot link -fsanitize=fuzzer (install libclang-rt-14-dev)"

# Every library module goes into one archive: the linker then takes only
# what a target needs, so modules that want libnftables etc. cost nothing.
for c in "$srcdir"/src/*.c; do
	case $c in */main.c) continue ;; esac
	o=$work/obj/$(basename "$c" .c).o
	"$cc" $cflags -fsanitize=fuzzer-no-link $san -c "$c" -o "$o" || exit 1
done
ar rcs "$work/libptrap-fuzz.a" "$work"/obj/*.o || exit 1

rc=0
for src in "$srcdir"/tests/fuzz/fuzz_*.c; do
	name=$(basename "$src" .c)
	target=${name#fuzz_}
	seeds=$srcdir/tests/fuzz/corpus/$target
	bin=$work/$name
	"$cc" $cflags -fsanitize=fuzzer $san "$src" "$work/libptrap-fuzz.a" -o "$bin" || exit 1
	[ -d "$seeds" ] || { echo "FAIL: $name: no seed corpus $seeds"; rc=1; continue; }
	# New inputs go to a scratch dir; the committed corpus is only read.
	mkdir -p "$work/corpus-$target"
	echo "== $name: $(ls "$seeds" | wc -l) seeds, ${time_limit}s"
	if ! "$bin" -max_total_time="$time_limit" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$work/$name-" \
		"$work/corpus-$target" "$seeds" >"$work/$name.log" 2>&1; then
		echo "FAIL: $name found a problem; reproduce with: $bin $work/$name-*"
		tail -n 60 "$work/$name.log"
		rc=1
		continue
	fi
	grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/$name.log"
	echo "PASS: $name"
done
exit $rc
