#!/bin/sh
# The send-time record (src/bpfrec.c, src/bpf/sendrec.bpf.c): a queue
# listener (tests/netns/bpfrec-probe) takes the record of each queued
# packet; every answer must name the process that sent that packet.
#  - 100 fire-and-forget UDP senders (fork, send one datagram, exit) with
#    10 ephemeral ports between them, their packets read after all exited:
#    IPv4 sendto, IPv4 connect+send, IPv6; >= 99 named right, 0 wrong
#  - one source port reused by several processes in turn (SO_REUSEADDR),
#    byte-identical datagrams, all still queued: named in send order
#  - a socket shared after fork: each packet after its sender
#  - a packet the rules let pass unqueued: its record names nobody else
#  - a record's details match /proc; without capabilities a clear reason
#  - TCP: the SYN names the client, no data segment is recorded, a SYN the
#    timer resends is not recorded, a busy process is never named
#  - ICMP echo requests name ping
#  - a second listener in another network namespace sees only its own
# Skips (77) only when the kernel cannot load or attach the programs.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
PROBE=$(dirname "$PTRAP")/../tests/netns/bpfrec-probe
[ -x "$PROBE" ] || fail "no $PROBE (make check builds it)"

ip addr add 192.0.2.1/32 dev lo
ip addr add 2001:db8::1/128 dev lo nodad
# Ten ephemeral ports for a hundred senders: 5-tuples repeat.
sysctl -q -w net.ipv4.ip_local_port_range="40000 40009"
iptables -w -t raw -A OUTPUT -d 192.0.2.1 -p udp --dport 9999 -j NFQUEUE --queue-num 7 --queue-bypass
iptables -w -t raw -A OUTPUT -d 192.0.2.1 -p tcp -m multiport --dports 8080,8081 -j NFQUEUE --queue-num 7 --queue-bypass
iptables -w -t raw -A OUTPUT -d 192.0.2.1 -p icmp --icmp-type echo-request -j NFQUEUE --queue-num 7 --queue-bypass
ip6tables -w -t raw -A OUTPUT -d 2001:db8::1 -p udp --dport 9999 -j NFQUEUE --queue-num 7 --queue-bypass

# The senders: each child of send.py sends once and exits; the parent
# prints their pids in send order.
cat >"$WORK/send.py" <<'EOF'
import os, socket, sys
mode, dest, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sport = int(sys.argv[4]) if len(sys.argv) > 4 else 0
fixed = sys.argv[5].encode() if len(sys.argv) > 5 else None
fam = socket.AF_INET6 if ":" in dest else socket.AF_INET

def sock():
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("", sport))
    return s

def send(s, i=1):
    data = fixed or b"pid=%d" % os.getpid()
    if mode == "unqueued-first" and i == 0:    # DSCP 10: not queued
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_TCLASS, 0x28)
    if mode == "connect":
        s.connect((dest, 9999))
        s.send(data)
    else:
        s.sendto(data, (dest, 9999))

if mode == "shared":
    s = sock()
    pid = os.fork()
    if pid == 0:
        send(s)
        os._exit(0)
    os.waitpid(pid, 0)
    send(s)
    print(pid)
    print(os.getpid(), flush=True)
    sys.exit(0)
for i in range(n):
    pid = os.fork()
    if pid == 0:
        s = sock()
        send(s, i)
        s.close()
        os._exit(0)
    os.waitpid(pid, 0)
    if mode != "unqueued-first" or i > 0:
        print(pid, flush=True)
EOF

# check.py OUT PIDS MIN: payload "pid=N" (or, for fixed payloads, the
# order of PIDS) says who sent each packet; at least MIN named right,
# none wrong.
cat >"$WORK/check.py" <<'EOF'
import re, sys
out, pids, need = sys.argv[1], open(sys.argv[2]).read().split(), int(sys.argv[3])
ok = wrong = other = 0
for n, line in enumerate(l for l in open(out) if l.startswith("seq=")):
    f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
    m = re.match(r"pid=(\d+)$", f.get("payload", ""))
    want = m.group(1) if m else (pids[n] if n < len(pids) else "?")
    if f["result"] != "ok":
        other += 1
    elif f["pid"] == want:
        ok += 1
    else:
        wrong += 1
        print("WRONG:", line.strip(), "expected pid", want)
