#!/bin/sh
# Issue 5's report policy: -n per flow (over-limit packets are accepted at
# once, counted, still written with -w), --comm, --count (a clean exit).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
start_dnsmasq

# send SPORT N: N datagrams from one UDP socket (one flow), comm python3.
send() {
	python3 - "$1" "$2" <<'P' || fail "python sender failed"
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("192.0.2.53", int(sys.argv[1])))
for i in range(int(sys.argv[2])):
    s.sendto(b"x" * 12, ("192.0.2.53", 9))
    time.sleep(0.005)
P
}
count_reports() { grep -c "PROCESS REQUEST CAPTURED" "$WORK/$1.out"; }

# 1. -n 3: two flows of 10 packets each within a second; 3 reports each,
# every packet in the capture, the rest counted as rate-limited.
start_ptrap rate -u -i $DNS4 -p 9 -n 3 -v -w "$WORK/rate.pcapng" --flush
send 40000 10
send 40001 10
sleep 0.3
stop_ptrap INT
[ "$(grep -c 'python3.*:40000 ->' "$WORK/rate.out")" -eq 3 ] ||
	fail "flow 40000: expected 3 reports: $(cat "$WORK/rate.out")"
[ "$(grep -c 'python3.*:40001 ->' "$WORK/rate.out")" -eq 3 ] ||
	fail "flow 40001: expected 3 reports (flows are independent): $(cat "$WORK/rate.out")"
[ "$(count_reports rate)" -eq 6 ] || fail "expected 6 reports in all"
grep -q "14 packets rate-limited" "$WORK/rate.err" ||
	fail "rate-limited packets not counted: $(grep stats "$WORK/rate.err")"
# Enhanced packet blocks (type 6) in the file, read block by block.
n=$(python3 - "$WORK/rate.pcapng" <<'P'
import struct, sys
d = open(sys.argv[1], "rb").read()
i = n = 0
while i + 8 <= len(d):
    t, ln = struct.unpack_from("<II", d, i)
    n += t == 6
    i += ln
print(n)
P
)
[ "$n" = 20 ] || fail "capture holds $n packets, expected all 20"

# 2. the default limit is 20 per minute per flow
start_ptrap dflt -u -i $DNS4 -p 9
send 40002 30
sleep 0.3
stop_ptrap INT
[ "$(count_reports dflt)" -eq 20 ] || fail "default rate: $(count_reports dflt) reports, expected 20"

# 3. --comm dig: python3's packets are accepted without a report
start_ptrap comm -u -i $DNS4 --comm nosuch,dig -n 0
send 40003 5
[ "$(dig @$DNS4 example.test +short +time=2 +tries=1)" = "192.0.2.1" ] || fail "dig failed"
sleep 0.3
stop_ptrap INT
grep -q "python3" "$WORK/comm.out" && fail "--comm dig reported python3: $(cat "$WORK/comm.out")"
[ "$(count_reports comm)" -eq 1 ] && grep -q "comm=dig" "$WORK/comm.out" ||
	fail "--comm dig: expected one report of dig: $(cat "$WORK/comm.out")"

# 4. --count 2: ptrap stops by itself after 2 reports, exit 0, no rules left
start_ptrap count -u -i $DNS4 -p 9 --count 2 -n 0
send 40004 5
for _ in $(seq 1 50); do kill -0 "$PTRAP_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PTRAP_PID" 2>/dev/null && fail "--count 2: still running after 5 s"
wait "$PTRAP_PID"
rc=$?
[ "$rc" -eq 0 ] || fail "--count 2: exit status $rc"
[ "$(count_reports count)" -eq 2 ] || fail "--count 2: $(count_reports count) reports"
[ -z "$(ptrap_rules)" ] || fail "--count 2 left rules: $(ptrap_rules)"

# 5. issue 5: 200 DNS queries from one socket within a second with -n 20:
# exactly 20 reports, 200 answers, 180 rate-limited (SIGUSR1, JSON).
start_ptrap burst -u -i $DNS4 -p 53 -n 20 -j
python3 - "$DNS4" >"$WORK/burst.py.out" <<'P' || fail "DNS burst: $(cat "$WORK/burst.py.out")"
import select, socket, struct, sys, time
N = 200
name = b"".join(bytes([len(l)]) + l for l in b"example.test".split(b".")) + b"\0"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
s.setblocking(False)
answered = set()
def drain():
    while True:
        try:
            d = s.recv(2048)
        except BlockingIOError:
            return
        qid, flags, qd, an = struct.unpack_from("!HHHH", d)
        # a response (QR), no error, with an answer, to one of our ids
        if flags & 0x8000 and flags & 0xf == 0 and an >= 1 and 1 <= qid <= N:
            answered.add(qid)
t0 = time.monotonic()
for qid in range(1, N + 1):
    s.sendto(struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + name +
             struct.pack("!HH", 1, 1), (sys.argv[1], 53))
    drain()
    time.sleep(0.002)
sent = time.monotonic() - t0
end = time.monotonic() + 5
while len(answered) < N and time.monotonic() < end:
    select.select([s], [], [], 0.1)
    drain()
print("sent %d in %.3f s, %d answered" % (N, sent, len(answered)))
sys.exit(0 if sent < 1.0 and len(answered) == N else 1)
P
info "$(cat "$WORK/burst.py.out")"
sleep 0.3
kill -USR1 "$PTRAP_PID"
for _ in $(seq 1 50); do grep -q '"type":"stats"' "$WORK/burst.out" && break; sleep 0.1; done
stop_ptrap INT
reports=$(grep -c '^{"type":"packet"' "$WORK/burst.out")
[ "$reports" -eq 20 ] || fail "DNS burst: $reports reports, expected 20"
[ "$(grep '^{"type":"packet"' "$WORK/burst.out" | grep -c '"comm":"python3"')" -eq 20 ] ||
	fail "DNS burst: reports not all of python3: $(head -c 600 "$WORK/burst.out")"
stats=$(grep '^{"type":"stats"' "$WORK/burst.out")
[ -n "$stats" ] || fail "no statistics after SIGUSR1: $(tail -n 2 "$WORK/burst.out")"
echo "$stats" | grep -q '"trapped":200,' || fail "DNS burst: not 200 trapped: $stats"
echo "$stats" | grep -q '"rate_limited":180,' || fail "DNS burst: not 180 rate-limited: $stats"
exit 0
