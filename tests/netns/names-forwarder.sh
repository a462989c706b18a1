#!/bin/sh
# A local forwarder: dnsmasq on 127.0.0.53 (as systemd-resolved's stub)
# forwarding to a dnsmasq "upstream" on 192.0.2.53.  Trapping the upstream
# names the forwarder for every query, and ptrap says once how to find the
# applications; --dns traps both hops and links each forwarder query to
# the dig it serves: "dig (PID) via dnsmasq (PID) -> 192.0.2.53:53: A? ...".
# A forwarder without a known name (python3) is known by its socket
# listening on port 53.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
start_dnsmasq
dnsmasq --conf-file=/dev/null --keep-in-foreground --port=53 \
	--listen-address=127.0.0.53 --bind-interfaces --no-resolv --no-hosts \
	--server=$DNS4 --user=root --pid-file= --cache-size=0 \
	--log-facility=/dev/null &
FWD=$!
PIDS_TO_KILL="$PIDS_TO_KILL $FWD"
for _ in $(seq 1 30); do
	dig @127.0.0.53 up.example.test +short +time=1 +tries=1 2>/dev/null | grep -q 192.0.2.1 && break
	sleep 0.1
done
printf 'nameserver 127.0.0.53\noptions edns0\n' >"$WORK/stub.conf"
printf '# upstream servers\nnameserver 192.0.2.53\n' >"$WORK/uplink.conf"

# 1. The upstream trapped: every query is the forwarder's; said once.
start_ptrap up -u -i $DNS4 -p 53 -j
for n in 1 2 3; do
	dig @127.0.0.53 q$n.example.test +short +time=3 +tries=1 >/dev/null || fail "dig q$n"
done
sleep 0.3
stop_ptrap INT
python3 - "$WORK/up.out" "$FWD" <<'PY' || fail "forwarder reports (see above)"
import json, sys
pk = [json.loads(l) for l in open(sys.argv[1])]
fwd = int(sys.argv[2])
qs = [(e["pid"], e["dns"]["qname"], e.get("forwarder")) for e in pk if "dns" in e]
want = [(fwd, "q%d.example.test" % n, True) for n in (1, 2, 3)]
if qs != want:
    print("reports %r\nexpected %r" % (qs, want)); sys.exit(1)
PY
[ "$(grep -c "is a local DNS forwarder" "$WORK/up.err")" -eq 1 ] ||
	fail "expected one forwarder note: $(cat "$WORK/up.err")"
grep -q "PID $FWD (dnsmasq) is a local DNS forwarder.*ptrap -u -t -i 127.0.0.53 -p 53) or run ptrap --dns" "$WORK/up.err" ||
	fail "note without the command: $(cat "$WORK/up.err")"

# 2. --dns, text: each dig named on both hops.
start_ptrap dns --dns --resolv-conf "$WORK/stub.conf" --resolv-conf "$WORK/uplink.conf"
grep -q "trapping udp+tcp to 127.0.0.53,192.0.2.53 port 53" "$WORK/dns.err" ||
	fail "--dns did not trap the stub and the upstream: $(cat "$WORK/dns.err")"
pids=""
for n in 1 2; do
	dig @127.0.0.53 t$n.example.test +short +time=3 +tries=1 >/dev/null &
	pids="$pids $!"
	wait $!
done
dig @127.0.0.53 tcp.example.test +tcp +short +time=3 +tries=1 >/dev/null &
tpid=$!
wait $tpid || fail "dig +tcp through the forwarder"
sleep 0.3
stop_ptrap INT
n=0
for p in $pids; do
	n=$((n + 1))
	grep -E "^\[[0-9: ,.-]+\] dig \($p\) -> 127\.0\.0\.53:53: A\? t$n\.example\.test$" "$WORK/dns.out" >/dev/null ||
		fail "no application line for dig $p: $(cat "$WORK/dns.out")"
	grep -E "^\[[0-9: ,.-]+\] dig \($p\) via dnsmasq \($FWD\) -> 192\.0\.2\.53:53: A\? t$n\.example\.test$" "$WORK/dns.out" >/dev/null ||
		fail "no forwarder line for dig $p: $(cat "$WORK/dns.out")"
