#!/bin/sh
# Soak: SOAK_SECONDS (default 60) of mixed traffic (UDP and TCP over IPv4
# and IPv6 from several shells, and a second ptrap running a hook for
# each of its packets).  After a warm-up and at the end each ptrap's open
# fds, VmRSS and child processes are compared: no growth beyond a small
# tolerance.  Every pid ptrap names must be a dig this test started.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python

SECS=${SOAK_SECONDS:-60}
WARM=$((SECS / 6 < 3 ? 3 : SECS / 6))
FD_TOL=2		# a hook's output pipe may be open at a sample
# The resolver's caches are allocated up front and touched as new pids and
# flows come: 512 process records of ~2.8 kB, 4096 flows of ~0.2 kB and
# procmap's inode cache, about 2.5 MB when full.  A 60 s run does not fill
# them (measured: +2.3 MB, slowing down); growth beyond them is a leak.
RSS_TOL_KB=4096
# ASan keeps freed memory in quarantine (up to 256 MB), so under the
# sanitizer RSS says nothing about leaks; LeakSanitizer checks at exit.
[ -n "${PTRAP_SANITIZED:-}" ] && RSS_TOL_KB=1000000
start_dnsmasq
# A second server for the hooked traffic: port 5353.
dnsmasq --conf-file=/dev/null --keep-in-foreground --port=5353 \
	--listen-address=$DNS4 --bind-interfaces --address=/example.test/192.0.2.1 \
	--no-resolv --no-hosts --user=root --pid-file= --log-facility=/dev/null &
PIDS_TO_KILL="$PIDS_TO_KILL $!"

start_ptrap main -u -t -i $DNS4,$DNS6 -p 53 -j -n 0 -v
MAIN=$PTRAP_PID
start_ptrap hooked -u -i $DNS4 -p 5353 --queue-num 4301 -j -n 0 -e "true"
HOOKED=$PTRAP_PID

# sample PID: "fds rss_kb children"
sample() {
	echo "$(ls "/proc/$1/fd" | wc -l) $(awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status")" \
		"$(ps -o pid= --ppid "$1" | wc -l)"
}

# worker NAME DIG-ARGS...: digs one after another until the deadline.
worker() {
	_name=$1; shift
	while [ "$(date +%s)" -lt "$END" ]; do
		dig +short +tries=1 +time=3 "$@" example.test >/dev/null 2>&1 &
		_p=$!
		echo "$_p" >>"$WORK/pids.$_name"
		echo "$*" >"$WORK/args.$_name"
		wait "$_p" || echo "$_p" >>"$WORK/failed.$_name"
	done
}

END=$(( $(date +%s) + SECS ))
worker udp4a @$DNS4 & W="$!"
worker udp4b @$DNS4 & W="$W $!"
worker tcp4 @$DNS4 +tcp & W="$W $!"
worker udp6 @$DNS6 AAAA & W="$W $!"
worker tcp6 @$DNS6 AAAA +tcp & W="$W $!"
worker hook @$DNS4 -p 5353 & W="$W $!"
PIDS_TO_KILL="$PIDS_TO_KILL $W"

sleep "$WARM"
m0=$(sample $MAIN) h0=$(sample $HOOKED)
info "after ${WARM}s warm-up: main fds/rss_kb/children $m0, hooked $h0"
# Statistics on demand, in the middle of the traffic (JSON with -j).
kill -USR1 $MAIN
# The trend, for the log: growth that stops is a cache filling up.
while [ $(( $(date +%s) + WARM )) -lt "$END" ]; do
	sleep "$WARM"
	info "$(( SECS - END + $(date +%s) ))s: main $(sample $MAIN), hooked $(sample $HOOKED)"
done
for w in $W; do wait "$w"; done
sleep 1		# the last hooks finish, their pipes close
m1=$(sample $MAIN) h1=$(sample $HOOKED)
info "after ${SECS}s: main fds/rss_kb/children $m1, hooked $h1"
stop_ptrap INT
PTRAP_PID=$MAIN
stop_ptrap INT