print("named %d right, %d wrong, %d unnamed" % (ok, wrong, other))
sys.exit(0 if wrong == 0 and ok >= need else 1)
EOF

# start_probe NAME ARGS...: runs the probe, waits for "ready".
start_probe() {
	_n=$1; shift
	"$PROBE" "$@" >"$WORK/$_n.out" 2>"$WORK/$_n.err" &
	PROBE_PID=$!
	PIDS_TO_KILL="$PIDS_TO_KILL $PROBE_PID"
	for _ in $(seq 1 100); do
		grep -q '^ready' "$WORK/$_n.out" 2>/dev/null && return 0
		if ! kill -0 "$PROBE_PID" 2>/dev/null; then
			wait "$PROBE_PID"
			[ $? -eq 77 ] && skip "$(tail -n 1 "$WORK/$_n.err")"
			fail "probe $* exited: $(cat "$WORK/$_n.err")"
		fi
		sleep 0.05
	done
	fail "probe $* not ready"
}

stop_probe() {
	wait "$PROBE_PID" || fail "probe exited $?: $(cat "$WORK/$1.err")"
	grep -q 'all CLOEXEC: yes' "$WORK/$1.err" || fail "a BPF or queue fd is inheritable: $(cat "$WORK/$1.err")"
}

# held NAME MIN SEND-ARGS...: the packets wait in the queue until all
# senders have exited, then are read.
held() {
	_n=$1 _min=$2; shift 2
	mkfifo "$WORK/$_n.go"
	start_probe "$_n" -q 7 -u -p 9999 -w 1000 -g "$WORK/$_n.go" 192.0.2.1 2001:db8::1
	python3 "$WORK/send.py" "$@" >"$WORK/$_n.pids" || fail "senders $*"
	echo go >"$WORK/$_n.go"
	stop_probe "$_n"
	info "$_n: $(python3 "$WORK/check.py" "$WORK/$_n.out" "$WORK/$_n.pids" "$_min" | tail -n 1)"
	python3 "$WORK/check.py" "$WORK/$_n.out" "$WORK/$_n.pids" "$_min" >&2 ||
		fail "$_n: wrong or too few names; $(grep -c 'result=ok' "$WORK/$_n.out") ok of $(grep -c '^seq=' "$WORK/$_n.out")"
}

held sendto4 99 sendto 192.0.2.1 100
held connect4 99 connect 192.0.2.1 100
held sendto6 99 sendto 2001:db8::1 100
[ "$(sort "$WORK/sendto4.out" | grep -o 'sport=[0-9]*' | sort -u | wc -l)" -le 10 ] ||
	fail "the ephemeral ports did not repeat"

# One 5-tuple, byte-identical datagrams from several processes in turn,
# all queued before the first is read: only the order tells them apart.
# (IPv6: IPv4 packets differ in their identification field.)
held reuse 4 sendto 2001:db8::1 4 40100 same
held reuse-many 40 sendto 2001:db8::1 40 40101 same
# More than a flow keeps (64): the oldest name nobody, none is wrong.
held reuse-over 64 sendto 2001:db8::1 70 40105 same
held shared 2 shared 2001:db8::1 1 40102 same
# A packet the rules let pass unqueued leaves a record behind; the hook
# after the queue marks it, so the next sender on the 5-tuple (same
# bytes) is not named after it.
ip6tables -w -t raw -I OUTPUT -d 2001:db8::1 -m dscp --dscp 10 -j ACCEPT
held unqueued 2 unqueued-first 2001:db8::1 3 40104 same
[ "$(grep -c '^seq=' "$WORK/unqueued.out")" -eq 2 ] || fail "unqueued: the DSCP 10 packet was queued"

