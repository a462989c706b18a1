#!/bin/sh
# ptrap with the send-time record (src/bpfrec.c through the resolver):
# senders that have exited by the time ptrap reads their packets are named
# with their own PID, and reported "exited".  ptrap is stopped (SIGSTOP)
# while the senders run, so every packet waits in the queue until its
# sender is gone.
#  - 100 fire-and-forget UDP senders (fork, bind, one datagram, close,
#    exit) with 10 ephemeral ports between them: IPv4 sendto, IPv4
#    connect()+send(), IPv6: >= 99 named right, 0 wrong; "exited" in
#    JSON, in the pcapng comment (tshark) and in the text report
#  - one 5-tuple used in turn by several processes with the same bytes;
#    the same with the same pid number inside a pid namespace
#    (ns_last_pid): each packet named after its own sender
#  - a socket shared after fork: each packet after its sender
#  - a TCP bulk transfer while a busy process runs: no report names the
#    busy one
#  - two ptraps in two network namespaces, each naming its own senders
#  - the one line at start without the record: --no-bpf, no
#    capabilities, a pid namespace; live senders still named from /proc
# Skips (77) only when the kernel cannot load or attach the programs.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
command -v tshark >/dev/null || fail "tshark missing (tests/install-deps)"

ip addr add 192.0.2.1/32 dev lo
ip addr add 2001:db8::1/128 dev lo nodad
# Ten ephemeral ports for a hundred senders: 5-tuples repeat.
sysctl -q -w net.ipv4.ip_local_port_range="40000 40009"
Q=4711

# The senders: each child sends once and exits; the parent prints the
# children's pids in send order (the queue's order).
cat >"$WORK/send.py" <<'EOF'
import os, socket, sys
mode, dest, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
sport = int(sys.argv[4]) if len(sys.argv) > 4 else 0
fixed = sys.argv[5].encode() if len(sys.argv) > 5 else None
fam = socket.AF_INET6 if ":" in dest else socket.AF_INET

def host_pid():
    # /proc is the host's: NSpid starts with the pid ptrap sees
    for line in open("/proc/self/status"):
        if line.startswith("NSpid:"):
            return int(line.split()[1])
    return os.getpid()

def sock():
    s = socket.socket(fam, socket.SOCK_DGRAM)
    if sport:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", sport))
    return s

def send(s):
    data = fixed or b"pid=%d" % os.getpid()
    if mode == "connect":
        s.connect((dest, 9999))
        s.send(data)
    else:
        s.sendto(data, (dest, 9999))

if mode == "shared":
    s = sock()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        send(s)
        os.write(w, b"%d\n" % host_pid())
        os._exit(0)
    child = os.read(r, 64).decode().strip()
    os.waitpid(pid, 0)
    send(s)
    print(child)
    print(host_pid(), flush=True)
    sys.exit(0)
last = None
for i in range(n):
    if mode == "nspid" and last:
        # the next child gets the pid number the last one had
        with open("/proc/sys/kernel/ns_last_pid", "w") as f:
            f.write(str(last - 1))
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        s = sock()
        send(s)
        s.close()
        os.write(w, b"%d %d\n" % (host_pid(), os.getpid()))
        os._exit(0)
    os.close(w)
    hp, nsp = os.read(r, 64).decode().split()
    os.close(r)
    os.waitpid(pid, 0)
    if mode == "nspid" and last and int(nsp) != last:
        sys.exit("ns_last_pid: got pid %s, wanted %d" % (nsp, last))
    last = int(nsp)
    print(hp, flush=True)
EOF

# check.py JSON PIDS MIN: the n-th report is the n-th sender's; at least
# MIN of them named right and exited, none named wrong.
cat >"$WORK/check.py" <<'EOF'
import json, sys
out, pids, need = sys.argv[1], open(sys.argv[2]).read().split(), int(sys.argv[3])
ok = wrong = other = alive = 0
reps = [json.loads(l) for l in open(out) if l.startswith('{"type":"packet"')]
for n, r in enumerate(reps):
    want = int(pids[n]) if n < len(pids) else None
    if r["pid"] is None:
        other += 1
    elif r["pid"] == want:
        ok += 1
        if not r.get("exited"):
            alive += 1
    else:
        wrong += 1
        print("WRONG:", json.dumps(r), "expected pid", want)
print("%d reports for %d senders: %d named right (%d of them not exited), "
      "%d wrong, %d unnamed" % (len(reps), len(pids), ok, alive, wrong, other))
sys.exit(0 if wrong == 0 and ok - alive >= need and len(reps) == len(pids) else 1)
EOF

