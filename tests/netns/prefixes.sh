#!/bin/sh
# Prefixes, port ranges and both families in one instance:
# -u -t -i 192.0.2.0/24,2001:db8::/64 -p 50-60,853.  UDP and TCP digs over
# IPv4 and IPv6 to port 53 (inside the range) are each reported with their
# own pid; digs to port 5353 (outside it) are answered and never reported.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
start_dnsmasq
dnsmasq --conf-file=/dev/null --keep-in-foreground --port=5353 \
	--listen-address=$DNS4 --listen-address=$DNS6 --bind-interfaces \
	--address=/example.test/192.0.2.1 --no-resolv --no-hosts --user=root \
	--pid-file= --log-facility=/dev/null &
PIDS_TO_KILL="$PIDS_TO_KILL $!"

start_ptrap pfx -u -t -i 192.0.2.0/24,2001:db8::/64 -p 50-60,853 -j -n 0
DIG_PIDS=""
run_digs 5 192.0.2.1 @$DNS4 example.test +time=20
run_digs 5 2001:db8::1 @$DNS6 example.test AAAA +time=20
run_digs 3 192.0.2.1 +tcp @$DNS4 example.test +time=20
run_digs 3 2001:db8::1 +tcp @$DNS6 example.test AAAA +time=20
INSIDE=$DIG_PIDS
DIG_PIDS=""
run_digs 3 192.0.2.1 -p 5353 @$DNS4 example.test +time=20
run_digs 3 192.0.2.1 -p 5353 +tcp @$DNS6 example.test +time=20
OUTSIDE=$DIG_PIDS
sleep 0.5
stop_ptrap INT

python3 - "$WORK/pfx.out" "$INSIDE" "$OUTSIDE" <<'PY' || fail "report check failed"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
pk = [e for e in ev if e["type"] == "packet"]
inside = [int(p) for p in sys.argv[2].split()]
outside = [int(p) for p in sys.argv[3].split()]
want = ["udp"] * 10 + ["tcp"] * 6
fams = (["192.0.2.53"] * 5 + ["2001:db8::53"] * 5 + ["192.0.2.53"] * 3
        + ["2001:db8::53"] * 3)
bad = 0
for pid, proto, dst in zip(inside, want, fams):
    mine = [e for e in pk if e["pid"] == pid]
    if not mine or any(e["proto"] != proto or e["dst"] != dst or
                       e["dport"] != 53 or e["comm"] != "dig" for e in mine):
        print("dig %d (%s to %s): reports %r" % (pid, proto, dst, mine))
        bad += 1
for e in pk:
    if e["pid"] in outside or e["dport"] == 5353:
        print("reported outside the ranges: %r" % e)
        bad += 1
print("# %d packet reports for %d digs inside, none for %d outside"
      % (len(pk), len(inside), len(outside)), file=sys.stderr)
sys.exit(1 if bad else 0)
PY
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
