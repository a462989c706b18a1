#!/bin/sh
# All matching happens in the kernel: packets that differ from the trap in
# one thing only (port, address, outgoing interface, owner uid) are sent
# but never queued (the queue's id_sequence in
# /proc/net/netfilter/nfnetlink_queue does not move, ptrap reports
# nothing), while matching ones are queued and reported with their PID.
# Also: -o with an interface that does not exist is a usage error (2)
# that installs nothing.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
command -v setpriv >/dev/null || skip "setpriv missing"
# a python another uid may run (not one under root's home)
SYS_PYTHON=/usr/bin/python3
[ -x $SYS_PYTHON ] || skip "$SYS_PYTHON missing"

Q=4301
# A dummy interface, or one end of a veth pair where dummy is not built.
if ! ip link add d0 type dummy 2>/dev/null; then
	ip link add d0 type veth peer name d0peer || skip "no dummy or veth interfaces"
	sysctl -qw net.ipv6.conf.d0peer.disable_ipv6=1
	ip link set d0peer up
fi
# no IPv6 chatter (MLD, router solicitations): d0's tx count is ours alone
sysctl -qw net.ipv6.conf.d0.disable_ipv6=1
ip addr add 198.51.100.1/24 dev d0
ip link set d0 up
# no ARP wait: packets to these leave at once
ip neigh replace 198.51.100.2 lladdr 02:00:00:00:00:02 dev d0 nud permanent
ip neigh replace 198.51.100.3 lladdr 02:00:00:00:00:03 dev d0 nud permanent

# -o must name an existing interface; nothing is installed otherwise.
"$PTRAP" -u -i 198.51.100.2 -o d0,nosuch9 --queue-num $Q >"$WORK/bad.out" 2>"$WORK/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "-o nosuch9: exit $rc, expected 2"
[ "$(cat "$WORK/bad.err")" = "ptrap: no such interface 'nosuch9' for -o
Try 'ptrap --help' for more information." ] ||
	fail "-o nosuch9: message '$(cat "$WORK/bad.err")'"
[ -z "$(ptrap_rules)" ] || fail "rules left after a bad -o: $(ptrap_rules)"

# send_udp ADDR PORT [UID]: one datagram from a fresh process; prints its pid
cat >"$WORK/send.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print(os.getpid(), flush=True)
s.sendto(b"ptrap-match", (sys.argv[1], int(sys.argv[2])))
# stay alive while ptrap looks for the sender, as a real client would
s.settimeout(0.5)
try:
    s.recv(100)
except OSError:
    pass
EOF
send_udp() {
	if [ -n "${3:-}" ]; then
		# the script on stdin: $WORK is not readable for that uid
		setpriv --reuid="$3" --regid="$3" --clear-groups \
			"$SYS_PYTHON" - "$1" "$2" <"$WORK/send.py"
	else
		python3 "$WORK/send.py" "$1" "$2"
	fi
}

# The queue's id_sequence: how many packets were ever queued to it.
queued() {
	awk -v q=$Q '$1 == q { print $8 }' /proc/net/netfilter/nfnetlink_queue
}
# /proc/net/dev is per namespace (/sys/class/net is not, after unshare -n)
tx_d0() { awk -F'[: ]+' '$2 == "d0" { print $12 }' /proc/net/dev; }

start_ptrap m -u -j --queue-num $Q -i 198.51.100.2,$DNS4 -p 53 -o d0 --uid 0 -n 0
[ -n "$(queued)" ] || fail "queue $Q not in /proc/net/netfilter/nfnetlink_queue"

# expect_queued N DESC ADDR PORT [UID]
expect() {
	_want=$1 _desc=$2; shift 2
	_q0=$(queued) _t0=$(tx_d0)
	_pid=$(send_udp "$@") || fail "$_desc: sender failed"
	sleep 0.1
	_q1=$(queued) _t1=$(tx_d0)
	info "$_desc: queued +$((_q1 - _q0)), d0 tx +$((_t1 - _t0))"
	[ $((_q1 - _q0)) -eq "$_want" ] ||
		fail "$_desc: queued $((_q1 - _q0)) packets, expected $_want"
	_n=$(grep -c "\"type\":\"packet\".*\"pid\":$_pid[,}]" "$WORK/m.out")
	[ "$_n" -eq "$_want" ] || fail "$_desc: $_n reports of pid $_pid, expected $_want"
	LAST_TX=$((_t1 - _t0))
}

expect 1 "match (d0, uid 0, 198.51.100.2:53)" 198.51.100.2 53
[ "$LAST_TX" -eq 1 ] || fail "the matching packet did not leave through d0"
expect 0 "another port" 198.51.100.2 54
[ "$LAST_TX" -eq 1 ] || fail "the other-port packet was not sent"
expect 0 "another address" 198.51.100.3 53
[ "$LAST_TX" -eq 1 ] || fail "the other-address packet was not sent"
expect 0 "another interface (lo)" $DNS4 53
[ "$LAST_TX" -eq 0 ] || fail "the packet to $DNS4 left through d0"
expect 0 "another uid (nobody)" 198.51.100.2 53 65534
[ "$LAST_TX" -eq 1 ] || fail "nobody's packet was not sent"
expect 1 "match again" 198.51.100.2 53
grep -q '"pid":' "$WORK/m.out" || fail "no reports at all"
stop_ptrap INT
[ -z "$(ptrap_rules)" ] || fail "rules left: $(ptrap_rules)"

# Without -o and --uid, the other interface and the other uid are trapped.
start_ptrap all -u -j --queue-num $Q -i 198.51.100.2,$DNS4 -p 53 -n 0
cp "$WORK/all.out" "$WORK/m.out.all"
expect_all() {
	_q0=$(queued)
	_pid=$(send_udp "$@") || fail "sender failed"
	sleep 0.1
	[ $(($(queued) - _q0)) -eq 1 ] || fail "without -o/--uid, $* was not queued"
	grep -q "\"pid\":$_pid[,}]" "$WORK/all.out" || fail "without -o/--uid, $* not reported"
}
expect_all $DNS4 53
expect_all 198.51.100.2 53 65534
stop_ptrap INT

# Guarded jumps (-o, --uid) left by kill -9 are found and removed by the
# next start, even one with other options.
start_ptrap crash -u --queue-num $Q -i 198.51.100.2 -p 53 -o d0,lo --uid 0,65534
kill -9 $PTRAP_PID
wait $PTRAP_PID 2>/dev/null
n=$(iptables -w -t raw -S OUTPUT | grep -c "PTRAP_$Q\$")
[ "$n" -eq 4 ] || info "after kill -9: $n guarded jumps (4 expected with iptables)"
start_ptrap again -u --queue-num $Q -i 198.51.100.2 -p 53
[ "$(iptables -w -t raw -S OUTPUT | grep -c "PTRAP_$Q\$")" -le 1 ] ||
	fail "guarded jumps of the dead instance left: $(iptables -w -t raw -S OUTPUT)"
stop_ptrap INT
[ -z "$(ptrap_rules)" ] || fail "rules left after kill -9 and restart: $(ptrap_rules)"
exit 0