# held NAME MIN PTRAP-ARGS -- SEND-ARGS...: ptrap stopped while the
# senders run, then let go; its JSON reports checked.
held() {
	_n=$1 _min=$2; shift 2
	_pargs=""
	while [ "$1" != "--" ]; do _pargs="$_pargs $1"; shift; done
	shift
	# shellcheck disable=SC2086
	start_ptrap "$_n" -j -n 0 --queue-num $Q -u -p 9999 -i 192.0.2.1,2001:db8::1 $_pargs
	grep -q 'send-time record off' "$WORK/$_n.err" && {
		grep -q 'kernel has no BPF netfilter\|kernel has no BTF' "$WORK/$_n.err" &&
			skip "$(grep -m 1 'send-time record off' "$WORK/$_n.err")"
		fail "$_n: the record is off: $(grep 'send-time record off' "$WORK/$_n.err")"
	}
	kill -STOP "$PTRAP_PID"
	"$@" >"$WORK/$_n.pids" || { kill -CONT "$PTRAP_PID"; fail "senders $*"; }
	kill -CONT "$PTRAP_PID"
	_want=$(wc -l <"$WORK/$_n.pids")
	for _ in $(seq 1 200); do
		[ "$(grep -c '"type":"packet"' "$WORK/$_n.out")" -ge "$_want" ] && break
		sleep 0.05
	done
	stop_ptrap INT
	info "$_n: $(python3 "$WORK/check.py" "$WORK/$_n.out" "$WORK/$_n.pids" "$_min" | tail -n 1)"
	python3 "$WORK/check.py" "$WORK/$_n.out" "$WORK/$_n.pids" "$_min" >&2 ||
		fail "$_n: wrong or too few names"
}

held sendto4 99 -w "$WORK/sendto4.pcapng" -- python3 "$WORK/send.py" sendto 192.0.2.1 100
[ "$(grep -o '"sport":[0-9]*' "$WORK/sendto4.out" | sort -u | wc -l)" -le 10 ] ||
	fail "the ephemeral ports did not repeat"
n=$(tshark -r "$WORK/sendto4.pcapng" -Y 'frame.comment contains "Exited: yes"' 2>/dev/null | wc -l)
[ "$n" -ge 99 ] || fail "sendto4: $n packet comments say 'Exited: yes', expected >= 99"
first=$(head -n 1 "$WORK/sendto4.pids")
tshark -r "$WORK/sendto4.pcapng" -T fields -e frame.comment 2>/dev/null | head -n 1 |
	grep -q "PID: $first\\\\n.*Comm: python3\\\\n.*Exited: yes" ||
	fail "sendto4: the first comment is not pid $first's: $(tshark -r "$WORK/sendto4.pcapng" -T fields -e frame.comment 2>/dev/null | head -n 1)"
held connect4 99 -- python3 "$WORK/send.py" connect 192.0.2.1 100
held sendto6 99 -- python3 "$WORK/send.py" sendto 2001:db8::1 100

# One 5-tuple, byte-identical datagrams, several processes in turn, all
# queued before the first is read: only the order tells them apart.
held reuse 20 -- python3 "$WORK/send.py" sendto 2001:db8::1 20 40100 same
held shared 1 -- python3 "$WORK/send.py" shared 2001:db8::1 1 40102 same
# The same pid number (in a pid namespace) on the same 5-tuple, in turn.
if unshare --pid --fork true 2>/dev/null; then
	held nspid 5 -- unshare --pid --fork python3 "$WORK/send.py" nspid 2001:db8::1 5 40103 same
else
	info "nspid: no pid namespaces here, not tested"
fi

# The text report says it too.
start_ptrap text -n 0 --queue-num $Q -u -p 9999 -i 192.0.2.1
kill -STOP "$PTRAP_PID"
python3 "$WORK/send.py" sendto 192.0.2.1 3 >"$WORK/text.pids" || fail "senders"
kill -CONT "$PTRAP_PID"
for _ in $(seq 1 100); do [ "$(grep -c 'PID: ' "$WORK/text.out")" -ge 3 ] && break; sleep 0.05; done
stop_ptrap INT
for p in $(cat "$WORK/text.pids"); do
	grep -q "PID: $p comm=python3 .*(exited before .* exited=yes" "$WORK/text.out" ||
		fail "text: pid $p not reported exited: $(cat "$WORK/text.out")"
done

