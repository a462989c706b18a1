#!/bin/sh
# IPv6: 50 parallel digs (UDP) and 10 over TCP to dnsmasq on 2001:db8::53.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
# pstree -l: long lines, so a deep process tree never truncates "dig(PID)".
netns_enter "$@"
need_python
start_dnsmasq

# UDP: a long hold, so that even on a loaded machine every hook's pstree
# runs while its dig still waits for the held query.
# Fewer under the sanitizers: ptrap is several times slower there.
N=${PTRAP_SANITIZED:+20}
N=${N:-50}
start_ptrap v6udp -u -i $DNS6 -p 53 --max-hooks 256 -s 5000 -j -e "pstree -p -l -H"
run_digs $N 2001:db8::1 @$DNS6 example.test AAAA +time=20 +tries=2
sleep 0.5
stop_ptrap INT
# TCP: the default hold (below TCP's 1 s initial RTO; see dig-tcp.sh).
start_ptrap v6tcp -t -i $DNS6 -p 53 --max-hooks 256 -j -e "pstree -p -l -H"
run_digs 10 2001:db8::1 +tcp @$DNS6 example.test AAAA +time=20 +tries=2
sleep 0.5
stop_ptrap INT
cat "$WORK/v6udp.out" "$WORK/v6tcp.out" >"$WORK/v6.out"

python3 - "$WORK/v6.out" $N $DIG_PIDS <<'PY' || fail "report check failed"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
n_udp = int(sys.argv[2])
digs = [int(p) for p in sys.argv[3:]]
bad = 0
for n, pid in enumerate(digs):
    proto = "udp" if n < n_udp else "tcp"
    mine = [e for e in events if e["type"] == "packet" and e["pid"] == pid]
    if not mine or any(e["comm"] != "dig" or e["proto"] != proto or e["dst"] != "2001:db8::53" for e in mine):
        print("dig pid %d (%s): reports %r" % (pid, proto, mine)); bad += 1
    hooks = [e for e in events if e["type"] == "hook" and e["pid"] == pid]
    if not any(("dig(%d)" % pid) in h["output"] for h in hooks):
        print("dig pid %d: no hook saw it alive" % pid); bad += 1
sys.exit(1 if bad else 0)
PY
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
