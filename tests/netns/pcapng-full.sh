#!/bin/sh
# -w on a full disk (a 64 KiB tmpfs, filled but ~4 KiB): DNS keeps working,
# the write error is told once, the file stays readable (cut back to its
# last whole block), and writing resumes once there is space again.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
# A private mount namespace too, so the tmpfs is nobody else's business.
if [ -z "${PTRAP_TEST_MNT:-}" ]; then
	[ "$(id -u)" -eq 0 ] || skip "needs root (mount and network namespaces)"
	unshare -m true 2>/dev/null || skip "cannot create a mount namespace (unshare -m)"
	PTRAP_TEST_MNT=1 exec unshare -m --propagation private sh "$0" "$@"
fi
netns_enter "$@"
command -v tshark >/dev/null || skip "tshark missing"
start_dnsmasq

FS="$WORK/fs"
mkdir "$FS" && mount -t tmpfs -o size=64k tmpfs "$FS" || skip "cannot mount a tmpfs"
trap 'kill -9 $PIDS_TO_KILL 2>/dev/null; wait; umount "$FS"; cleanup' EXIT
CAP="$FS/out.pcapng"
# Leave ~4 KiB: a dozen packets with their comments.
free=$(df -k --output=avail "$FS" | tail -n 1)
dd if=/dev/zero of="$FS/filler" bs=1k count=$((free - 4)) 2>/dev/null

check_file() {	# $1: what; prints the packet count
	_n=$(tshark -r "$CAP" 2>"$WORK/tshark.txt" | wc -l)
	grep -v "Running as user \"root\"" "$WORK/tshark.txt" | grep . >&2 &&
		fail "$1: tshark warned (above)"
	"$PTRAP" -r "$CAP" >"$WORK/report.txt" 2>"$WORK/report.txt2" ||
		fail "$1: ptrap -r failed: $(cat "$WORK/report.txt2")"
	grep -q "^$_n packets" "$WORK/report.txt" ||
		fail "$1: ptrap -r does not count $_n packets: $(tail -n 1 "$WORK/report.txt")"
	echo "$_n"
}

start_ptrap live -u -i $DNS4 -p 53 -w "$CAP" --flush
N=40
for i in $(seq 1 $N); do
	a=$(dig @$DNS4 example.test +short +time=20 +tries=1) ||
		fail "dig $i failed with the disk full"
	[ "$a" = 192.0.2.1 ] || fail "dig $i answered '$a'"
done
n1=$(check_file "disk full") || exit 1
info "disk full: $n1 of $N packets written"
[ "$n1" -gt 0 ] && [ "$n1" -lt $N ] ||
	fail "disk full: $n1 of $N packets in the file; expected some but not all"
e=$(grep -c "cannot write the capture file" "$WORK/live.err")
[ "$e" -eq 1 ] || fail "the write error was told $e times, expected once"
grep -q "No space left on device" "$WORK/live.err" || fail "the error does not say ENOSPC"

# Space again: the next packets are written.
rm -f "$FS/filler"
M=5
for i in $(seq 1 $M); do
	a=$(dig @$DNS4 example.test +short +time=20 +tries=1) || fail "dig $i failed after the disk emptied"
	[ "$a" = 192.0.2.1 ] || fail "dig $i answered '$a'"
done
n2=$(check_file "space again") || exit 1
[ "$n2" -eq $((n1 + M)) ] || fail "space again: $n2 packets, expected $n1 + $M"
grep -q "writing the capture file again" "$WORK/live.err" || fail "resuming was not told"
stop_ptrap INT
e=$(grep -c "cannot write the capture file" "$WORK/live.err")
[ "$e" -eq 1 ] || fail "the write error was told $e times in all, expected once"
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
