#!/bin/sh
# Proves the README's set-up on a bare machine: builds a minimal Debian 12
# root with mmdebstrap (--variant=minbase, plus git), clones the committed
# tree into it, and runs tests/demo there under chroot.  The demo must
# install everything it needs itself (tests/install-deps), build, name each
# dig with its PID (the hook's pstree shows that PID as a live dig) and
# leave no rule behind.
#
# The base root (minbase + git, no package of ours) is cached as a tarball
# in $PTRAP_FRESH_CACHE (default /var/cache/ptrap-fresh-root) for 7 days;
# everything the demo installs is downloaded and installed anew each run.
# All mounts live in a private mount namespace, so they vanish with this
# script however it ends; the root directory is removed on exit.
#
# Exit: 0 pass, 1 fail, 77 skipped (not root, no mmdebstrap, no archive).
# FRESH_ROOT_SCRIPT=tests/run-all runs the whole suite in the root instead.
set -u

top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
cache=${PTRAP_FRESH_CACHE:-/var/cache/ptrap-fresh-root}
mirror=${PTRAP_FRESH_MIRROR:-http://deb.debian.org/debian}
security=${PTRAP_FRESH_SECURITY:-http://deb.debian.org/debian-security}
script=${FRESH_ROOT_SCRIPT:-tests/demo}
limit=${FRESH_ROOT_TIMEOUT:-1800}

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "${PTRAP_SANITIZED:-0}" = 1 ] && skip "not repeated inside the sanitizer build"
# The demo inside the root runs its own fresh-root test never: it is tests/demo.
[ "${PTRAP_FRESH_INSIDE:-0}" = 1 ] && skip "already inside a fresh root"
[ "$(id -u)" -eq 0 ] || skip "needs root (chroot, mounts)"
command -v mmdebstrap >/dev/null 2>&1 || skip "mmdebstrap not installed (tests/install-deps)"
command -v git >/dev/null 2>&1 || skip "git not installed"
git -C "$top" rev-parse --verify -q HEAD >/dev/null 2>&1 || skip "$top is not a git checkout"
command -v curl >/dev/null 2>&1 || skip "curl not installed"
curl -s -f -o /dev/null --max-time 20 "$mirror/dists/bookworm/Release" ||
	skip "the Debian archive $mirror cannot be reached"

# Re-run in a private mount namespace: mounts made there die with it.
if [ "${PTRAP_FRESH_NS:-0}" != 1 ]; then
	unshare -m true 2>/dev/null || skip "cannot create a mount namespace (unshare -m)"
	PTRAP_FRESH_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

start=$(date +%s)
mkdir -p "$cache" || fail "cannot create $cache"
base=$cache/bookworm-minbase-git.tar
if [ ! -s "$base" ] || [ -n "$(find "$base" -mtime +7 2>/dev/null)" ]; then
	echo "# building the base root with mmdebstrap (minbase + git)"
	mmdebstrap --quiet --variant=minbase --format=tar --include=git bookworm "$base.tmp" \
		"deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
		"deb $security bookworm-security main" >"$cache/mmdebstrap.log" 2>&1 || {
		tail -n 20 "$cache/mmdebstrap.log"
		rm -f "$base.tmp"
		# No archive is a skip; an archive that answers but fails is ours.
		curl -s -f -o /dev/null --max-time 20 "$mirror/dists/bookworm/Release" ||
			skip "the Debian archive went away during mmdebstrap"
		fail "mmdebstrap failed (log above)"
	}
	mv "$base.tmp" "$base"
fi

root=$(mktemp -d /var/tmp/ptrap-fresh-root.XXXXXX) || fail "mktemp failed"
cleanup() {
	# Mounts first (also done by the namespace's end), then the tree.
	for m in dev/pts dev sys proc; do umount -l "$root/$m" 2>/dev/null; done
	umount -l "$root" 2>/dev/null
	if grep -q " $root[/ ]" /proc/self/mountinfo; then
		echo "# mounts still under $root; not removing it"
	else
		rm -rf "$root"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

tar -C "$root" -xf "$base" || fail "cannot unpack $base"
# A root that is a mount point, as / is on a real machine (tests that
# unshare -m and change propagation need one).
mount --bind "$root" "$root" || fail "cannot bind-mount $root"
echo "# base root ready in $(( $(date +%s) - start ))s"

# The committed tree only, cloned by the root's own git.
git -C "$top" bundle create -q "$root/ptrap.bundle" HEAD >/dev/null 2>&1 ||
	fail "git bundle failed"
mount -t proc proc "$root/proc" || fail "cannot mount proc"
# recursively: the cgroup2 mount under /sys/fs/cgroup is what a real
# machine has, and procinfo.sh and bpfrec.sh read it
mount --rbind /sys "$root/sys" || fail "cannot bind /sys"
mount --bind /dev "$root/dev" || fail "cannot bind /dev"
mount --bind /dev/pts "$root/dev/pts" || fail "cannot bind /dev/pts"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" || fail "cannot copy resolv.conf"
chroot "$root" git clone -q /ptrap.bundle /root/ptrap || fail "git clone in the root failed"

echo "# running $script in the fresh root (installs its dependencies)"
PATH=/usr/sbin:/usr/bin:/sbin:/bin timeout -k 10 "$limit" \
	chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
	PTRAP_FRESH_INSIDE=1 sh -c "cd /root/ptrap && ./$script" >"$root/out" 2>&1
rc=$?
elapsed=$(( $(date +%s) - start ))
out=$root/out
cp "$out" "$cache/last-$(basename "$script").log" 2>/dev/null
if [ "$rc" -ne 0 ]; then
	tail -n 150 "$out"
	echo "# the whole output: $cache/last-$(basename "$script").log"
	fail "$script exited with status $rc in the fresh root after ${elapsed}s"
fi

if [ "$script" = tests/demo ]; then
	# Each report names a dig by PID, and its parent chain starts with
	# exactly that dig.
	reports=$(grep -c 'PROCESS REQUEST CAPTURED. Matching PID: [0-9]* comm=dig ' "$out")
	digs=$(grep -c '^\$ .*dig @' "$out")
	[ "$digs" -ge 3 ] || { cat "$out"; fail "the demo ran $digs dig commands"; }
	# the last command line starts two digs
	[ "$reports" -ge $((digs + 1)) ] ||
		{ cat "$out"; fail "$reports dig reports for $((digs + 1)) digs"; }
	for pid in $(sed -n 's/.*Matching PID: \([0-9]*\) comm=dig .*/\1/p' "$out"); do
		grep -q "dig($pid)" "$out" ||
			{ cat "$out"; fail "PID $pid was reported but its chain shows no dig($pid)"; }
	done
	grep -q 'Matching PID: unknown' "$out" && { cat "$out"; fail "a dig was not named"; }
	grep -q '^ptrap exited with status 0; its rules left behind: 0$' "$out" ||
		{ cat "$out"; fail "ptrap did not exit cleanly, or left rules"; }
	echo "PASS: fresh Debian 12 root: $reports digs named with their PIDs, 0 rules left, ${elapsed}s"
else
	tail -n 5 "$out"
	echo "PASS: $script in a fresh Debian 12 root, ${elapsed}s"
fi
exit 0
