#!/bin/sh
# 50 parallel `dig +tcp`: every one answered and reported with its own PID.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
# pstree -l: long lines, so a deep process tree never truncates "dig(PID)".
netns_enter "$@"
need_python
start_dnsmasq

# Every segment of a connection is trapped and runs its own pstree (-c, SYN
# only, comes with the matching options): 50 connections make ~250 hooks,
# seconds of CPU on 2 cores, hence the long dig timeout.  The hold stays at
# its default (500 ms), below TCP's initial retransmission timeout (1 s):
# holding longer makes the sender retransmit, and the late duplicates
# confuse the peer (seen as resets).
# Fewer under the sanitizers: ptrap is several times slower there.
N=${PTRAP_SANITIZED:+20}
N=${N:-50}
start_ptrap tcp -t -i $DNS4 -p 53 --max-hooks 256 -j -e "pstree -p -l -H"
# +tries=2: under a heavily loaded CI machine about one connection in a
# hundred was reset (segments held past TCP's retransmission timeout); dig
# then retries with the same PID, which is what this test checks.
run_digs $N 192.0.2.1 +tcp @$DNS4 example.test +time=20 +tries=2
sleep 0.5
stop_ptrap INT

python3 - "$WORK/tcp.out" $DIG_PIDS <<'PY' || fail "report check failed"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1])]
digs = set(int(p) for p in sys.argv[2:])
bad = 0
for pid in digs:
    mine = [e for e in events if e["type"] == "packet" and e["pid"] == pid]
    if not mine or any(e["comm"] != "dig" or e["proto"] != "tcp" or e["dport"] != 53 for e in mine):
        print("dig pid %d: reports %r" % (pid, mine)); bad += 1
    hooks = [e for e in events if e["type"] == "hook" and e["pid"] == pid]
    if not any(("dig(%d)" % pid) in h["output"] for h in hooks):
        print("dig pid %d: no hook saw it alive" % pid); bad += 1
# Every trapped packet belongs to one of our digs (a connection has several),
# except the last ACKs a closed connection sends from TIME-WAIT: no process
# owns those any more, and the report must say exactly that.
# The same goes for a FIN sent after dig exited ("no process holds the
# socket"): allowed only on a port one of our digs was seen using.
dig_ports = {e["sport"] for e in events if e["type"] == "packet" and e["pid"] in digs}
stray = [e for e in events if e["type"] == "packet" and e["pid"] not in digs
         and not (e["pid"] is None and e["sport"] in dig_ports
                  and ("time-wait" in e["problem"] or "no process holds" in e["problem"]))]
if stray:
    print("stray reports: %r" % stray[:3]); bad += 1
sys.exit(1 if bad else 0)
PY
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