# What a record says about its sender, checked against /proc while it
# lives: a process of uid 65534 whose parent is a shell.
start_probe details -q 7 -u -p 9999 -w 1500 192.0.2.1
mkfifo "$WORK/details.hold"
# /usr/bin/python3: root's PATH may lead to a python uid 65534 cannot run
setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"pid=%d" % os.getpid(), ("192.0.2.1", 9999))
sys.stdin.read()
' <"$WORK/details.hold" &
SENDER=$!
PIDS_TO_KILL="$PIDS_TO_KILL $SENDER"
exec 3>"$WORK/details.hold"	# the sender lives until this closes
for _ in $(seq 1 100); do grep -q '^seq=' "$WORK/details.out" && break; sleep 0.05; done
line=$(grep -m 1 '^seq=' "$WORK/details.out")
start_ticks=$(sed 's/.*) //' "/proc/$SENDER/stat" | cut -d' ' -f20)
ppid=$(sed 's/.*) //' "/proc/$SENDER/stat" | cut -d' ' -f2)
cg=$(sed -n 's/^0:://p' "/proc/$SENDER/cgroup")
# no cgroup2 mount in sight (a chroot without /sys/fs/cgroup): no check,
# rather than the inode of whatever "$cg" names from /
cgmnt=$(findmnt -n -o TARGET -t cgroup2 | head -n 1)
cgid=
[ -n "$cgmnt" ] && cgid=$(stat -c %i "$cgmnt$cg" 2>/dev/null)
[ -n "$cgid" ] || info "no cgroup2 mount: the recorded cgroup id is not checked"
exec 3>&-
wait "$SENDER"
stop_probe details
python3 - "$line" "$SENDER" "$ppid" "$start_ticks" "$(getconf CLK_TCK)" "${cgid:-}" <<'EOF2' || fail "details: $line"
import sys
line, pid, ppid, ticks, hz, cgid = sys.argv[1:]
f = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
want = {"result": "ok", "pid": pid, "tid": pid, "ppid": ppid, "uid": "65534",
        "sock_uid": "65534", "comm": "python3"}
bad = [k for k, v in want.items() if f.get(k) != v]
if int(f["start"]) * int(hz) // 10**9 != int(ticks):
    bad.append("start")
if cgid and f["cgroup"] != cgid:
    bad.append("cgroup")
sys.exit("wrong: %s" % ", ".join(bad) if bad else 0)
EOF2
info "details: pid, tid, ppid, uid, socket uid, comm, start time and cgroup as /proc says"

# Without CAP_BPF and friends the open fails with a reason, not a crash.
setpriv --inh-caps=-all --bounding-set=-all "$PROBE" -q 8 -u 192.0.2.1 \
	>/dev/null 2>"$WORK/nocaps.err" && fail "the probe opened bpfrec without capabilities"
grep -q 'needs CAP_BPF and CAP_PERFMON' "$WORK/nocaps.err" ||
	fail "no capabilities: $(cat "$WORK/nocaps.err")"

# The listener reading as packets come, and without any capability.
start_probe live -q 7 -u -p 9999 -w 1000 -D 192.0.2.1
python3 "$WORK/send.py" sendto 192.0.2.1 30 40103 same >"$WORK/live.pids" || fail "senders"
stop_probe live
python3 "$WORK/check.py" "$WORK/live.out" "$WORK/live.pids" 30 >&2 ||
	fail "live: wrong or too few names (capabilities dropped)"

# TCP: a bulk transfer, a busy process on the same CPU, and a SYN held
# long enough for the timer to resend it.
python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("192.0.2.1", 8080)); s.listen(8)
c, _ = s.accept()
while c.recv(1 << 16): pass
' &
SERVER=$!
PIDS_TO_KILL="$PIDS_TO_KILL $SERVER"
taskset -c 0 python3 -c 'while True: pass' &
BUSY=$!
PIDS_TO_KILL="$PIDS_TO_KILL $BUSY"
start_probe tcp -q 7 -t -p 8080-8081 -w 1500 192.0.2.1
sleep 0.2
taskset -c 0 python3 -c '
import os, socket
print(os.getpid(), flush=True)
s = socket.create_connection(("192.0.2.1", 8080))
s.sendall(b"x" * (16 << 20)); s.close()
' >"$WORK/tcp.pids" || fail "TCP client"
wait "$SERVER"
stop_probe tcp
CLIENT=$(cat "$WORK/tcp.pids")
syn=$(grep -c 'tcp_flags=0x02 result=ok pid='"$CLIENT"' ' "$WORK/tcp.out")
[ "$syn" -eq 1 ] || fail "TCP: the SYN is not named after the client $CLIENT: $(grep 'tcp_flags=0x02' "$WORK/tcp.out")"
grep -v 'tcp_flags=0x02 ' "$WORK/tcp.out" | grep -q 'result=ok' &&
	fail "TCP: a segment other than the SYN has a record: $(grep -v 'tcp_flags=0x02 ' "$WORK/tcp.out" | grep -m 3 'result=ok')"
