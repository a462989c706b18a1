#!/bin/sh
# --name: among mixed queries exactly the matching ones are reported (and
# get the hook); the others are accepted at once (their digs get answers)
# and counted as not reported.  Patterns: *.example.test (below it, any
# depth, any case) and an exact name given twice over two options.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
start_dnsmasq

start_ptrap flt -u -t -i $DNS4 -p 53 -j --name '*.example.test' \
	--name exact.other.test -e 'printf "%s\n" "hook $PTRAP_QNAME"; :'
for q in a.example.test example.test b.c.example.test other.test \
	 MiXeD.Example.TEST exact.other.test not-exact.other.test \
	 xexample.test example.test.evil; do
	dig @$DNS4 "$q" +time=3 +tries=1 >"$WORK/dig.$q" 2>&1 ||
		fail "dig $q got no answer (not accepted?): $(cat "$WORK/dig.$q")"
done
dig @$DNS4 tcp.example.test +tcp +short +time=3 +tries=1 >/dev/null ||
	fail "dig +tcp failed"
kill -USR1 "$PTRAP_PID"
sleep 0.5
stop_ptrap INT

python3 - "$WORK/flt.out" <<'PY' || fail "--name reports (see above)"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
pk = [e for e in ev if e["type"] == "packet"]
names = [e["dns"]["qname"] for e in pk]
want = ["a.example.test", "b.c.example.test", "MiXeD.Example.TEST",
        "exact.other.test", "tcp.example.test"]
bad = 0
if names != want:
    print("reported %r\nexpected %r" % (names, want)); bad = 1
hooks = sorted(e["output"] for e in ev if e["type"] == "hook")
if hooks != sorted("hook %s\n" % n for n in want):
    print("hooks: %r" % hooks); bad = 1
st = [e for e in ev if e["type"] == "stats"]
# 5 unmatched UDP queries, and the TCP handshake and teardown segments
if len(st) != 1 or st[0]["name_filtered"] < 5:
    print("stats: %r" % st); bad = 1
sys.exit(bad)
PY

# A bad pattern is a usage error, said in one line.
"$PTRAP" -u -i $DNS4 --name 'a.*.test' >"$WORK/bad.out" 2>&1
rc=$?
[ "$rc" -eq 2 ] || fail "--name 'a.*.test' exited $rc, expected 2"
grep -q "invalid name pattern 'a.\*.test' for --name" "$WORK/bad.out" ||
	fail "no message for a bad pattern: $(cat "$WORK/bad.out")"
exit 0