cat "$WORK"/pids.* >"$WORK/all-pids"
started=$(wc -l <"$WORK/all-pids")
failed=$(cat "$WORK"/failed.* 2>/dev/null | wc -l)
info "$started digs started, $failed failed"
[ "$started" -ge 30 ] || fail "only $started digs in ${SECS}s (test broken)"
# A dig timing out now and then on 2 busy cores is not a leak; many are.
[ $((failed * 50)) -le "$started" ] || fail "$failed of $started digs failed"

check() {	# check NAME "fds rss children" "fds rss children"
	set -- "$1" $2 $3
	[ "$5" -le $(($2 + FD_TOL)) ] || fail "$1: open fds grew from $2 to $5"
	[ "$6" -le $(($3 + RSS_TOL_KB)) ] || fail "$1: VmRSS grew from $3 kB to $6 kB"
	[ "$7" -eq 0 ] || fail "$1: $7 child processes left at the end"
}
check main "$m0" "$m1"
check hooked "$h0" "$h1"

python3 - "$WORK" <<'PY' || fail "wrong attribution"
import json, os, sys
work = sys.argv[1]
started = set(int(l) for l in open(work + "/all-pids") if l.strip())
hook_pids = set(int(l) for l in open(work + "/pids.hook"))
# Pids wrap within a minute on a busy machine (pid_max 32768), so a pid is
# checked against the digs started with the arguments /proc showed for it.
by_args = {}
for f in os.listdir(work):
    if f.startswith("pids."):
        args = open("%s/args.%s" % (work, f[5:])).read().split()
        key = tuple(["dig", "+short", "+tries=1", "+time=3"] + args + ["example.test"])
        by_args.setdefault(key, set()).update(
            int(l) for l in open("%s/%s" % (work, f)) if l.strip())
bad, named, nameless, kinds, stats = [], 0, 0, set(), []
for name in ("main", "hooked"):
    hooks = 0
    for line in open("%s/%s.out" % (work, name)):
        ev = json.loads(line)
        if ev["type"] == "stats":
            stats.append((name, ev))
            continue
        if ev["type"] == "hook":
            hooks += 1
            continue
        if ev["pid"] is None:
            nameless += 1
            continue
        named += 1
        kinds.add((name, ev["proto"], ":" in ev["dst"]))
        want = hook_pids if name == "hooked" else started - hook_pids
        if tuple(ev.get("cmdline") or ()) in by_args:
            want = by_args[tuple(ev["cmdline"])]
        if ev["pid"] not in want:
            bad.append(ev)
    if name == "hooked" and hooks == 0:
        print("no hook ran")
        sys.exit(1)
print("# %d reports named one of the digs, %d named nobody, %d wrong" %
      (named, nameless, len(bad)))
for ev in bad[:5]:
    print("wrong: %r" % ev)
need = {("main", "udp", False), ("main", "tcp", False), ("main", "udp", True),
        ("main", "tcp", True), ("hooked", "udp", False)}
if need - kinds:
    print("no reports for %r" % (need - kinds))
    sys.exit(1)
# main ran with -v: its last stats object (at exit) counts what it reported.
main_stats = [ev for n, ev in stats if n == "main"]
if len(main_stats) != 2:
    print("expected 2 stats objects (SIGUSR1, exit), got %d" % len(main_stats))
    sys.exit(1)
reported = sum(1 for l in open(work + "/main.out") if '"type":"packet"' in l)
# a TCP connection is reported once: its later segments are counted apart
segs = main_stats[-1]["tcp_segments"]
if main_stats[-1]["trapped"] != reported + segs:
    print("stats say %d trapped, %d reported + %d later TCP segments" %
          (main_stats[-1]["trapped"], reported, segs))
    sys.exit(1)
print("# main's stats at exit: %s" % json.dumps(main_stats[-1]))
sys.exit(1 if bad else 0)
PY
exit 0
