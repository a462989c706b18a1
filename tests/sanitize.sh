#!/bin/sh
# Builds ptrap a second time, out of tree, with clang's AddressSanitizer,
# LeakSanitizer and UndefinedBehaviorSanitizer (every report fatal) and runs
# the whole `make check` there: unit tests and netns tests, the latter with
# the sanitized ptrap.  The source is a fresh `make distdir` copy, because
# a source dir configured in place cannot host a VPATH build; this also
# proves the tarball builds.  77 when clang cannot link the sanitizers.
set -u

builddir=$(pwd)
tree=$builddir/build-asan
cc=${SANITIZE_CC:-clang}
jobs=${SANITIZE_JOBS:-$(nproc 2>/dev/null || echo 2)}
san="-fsanitize=address,undefined -fno-sanitize-recover=all"

skip() { echo "SKIP: $*"; exit 77; }

# Set below for the inner make check: do not recurse into ourselves.
[ "${PTRAP_SANITIZED:-0}" = 1 ] && skip "already inside the sanitizer build"
command -v "$cc" >/dev/null 2>&1 || skip "$cc not installed"
[ -f "$builddir/Makefile" ] || skip "run from a configured build tree"

# Two make checks in one build tree would delete each other's build-asan.
exec 9>"$builddir/build-asan.lock"
command -v flock >/dev/null 2>&1 && flock 9
rm -rf "$tree"
mkdir -p "$tree/build" || exit 1
printf 'int main(void) { return 0; }\n' >"$tree/probe.c"
"$cc" $san "$tree/probe.c" -o "$tree/probe" >/dev/null 2>&1 ||
	skip "$cc cannot link $san (install libclang-rt-14-dev)"

# Our own make, not a child of the one running this test.
unset MAKEFLAGS MFLAGS MAKELEVEL
step() {
	log=$1; shift
	if ! "$@" >"$tree/$log" 2>&1; then
		echo "FAIL: $* (see $tree/$log)"
		tail -n 40 "$tree/$log"
		exit 1
	fi
}
start=$(date +%s)
step distdir.log make -C "$builddir" distdir distdir="$tree/src"
cd "$tree/build" || exit 1
step configure.log ../src/configure CC="$cc" \
	CFLAGS="$san -g -O1 -fno-omit-frame-pointer" LDFLAGS="$san" \
	--enable-werror
step build.log make -j"$jobs"
echo "sanitized build ready in $(( $(date +%s) - start ))s"

# Leaks and errors are fatal; exit code 1 looks like a plain test failure.
ASAN_OPTIONS=detect_leaks=1:halt_on_error=1:abort_on_error=0:exitcode=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
LSAN_OPTIONS=exitcode=1
PTRAP_SANITIZED=1
export ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS PTRAP_SANITIZED
# Tests one at a time, as run-all does: the netns tests hold packets and
# time their clients; ASan already makes ptrap several times slower.
make -j1 check >"$tree/check.log" 2>&1
rc=$?
grep -E '^(PASS|FAIL|SKIP|ERROR|XPASS|XFAIL):|^# [A-Z]+: +[0-9]+' "$tree/check.log"
if [ "$rc" -ne 0 ]; then
	for trs in $(grep -l -E '^:test-result: (FAIL|ERROR|XPASS)' \
		$(find tests -name '*.trs') 2>/dev/null); do
		echo "---- $tree/build/${trs%.trs}.log"
		tail -n 60 "${trs%.trs}.log"
	done
fi
# A sanitizer report that a test swallowed is still a failure.
if grep -l -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
	$(find tests -name '*.log') 2>/dev/null | grep -q .; then
	echo "FAIL: sanitizer report in a test log:"
	grep -n -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' \
		$(find tests -name '*.log')
	rc=1
fi
echo "sanitizer pass took $(( $(date +%s) - start ))s"
exit $rc
