#!/bin/sh
# -w: 20 parallel digs written to a pcapng file; tshark reads every packet
# cleanly, finds each dig's query by the PID in its comment, ptrap -r agrees
# with the live JSON reports, and the Lua plugin's ptrap.comm selects them.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
command -v tshark >/dev/null || skip "tshark missing"
start_dnsmasq

N=20
CAP="$WORK/out.pcapng"
start_ptrap live -u -i $DNS4 -p 53 -j -w "$CAP"

pids=""
for i in $(seq 1 $N); do
	dig @$DNS4 example.test +short +time=20 +tries=1 >"$WORK/dig.$i" 2>&1 &
	pids="$pids $!"
done
i=0
for p in $pids; do
	i=$((i + 1))
	wait "$p" || fail "dig $i (pid $p) failed: $(cat "$WORK/dig.$i")"
done
stop_ptrap INT

# Every packet, no complaint.
n=$(tshark -r "$CAP" 2>"$WORK/tshark.err" | wc -l)
grep -v "Running as user \"root\"" "$WORK/tshark.err" | grep . && fail "tshark warned (above)"
[ "$n" -eq "$N" ] || fail "tshark read $n packets, expected $N"

# Each dig's query, found by its comment alone.
for p in $pids; do
	hits=$(tshark -r "$CAP" -Y "frame.comment contains \"PID: $p\n\"" -T fields \
		-e udp.dstport -e ip.dst 2>/dev/null)
	[ "$hits" = "$(printf '53\t192.0.2.53')" ] || fail "dig $p: tshark found '$hits'"
done

# The summary agrees with the live reports.
"$PTRAP" -r "$CAP" -j --by process >"$WORK/summary.json" 2>"$WORK/summary.err" ||
	{ cat "$WORK/summary.err"; fail "ptrap -r failed"; }
"$PTRAP" -r "$CAP" --by destination >"$WORK/summary.txt" || fail "ptrap -r text failed"
grep -Eq "^ *$N +[0-9]+  [0-9:.]+(\.\.[0-9:.]+)?  udp 192.0.2.53:53\$" "$WORK/summary.txt" ||
	{ cat "$WORK/summary.txt"; fail "text summary by destination"; }
python3 - "$WORK/live.out" "$WORK/summary.json" $pids <<'PY' || fail "summary check failed (see above)"
import json, sys
live = [json.loads(l) for l in open(sys.argv[1])]
summ = [json.loads(l) for l in open(sys.argv[2])]
digs = sorted(int(p) for p in sys.argv[3:])
live_pids = sorted(e["pid"] for e in live if e["type"] == "packet")
procs = {e["pid"]: e for e in summ if e["type"] == "process"}
bad = 0
if live_pids != digs:
    print("live reports name %r, not the digs %r" % (live_pids, digs)); bad += 1
if sorted(procs) != digs:
    print("summary names %r, not the digs %r" % (sorted(procs), digs)); bad += 1
for pid in digs:
    e = procs.get(pid)
    if not e:
        continue
    d = e["destinations"]
    if e["comm"] != "dig" or e["exe"] != "/usr/bin/dig" or e["packets"] != 1 or \
       len(d) != 1 or d[0]["dst"] != "192.0.2.53" or d[0]["dport"] != 53 or d[0]["proto"] != "udp":
        print("pid %d: summary %r" % (pid, e)); bad += 1
tot = [e for e in summ if e["type"] == "total"]
if not tot or tot[0]["packets"] != len(digs) or tot[0]["error"] is not None:
    print("total line %r" % tot); bad += 1
sys.exit(1 if bad else 0)
PY

# The Lua post-dissector, when this tshark has Lua.
LUA="$TOP_SRCDIR/contrib/wireshark/ptrap.lua"
if tshark -X lua_script:"$LUA" -r "$CAP" -c 1 -Y ptrap.pid >/dev/null 2>"$WORK/lua.err"; then
	n=$(tshark -X lua_script:"$LUA" -r "$CAP" -Y 'ptrap.comm == "dig"' 2>/dev/null | wc -l)
	[ "$n" -eq "$N" ] || fail "Lua plugin: ptrap.comm == \"dig\" selected $n packets, expected $N"
	first=$(echo $pids | cut -d' ' -f1)
	n=$(tshark -X lua_script:"$LUA" -r "$CAP" -Y "ptrap.pid == $first && ptrap.exe == \"/usr/bin/dig\" && ptrap.uid == 0" 2>/dev/null | wc -l)
	[ "$n" -eq 1 ] || fail "Lua plugin: ptrap.pid == $first selected $n packets"
else
	info "tshark has no Lua here, Lua plugin not checked: $(cat "$WORK/lua.err")"
fi

# --flush: the file is complete while ptrap still runs.
start_ptrap flush -u -i $DNS4 -p 53 -w "$WORK/flush.pcapng" --flush
dig @$DNS4 example.test +short +time=20 +tries=1 >/dev/null || fail "dig under --flush failed"
n=$(tshark -r "$WORK/flush.pcapng" 2>/dev/null | wc -l)
[ "$n" -eq 1 ] || fail "--flush: $n packets in the file while running, expected 1"
# SIGHUP appends a new section; the file stays readable.
kill -HUP "$PTRAP_PID"
sleep 0.2
dig @$DNS4 example.test +short +time=20 +tries=1 >/dev/null || fail "dig after SIGHUP failed"
stop_ptrap TERM
n=$(tshark -r "$WORK/flush.pcapng" 2>/dev/null | wc -l)
[ "$n" -eq 2 ] || fail "after SIGHUP: $n packets, expected 2"
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