grep -q "pid=$BUSY " "$WORK/tcp.out" && fail "TCP: the busy process $BUSY is named"
info "tcp: $(grep -c '^seq=' "$WORK/tcp.out") segments, the SYN named $CLIENT, no other record"

# A SYN that leaves the host and is lost is resent by the timer, in
# softirq (TCP does not resend while the first one is still held).
iptables -w -A OUTPUT -d 192.0.2.1 -p tcp --dport 8081 -j DROP
start_probe syn -q 7 -t -p 8080-8081 -w 2500 192.0.2.1
taskset -c 0 python3 -c '
import os, socket
print(os.getpid(), flush=True)
try: socket.create_connection(("192.0.2.1", 8081), timeout=3.5)
except OSError: pass
' >"$WORK/syn.pids" || fail "SYN client"
stop_probe syn
kill "$BUSY"
syns=$(grep -c 'tcp_flags=0x02 ' "$WORK/syn.out")
[ "$syns" -ge 2 ] || fail "TCP: no resent SYN: $(cat "$WORK/syn.out")"
[ "$(grep -c 'tcp_flags=0x02 result=ok pid='"$(cat "$WORK/syn.pids")"' ' "$WORK/syn.out")" -eq 1 ] &&
	[ "$(grep 'tcp_flags=0x02 ' "$WORK/syn.out" | grep -c 'result=ok')" -eq 1 ] ||
	fail "TCP: a resent SYN has a record: $(grep 'tcp_flags=0x02 ' "$WORK/syn.out")"
info "tcp: $syns SYNs, the first named, the ones the timer resent not recorded"

# ICMP: ping's echo requests.
start_probe icmp -q 7 -i -w 1000 192.0.2.1
ping -n -q -c 3 -i 0.2 192.0.2.1 >/dev/null &
PING=$!
wait "$PING"
stop_probe icmp
[ "$(grep -c "result=ok pid=$PING " "$WORK/icmp.out")" -eq 3 ] ||
	fail "ICMP: echo requests not named after ping $PING: $(cat "$WORK/icmp.out")"

# A second listener in its own network namespace, with the same queue
# number, while ours runs: each names only its own senders.
start_probe outer -q 7 -u -p 9999 -w 6000 -n 10 192.0.2.1
unshare -n sh -c '
	ip link set lo up && ip addr add 192.0.2.1/32 dev lo &&
	iptables -w -t raw -A OUTPUT -d 192.0.2.1 -p udp --dport 9999 -j NFQUEUE --queue-num 7 &&
	{ "$1" -q 7 -u -p 9999 -w 1000 192.0.2.1 >"$2/inner.out" 2>"$2/inner.err" & p=$!; } &&
	for _ in $(seq 1 100); do grep -q ^ready "$2/inner.out" 2>/dev/null && break; sleep 0.05; done &&
	python3 "$2/send.py" sendto 192.0.2.1 10 >"$2/inner.pids" && wait $p' sh "$PROBE" "$WORK" ||
	fail "inner namespace: $(cat "$WORK/inner.err")"
python3 "$WORK/send.py" sendto 192.0.2.1 10 >"$WORK/outer.pids"
stop_probe outer
python3 "$WORK/check.py" "$WORK/inner.out" "$WORK/inner.pids" 10 >&2 || fail "inner namespace: wrong names"
python3 "$WORK/check.py" "$WORK/outer.out" "$WORK/outer.pids" 10 >&2 || fail "outer namespace: wrong names"
[ "$(grep -c '^seq=' "$WORK/outer.out")" -eq 10 ] || fail "outer listener saw the inner namespace's packets"
exit 0
