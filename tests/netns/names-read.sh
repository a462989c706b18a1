#!/bin/sh
# -r --by name and -r --name on ptrap's own capture and on dumpcap's of
# the same queries: the names come from the packets' bytes, so both give
# the same names and counts; only ptrap's knows the processes.  With -S
# cutting the packets before the name, ptrap's comment still gives it.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
start_dnsmasq
command -v dumpcap >/dev/null || fail "dumpcap missing"

dumpcap -q -i lo -f "dst host $DNS4 and dst port 53" -w "$WORK/theirs.pcapng" \
	>"$WORK/dumpcap.log" 2>&1 &
DPID=$!
PIDS_TO_KILL="$PIDS_TO_KILL $DPID"
start_ptrap ours -u -t -i $DNS4 -p 53 -w "$WORK/ours.pcapng"
for _ in $(seq 1 100); do
	[ -s "$WORK/theirs.pcapng" ] && break
	sleep 0.05
done
queries() {
for q in a.example.test a.example.test b.example.test other.test \
	 'odd\.name.example.test'; do
	dig @$DNS4 "$q" +short +time=3 +tries=1 >/dev/null || fail "dig $q"
done
dig @$DNS4 c.example.test AAAA +tcp +short +time=3 +tries=1 >/dev/null || fail "dig +tcp"
}
queries
sleep 1.5	# dumpcap writes what it has
stop_ptrap INT
kill -INT "$DPID"; wait "$DPID"
# -S 60: each packet cut inside its name (28 bytes of headers, 12 of DNS)
start_ptrap cut -u -i $DNS4 -p 53 -w "$WORK/cut.pcapng" -S 60
queries
stop_ptrap INT

for f in ours theirs cut; do
	"$PTRAP" -r "$WORK/$f.pcapng" --by name -j >"$WORK/$f.json" ||
		fail "-r $f --by name failed"
	"$PTRAP" -r "$WORK/$f.pcapng" --by name --name '*.example.test' -j \
		>"$WORK/$f.flt.json" || fail "-r $f --name failed"
done
"$PTRAP" -r "$WORK/ours.pcapng" --by name >"$WORK/ours.txt" || fail "-r text"

python3 - "$WORK" <<'PY' || fail "-r --by name (see above)"
import json, sys
w = sys.argv[1]
def load(f):
    return [json.loads(l) for l in open("%s/%s" % (w, f))]
def names(ev):
    return {e["name"]: e["packets"] for e in ev if e["type"] == "name" and e["name"]}
want = {"a.example.test": 2, "b.example.test": 1, "other.test": 1,
        "odd\\.name.example.test": 1}
# over TCP the query's segment and the connection's later ones count for
# the name (the SYN before it does not): as many in both captures
ours0 = names(load("ours.json"))
tcp = ours0.get("c.example.test", 0)
if tcp < 2:
    print("c.example.test over TCP: %d packets" % tcp); sys.exit(1)
want["c.example.test"] = tcp
bad = 0
ours, theirs = load("ours.json"), load("theirs.json")
if names(ours) != want:
    print("ours: %r" % names(ours)); bad = 1
if names(theirs) != names(ours):
    print("dumpcap's capture: %r, ours: %r" % (names(theirs), names(ours))); bad = 1
a = [e for e in ours if e["type"] == "name" and e["name"] == "a.example.test"][0]
if len(a["processes"]) != 2 or any(p["comm"] != "dig" for p in a["processes"]):
    print("processes of a.example.test: %r" % a["processes"]); bad = 1
flt_want = {k: v for k, v in want.items() if k != "other.test"}
for f in ("ours.flt.json", "theirs.flt.json"):
    got = names(load(f))
    tot = [e for e in load(f) if e["type"] == "total"][0]
    if got != flt_want or tot["packets"] != sum(flt_want.values()):
        print("%s: %r %r" % (f, got, tot)); bad = 1
# -S 60: the bytes stop inside the name; the comment supplies it (UDP only)
cut = names(load("cut.json"))
if cut != {k: v for k, v in want.items() if k != "c.example.test"}:
    print("cut: %r" % cut); bad = 1
sys.exit(bad)
PY
grep -E "^ +2 +[0-9]+  [0-9:.]+(\.\.[0-9:.]+)?  a\.example\.test\$" "$WORK/ours.txt" >/dev/null ||
	fail "no text group for a.example.test: $(cat "$WORK/ours.txt")"
grep -E "^ +1 +[0-9]+  [0-9:.]+ +  dig \(pid [0-9]+, uid 0\) /usr/bin/dig" "$WORK/ours.txt" >/dev/null ||
	fail "no process line under a name: $(cat "$WORK/ours.txt")"
exit 0
