#!/bin/sh
# --icmp: pings over raw sockets and over ICMP datagram ("ping") sockets,
# IPv4 and IPv6, several at once; each report names its own ping: found by
# its socket (--no-bpf: icmpsock and /proc, the report gives the inode)
# and from the send-time record (no socket looked up, no inode).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
command -v ping >/dev/null || skip "no ping (iputils-ping)"

# run_pings MODE: 3 IPv4 and 3 IPv6 pings at once.  While they run, note
# each one's socket inodes and the kernel's raw and ping socket tables, so
# the check can tell which kind of socket each ping really used.
run_pings() {
	_mode=$1 _pids=""
	for _i in 1 2 3; do
		ping -4 -n -c 3 -i 0.4 -W 5 $DNS4 >"$WORK/ping.$_mode.$_i.4" 2>&1 &
		_pids="$_pids $!"
		ping -6 -n -c 3 -i 0.4 -W 5 $DNS6 >"$WORK/ping.$_mode.$_i.6" 2>&1 &
		_pids="$_pids $!"
	done
	# Sampled several times: on a slow (e.g. sanitized) run one moment
	# may fall before a ping's socket is bound or after it closed.
	: >"$WORK/$_mode.fds"; : >"$WORK/$_mode.raw"; : >"$WORK/$_mode.icmp"
	for _s in 1 2 3 4 5 6 7 8; do
		sleep 0.1
		for _p in $_pids; do
			ls -l "/proc/$_p/fd" 2>/dev/null | sed -n "s/.*socket:\[\([0-9]*\)\]/$_p \1/p"
		done >>"$WORK/$_mode.fds"
		cat /proc/net/raw /proc/net/raw6 >>"$WORK/$_mode.raw"
		cat /proc/net/icmp /proc/net/icmp6 >>"$WORK/$_mode.icmp"
	done
	for _p in $_pids; do
		wait "$_p" || fail "ping $_p ($_mode) failed: $(cat "$WORK"/ping.$_mode.*)"
	done
	echo "$_pids" >"$WORK/$_mode.pids"
}

# Root may open ping sockets only if group 0 is in the range; "1 0" (the
# default) refuses everyone, so ping falls back to its raw socket.
# phase NAME PTRAP-ARGS...: ptrap runs while the pings do.
phase() {
	_ph=$1; shift
	start_ptrap "$_ph" --icmp -i $DNS4 -i $DNS6 -j "$@"
	run_pings "$_ph"
	sleep 0.3
	stop_ptrap INT
}
# Root may open ping sockets only if group 0 is in the range; "1 0" (the
# default) refuses everyone, so ping falls back to its raw socket.
sysctl -qw net.ipv4.ping_group_range="1 0" || fail "cannot set ping_group_range"
phase raw --no-bpf
phase rawrec
sysctl -qw net.ipv4.ping_group_range="0 2147483647" || fail "cannot set ping_group_range"
phase dgram --no-bpf
phase dgramrec
# Without the record (an old kernel) the last two are found by socket too.
grep -q 'send-time record off' "$WORK/rawrec.err" && touch "$WORK/norecord"

python3 - "$WORK" <<'PY' || fail "report check failed"
import json, os, sys
work = sys.argv[1]

def inodes(table):
    out = set()
    for line in open(os.path.join(work, table)):
        f = line.split()
        if f and f[0].endswith(":") and f[0][:-1].isdigit():
            out.add(int(f[9]))
    return out

bad = 0
record = not os.path.exists(os.path.join(work, "norecord"))
for mode in ("raw", "dgram", "rawrec", "dgramrec"):
    pids = [int(p) for p in open(os.path.join(work, mode + ".pids")).read().split()]
    fds = {}
    for line in open(os.path.join(work, mode + ".fds")):
        pid, ino = line.split()
        fds.setdefault(int(pid), set()).add(int(ino))
    raw, icmp = inodes(mode + ".raw"), inodes(mode + ".icmp")
    kind = raw if mode.startswith("raw") else icmp
    other = icmp if mode.startswith("raw") else raw
    # named from the record: no socket was looked up
    byrec = mode.endswith("rec") and record
    events = [json.loads(l) for l in open(os.path.join(work, mode + ".out"))]
    events = [e for e in events if e["type"] == "packet"]
    for n, pid in enumerate(pids):
        v6 = n % 2 == 1
        mine = fds.get(pid, set())
        # the ping really used the kind of socket this phase is about
        if not mine & kind or mine & other:
            print("%s ping %d: sockets %r, %s table %r" % (mode, pid, mine, mode, kind))
            bad += 1
        reps = [e for e in events if e["pid"] == pid]
        want = ("icmpv6", "2001:db8::53") if v6 else ("icmp", "192.0.2.53")
        if len(reps) < 3 or any(
                e["comm"] != "ping" or (e["proto"], e["dst"]) != want or
                e["icmp_type"] != (128 if v6 else 8) or
                (e["inode"] is not None if byrec else e["inode"] not in mine & kind)
                for e in reps):
            print("%s ping %d: reports %r" % (mode, pid, reps))
            bad += 1
    unnamed = [e for e in events if e["pid"] is None]
    if unnamed:
        print("%s: %d reports name no process, e.g. %r" % (mode, len(unnamed), unnamed[0]))
        bad += 1
    print("# %s: %d reports for %d pings" % (mode, len(events), len(pids)), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
