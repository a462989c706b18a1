#!/bin/sh
# 50 parallel digs over UDP/IPv4 to dnsmasq: every one gets its answer, is
# reported with its own PID and comm, and its hook (pstree) sees it alive.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
# pstree -l: long lines, so a deep process tree never truncates "dig(PID)".
netns_enter "$@"
need_python
start_dnsmasq

# Fewer under the sanitizers: ptrap is several times slower there.
N=${PTRAP_SANITIZED:+20}
N=${N:-50}
start_ptrap udp -u -i $DNS4 -p 53 --max-hooks 64 -s 5000 -j -e "pstree -p -l -H"

# +tries=2: on a CI machine saturated by the sanitizer pass, a UDP query
# was seen to go unanswered once in several hundred runs (not yet
# explained; the failure message shows what ptrap reported for that pid).
run_digs $N 192.0.2.1 @$DNS4 example.test +time=20 +tries=2
sleep 0.5	# last hooks finish
stop_ptrap INT

python3 - "$WORK/udp.out" $DIG_PIDS <<'PY' || fail "report check failed (see above)"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
digs = [int(p) for p in sys.argv[2:]]
pk = {e["pid"]: e for e in events if e["type"] == "packet"}
hooks = {e["pid"]: e for e in events if e["type"] == "hook"}
bad = 0
for pid in digs:
    e = pk.get(pid)
    if not e or e["comm"] != "dig" or e["proto"] != "udp" or e["dport"] != 53 \
       or e["dst"] != "192.0.2.53" or e["exe"] != "/usr/bin/dig" or e["cmdline"][0] != "dig":
        print("dig pid %d: no matching packet report: %r" % (pid, e)); bad += 1; continue
    h = hooks.get(pid)
    if not h or h["exit_status"] != 0 or ("dig(%d)" % pid) not in h["output"]:
        print("dig pid %d: hook output does not show it alive: %r" % (pid, h)); bad += 1
others = [e for e in events if e["type"] == "packet" and e["pid"] not in digs]
if others:
    print("reports for processes that are not our digs: %r" % others[:3]); bad += 1
print("# %d digs, %d packet reports, %d hook reports" % (len(digs), len(pk), len(hooks)))
sys.exit(1 if bad else 0)
PY

# The legacy command line, text output: the greppable prefix with PID and comm.
start_ptrap legacy -u -i $DNS4 -p 53 -e "pstree -p -H"
dig @$DNS4 example.test +short +time=5 +tries=1 >"$WORK/dig.legacy" &
dpid=$!
wait $dpid || fail "dig under the legacy command line failed"
sleep 0.3
stop_ptrap TERM
grep -E "^\[[0-9]{4}-[0-9]{2}-[0-9]{2}, [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}\] PROCESS REQUEST CAPTURED\. Matching PID: $dpid comm=dig uid=0 exe=/usr/bin/dig udp 192\.0\.2\.53:[0-9]+ -> 192\.0\.2\.53:53 user=root group=root( [a-z_]+=[^ ]+)* chain=\"dig\($dpid\) < [^\"]*\"( [a-z_]+=[^ ]+)* dns A\? example\.test$" \
	"$WORK/legacy.out" >/dev/null || { cat "$WORK/legacy.out"; fail "legacy text line missing for dig $dpid"; }
# (pstree cuts lines at 132 columns: the exact PID check is the JSON one above)
grep -q -e "---" -e "-+-" "$WORK/legacy.out" || fail "no pstree output after the report"
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