done
grep -E "^\[[0-9: ,.-]+\] dig \($tpid\) -> 127\.0\.0\.53:53 tcp: A\? tcp\.example\.test$" "$WORK/dns.out" >/dev/null ||
	fail "no line for the TCP query: $(cat "$WORK/dns.out")"
# dnsmasq serves a TCP connection in a child of its own
grep -E "dig \($tpid\) via dnsmasq \([0-9]+\) -> 192\.0\.2\.53:53( tcp)?: A\? tcp\.example\.test$" "$WORK/dns.out" >/dev/null ||
	fail "TCP query not linked: $(cat "$WORK/dns.out")"
grep -q "PROCESS REQUEST CAPTURED" "$WORK/dns.out" &&
	fail "--dns reported packets without a DNS message: $(cat "$WORK/dns.out")"
grep -q "is a local DNS forwarder" "$WORK/dns.err" &&
	fail "--dns still printed the forwarder note"

# 3. --dns -j: asked_by in the forwarder's report.
start_ptrap dnsj --dns -j --resolv-conf "$WORK/stub.conf" --resolv-conf "$WORK/uplink.conf" \
	-e 'printf "%s\n" "asked_by=$PTRAP_ASKED_BY qname=$PTRAP_QNAME"; :'
dig @127.0.0.53 j.example.test +short +time=3 +tries=1 >/dev/null &
jpid=$!
wait $jpid
sleep 0.3
stop_ptrap INT
python3 - "$WORK/dnsj.out" "$FWD" "$jpid" <<'PY' || fail "--dns -j (see above)"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
pk = [e for e in ev if e["type"] == "packet"]
fwd, dig = int(sys.argv[2]), int(sys.argv[3])
f = [e for e in pk if e["pid"] == fwd]
a = [e for e in pk if e["pid"] == dig]
if len(f) != 1 or f[0]["asked_by"] != {"pid": dig, "comm": "dig"} or not f[0]["forwarder"] \
   or f[0]["dns"]["qname"] != "j.example.test" or f[0]["dst"] != "192.0.2.53":
    print("forwarder: %r" % f); sys.exit(1)
if len(a) != 1 or "forwarder" in a[0] or a[0]["dst"] != "127.0.0.53":
    print("application: %r" % a); sys.exit(1)
hooks = sorted(e["output"] for e in ev if e["type"] == "hook" and e["pid"] == fwd)
if hooks != ["asked_by=%d qname=j.example.test\n" % dig]:
    print("forwarder's hook: %r" % hooks); sys.exit(1)
PY

# 4. A forwarder of no known name: a python3 one on 127.0.0.54.
python3 - <<'PY' &
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.54", 53))
while True:
    q, client = s.recvfrom(4096)
    up = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    up.settimeout(3)
    up.sendto(q, ("192.0.2.53", 53))
    try:
        s.sendto(up.recv(4096), client)
    except OSError:
        pass
    up.close()
PY
PYF=$!
PIDS_TO_KILL="$PIDS_TO_KILL $PYF"
printf 'nameserver 127.0.0.54\n' >"$WORK/py.conf"
for _ in $(seq 1 30); do
	dig @127.0.0.54 up.example.test +short +time=1 +tries=1 2>/dev/null | grep -q 192.0.2.1 && break
	sleep 0.1
done
start_ptrap py --dns --resolv-conf "$WORK/py.conf" --resolv-conf "$WORK/uplink.conf"
dig @127.0.0.54 py.example.test +short +time=3 +tries=1 >/dev/null &
ppid=$!
wait $ppid || fail "dig through the python3 forwarder"
sleep 0.3
stop_ptrap INT
grep -E "^\[[0-9: ,.-]+\] dig \($ppid\) via python3 \($PYF\) -> 192\.0\.2\.53:53: A\? py\.example\.test$" "$WORK/py.out" >/dev/null ||
	fail "python3 forwarder not linked: $(cat "$WORK/py.out")"
exit 0
