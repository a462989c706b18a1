#!/bin/sh
# Two ptraps side by side on different queues and ports each see only their
# own traffic.  Where they overlap (port 1003 is in both), iptables gives
# the packet to the instance whose jump comes first in raw OUTPUT only: its
# queue's accept verdict ends the raw table's OUTPUT traversal.  kill -9 of
# one leaves the other working; restarting the dead one removes only the
# dead one's rules (the survivor's chain and jump are untouched).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python

QA=4311 QB=4312
cat >"$WORK/send.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(os.getpid(), flush=True)
s.sendto(b"ptrap-instances", (sys.argv[1], int(sys.argv[2])))
s.settimeout(0.5)
try:
    s.recv(100)
except OSError:
    pass
PY
queued() {
	awk -v q="$1" '$1 == q { print $8 }' /proc/net/netfilter/nfnetlink_queue
}
reports() {	# reports FILE PID
	grep -c "\"type\":\"packet\".*\"pid\":$2[,}]" "$1"
}
# send PORT WANT_A WANT_B: one datagram; how many reports each must print
send() {
	_a0=$(queued $QA) _b0=$(queued $QB)
	_pid=$(python3 "$WORK/send.py" $DNS4 "$1") || fail "sender to port $1 failed"
	sleep 0.1
	_na=0 _nb=0
	[ -f "$WORK/$A.out" ] && _na=$(reports "$WORK/$A.out" "$_pid")
	_nb=$(reports "$WORK/$B.out" "$_pid")
	_a1=$(queued $QA)
	info "port $1: A reported $_na (queue +$((${_a1:-0} - ${_a0:-0}))), B $_nb (queue +$(($(queued $QB) - _b0)))"
	[ "$_na" -eq "$2" ] || fail "port $1: A ($A) reported it $_na times, expected $2"
	[ "$_nb" -eq "$3" ] || fail "port $1: B ($B) reported it $_nb times, expected $3"
}

A=a1 B=b
start_ptrap a1 -u -j -n 0 --queue-num $QA -i $DNS4 -p 1001,1003
PID_A=$PTRAP_PID
start_ptrap b -u -j -n 0 --queue-num $QB -i $DNS4 -p 1002,1003
PID_B=$PTRAP_PID
backend=iptables
grep -q "backend nft" "$WORK/b.err" && backend=nft
# B starts after A: it names A, the listener of the other queue; A
# started alone and says nothing of the kind
grep -q "warning: NFQUEUE $QA is bound too, by ptrap (pid $PID_A); " "$WORK/b.err" ||
	fail "B does not name A as another listener: $(cat "$WORK/b.err")"
if [ $backend = iptables ]; then
	grep -q "this ptrap may never see it" "$WORK/b.err" || fail "B: no word of the rule order"
fi
grep -q "is bound too" "$WORK/a1.err" && fail "A warned of a listener: $(cat "$WORK/a1.err")"

send 1001 1 0
send 1002 0 1
if [ $backend = iptables ]; then
	# A's jump is first in raw OUTPUT: A alone sees the shared port
	send 1003 1 0
else
	# each nft table is a hook of its own: both see it
	send 1003 1 1
fi

snap_b() {
	{ iptables -w -t raw -S PTRAP_$QB; iptables -w -t raw -S OUTPUT | grep "PTRAP_$QB\$"
	  nft list table inet ptrap_$QB; } 2>/dev/null
}
snap_b >"$WORK/b.before"
[ -s "$WORK/b.before" ] || fail "no rules of instance B found"

kill -9 $PID_A
wait $PID_A 2>/dev/null
A=none
send 1002 0 1
send 1001 0 0

# Restart A: it removes its own leftovers, and nothing of B's.
start_ptrap a2 -u -j -n 0 --queue-num $QA -i $DNS4 -p 1001,1003
PID_A=$PTRAP_PID
A=a2
if [ $backend = iptables ]; then
	grep -q "removed rules a dead ptrap left" "$WORK/a2.err" ||
		fail "restart did not remove the dead instance's rules"
	[ "$(iptables -w -t raw -S OUTPUT | grep -c "PTRAP_$QA\$")" -eq 1 ] ||
		fail "queue $QA: not exactly one jump after the restart"
fi
snap_b >"$WORK/b.after"
diff -u "$WORK/b.before" "$WORK/b.after" >&2 || fail "instance B's rules changed"
send 1001 1 0
send 1002 0 1
if [ $backend = iptables ]; then
	# B's jump now comes first
	send 1003 0 1
fi
PTRAP_PID=$PID_A
stop_ptrap INT
PTRAP_PID=$PID_B
stop_ptrap INT
[ -z "$(ptrap_rules)" ] || fail "rules left: $(ptrap_rules)"

# A listener that is not ptrap: a process binding queue 4313 over netlink
# (NFQNL_MSG_CONFIG, NFQNL_CFG_CMD_BIND) and waiting.
python3 - 4313 >"$WORK/binder.out" 2>&1 <<'PY' &
import os, socket, struct, sys, time
q = int(sys.argv[1])
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)	# NETLINK_NETFILTER
s.bind((0, 0))
cmd = struct.pack("=HH", 8, 1) + struct.pack("=BBH", 1, 0, 0)	# NFQA_CFG_CMD: BIND
body = struct.pack("=BBH", 0, 0, socket.htons(q)) + cmd	# nfgenmsg
hdr = struct.pack("=IHHII", 16 + len(body), (3 << 8) | 2, 1 | 4, 1, 0)
s.send(hdr + body)
ack = s.recv(4096)
err = struct.unpack("=i", ack[16:20])[0]
print("bound" if err == 0 else "error %d" % err, flush=True)
time.sleep(30)
PY
BINDER=$!
PIDS_TO_KILL="$PIDS_TO_KILL $BINDER"
for _ in $(seq 1 50); do
	grep -q . "$WORK/binder.out" && break
	sleep 0.1
done
grep -qx bound "$WORK/binder.out" || fail "could not bind queue 4313: $(cat "$WORK/binder.out")"
start_ptrap c -u -j -n 0 --queue-num $QB -i $DNS4 -p 1002
grep -q "warning: NFQUEUE 4313 is bound too, by python3 (pid $BINDER); " "$WORK/c.err" ||
	fail "the python3 listener is not named: $(cat "$WORK/c.err")"
stop_ptrap INT
kill $BINDER
exit 0
