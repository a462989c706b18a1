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
exit 0