# TCP: a bulk transfer while a busy process runs; data segments leave
# from softirq, where the record must not be made.
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
start_ptrap tcp -j -n 0 --queue-num $Q -t -p 8080 -i 192.0.2.1
taskset -c 0 python3 -c '
import os, socket
print(os.getpid(), flush=True)
s = socket.create_connection(("192.0.2.1", 8080))
s.sendall(b"x" * (16 << 20)); s.close()
' >"$WORK/tcp.pids" || fail "TCP client"
wait "$SERVER"
kill "$BUSY"
sleep 0.2
stop_ptrap INT
CLIENT=$(cat "$WORK/tcp.pids")
python3 - "$WORK/tcp.out" "$CLIENT" "$BUSY" <<'EOF' || fail "tcp: $(head -c 2000 "$WORK/tcp.out")"
import json, sys
reps = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{"type":"packet"')]
client, busy = int(sys.argv[2]), int(sys.argv[3])
named = [r for r in reps if r["pid"] == client]
bad = [r for r in reps if r["pid"] not in (None, client)]
print("# tcp: %d segments reported, %d named after the client, %d after "
      "another process" % (len(reps), len(named), len(bad)), file=sys.stderr)
syn = [r for r in reps if r["pid"] == client and r.get("inode") is None]
sys.exit(1 if bad or not named or not syn else 0)
EOF

# Two ptraps, each in its own network namespace with the same queue
# number, at once: each names only its own senders, exited.
mkfifo "$WORK/inner.go"
unshare -n sh -c '
	ip link set lo up && ip addr add 192.0.2.1/32 dev lo || exit 1
	"$1" -j -n 0 --queue-num "$3" -u -p 9999 -i 192.0.2.1 >"$2/inner.out" 2>"$2/inner.err" & p=$!
	for _ in $(seq 1 100); do grep -q trapping "$2/inner.err" 2>/dev/null && break; sleep 0.05; done
	kill -STOP $p
	python3 "$2/send.py" sendto 192.0.2.1 10 >"$2/inner.pids"
	cat "$2/inner.go" >/dev/null
	kill -CONT $p
	for _ in $(seq 1 100); do [ "$(grep -c "\"type\":\"packet\"" "$2/inner.out")" -ge 10 ] && break; sleep 0.05; done
	kill -INT $p; wait $p' sh "$PTRAP" "$WORK" "$Q" &
INNER=$!
for _ in $(seq 1 100); do [ -s "$WORK/inner.pids" ] && [ "$(wc -l <"$WORK/inner.pids")" -ge 10 ] && break; sleep 0.05; done
held outer 10 -- python3 "$WORK/send.py" sendto 192.0.2.1 10
echo go >"$WORK/inner.go"
wait "$INNER" || fail "inner namespace: ptrap failed: $(cat "$WORK/inner.err")"
python3 "$WORK/check.py" "$WORK/inner.out" "$WORK/inner.pids" 10 >&2 ||
	fail "inner namespace: wrong names"

# Without the record: one line at start says why, and live senders are
# still named from /proc.
live() {
	_n=$1; shift
	python3 -c '
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"x", ("192.0.2.1", 9999))
print(os.getpid(), flush=True)
sys.stdin.read()
' <"$WORK/$_n.hold" >"$WORK/$_n.pids" &
	_s=$!
	exec 3>"$WORK/$_n.hold"
	for _ in $(seq 1 100); do grep -q '"type":"packet"' "$WORK/$_n.out" && break; sleep 0.05; done
	exec 3>&-
	wait "$_s"
	grep -q "\"pid\":$(cat "$WORK/$_n.pids")," "$WORK/$_n.out" ||
		fail "$_n: the live sender is not named: $(cat "$WORK/$_n.out")"
}
one_line() {
	[ "$(grep -c "^ptrap: send-time record off$2" "$WORK/$1.err")" -eq 1 ] ||
		fail "$1: not one line 'send-time record off$2': $(cat "$WORK/$1.err")"
	[ "$(grep -c 'send-time record' "$WORK/$1.err")" -eq 1 ] ||
		fail "$1: the record is mentioned more than once: $(cat "$WORK/$1.err")"
}

mkfifo "$WORK/nobpf.hold" "$WORK/nocaps.hold"
start_ptrap nobpf -j --queue-num $Q -u -p 9999 -i 192.0.2.1 --no-bpf
one_line nobpf ' (--no-bpf); naming senders from /proc only'
live nobpf
stop_ptrap INT

# CAP_NET_ADMIN (the rules, the queue) but neither CAP_BPF nor
# CAP_SYS_ADMIN: the programs cannot be loaded.
DROP="--bounding-set=-bpf,-sys_admin,-perfmon --inh-caps=-all"
# shellcheck disable=SC2086
if setpriv $DROP true 2>/dev/null; then
	printf '#!/bin/sh\nexec setpriv %s "%s" "$@"\n' "$DROP" "$PTRAP" >"$WORK/nocaps-ptrap"
	chmod +x "$WORK/nocaps-ptrap"
	PTRAP_SAVED=$PTRAP PTRAP=$WORK/nocaps-ptrap
	start_ptrap nocaps -j --queue-num $Q -u -p 9999 -i 192.0.2.1
	PTRAP=$PTRAP_SAVED
	one_line nocaps ': loading the send-time record needs CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN); naming senders from /proc only'
	live nocaps
	stop_ptrap INT
else
	info "nocaps: setpriv cannot drop CAP_BPF here, not tested"
fi

# ptrap in a pid namespace of its own: the record's host pids would not
# be its /proc's.  (--count 1: it ends by itself, unshare with it.)
if unshare --pid --fork --mount-proc true 2>/dev/null; then
	unshare --pid --fork --mount-proc "$PTRAP" -j --count 1 --queue-num $Q \
		-u -p 9999 -i 192.0.2.1 >"$WORK/pidns.out" 2>"$WORK/pidns.err" &
	PIDNS=$!
	for _ in $(seq 1 100); do grep -q trapping "$WORK/pidns.err" 2>/dev/null && break; sleep 0.05; done
	one_line pidns ": ptrap runs in a pid namespace, the record's pids are the host's; naming senders from /proc only"
	python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.1", 9999))'
	wait "$PIDNS" || fail "pidns: ptrap failed: $(cat "$WORK/pidns.err")"
else
	info "pidns: no pid namespaces here, not tested"
fi
exit 0
