#!/bin/sh
# --syslog-only / --syslog: reports go to /dev/log as daemon.info with ident
# ptrap[PID] (text, or JSON with -j), warnings as daemon.warning.  The test
# runs in a private mount namespace too, with a private /dev whose log
# socket is a python receiver: the host's syslog is never touched.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
if [ -z "${PTRAP_TEST_MNT:-}" ] && [ "$(id -u)" -eq 0 ]; then
	unshare -m true 2>/dev/null || skip "cannot create a mount namespace (unshare -m)"
	# unshare makes every mount private: nothing below reaches the host.
	PTRAP_TEST_MNT=1 exec unshare -m sh "$0" "$@"
fi
netns_enter "$@"
need_python

# A /dev of our own: the usual nodes bound from the real one, and /dev/log.
# Node by node, never the whole /dev: cleanup's rm -rf of $WORK must never
# be able to reach the real /dev (a bound file cannot be unlinked).
for n in null zero full random urandom; do
	touch "$WORK/$n" && mount --bind "/dev/$n" "$WORK/$n" || fail "cannot bind /dev/$n"
done
mount -t tmpfs -o mode=755 ptrap-dev /dev || fail "cannot mount a tmpfs on /dev"
for n in null zero full random urandom; do
	touch "/dev/$n" && mount --bind "$WORK/$n" "/dev/$n" && umount "$WORK/$n" ||
		fail "cannot bind /dev/$n"
done
ln -s /proc/self/fd /dev/fd

python3 - "$WORK/log" <<'P' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
with open(sys.argv[1], "wb", buffering=0) as f:
    while True:
        f.write(s.recv(65536).replace(b"\n", b"\\n") + b"\n")
P
PIDS_TO_KILL="$PIDS_TO_KILL $!"
for _ in $(seq 1 50); do [ -S /dev/log ] && break; sleep 0.1; done
[ -S /dev/log ] || fail "the syslog receiver did not start"
start_dnsmasq

# 1. --syslog-only, text: nothing on stdout; the report line in syslog.
start_ptrap text -u -i $DNS4 -p 53 --syslog-only
dig @$DNS4 example.test +short +time=2 +tries=1 >/dev/null &
dpid=$!
wait $dpid || fail "dig failed"
sleep 0.3
stop_ptrap INT
[ -s "$WORK/text.out" ] && fail "--syslog-only wrote to stdout: $(cat "$WORK/text.out")"
grep -E "^<30>[A-Z][a-z]{2} [ 0-9]{2} [0-9:]{8} ptrap\[$PTRAP_PID\]: \[[0-9-]+, [0-9:.]+\] PROCESS REQUEST CAPTURED\. Matching PID: $dpid comm=dig uid=0 .* dns A\? example\.test$" "$WORK/log" >/dev/null ||
	fail "no daemon.info report of dig ($dpid) from ptrap[$PTRAP_PID] in syslog: $(cat "$WORK/log")"
[ "$(grep -c "ptrap\[$PTRAP_PID\]" "$WORK/log")" -eq 1 ] ||
	fail "expected exactly one message: $(cat "$WORK/log")"

# 2. --syslog -j: the same JSON object in syslog and on stdout; a warning
# (the hook cap) at daemon.warning.
start_ptrap json -u -i $DNS4 -p 53 --syslog -j --max-hooks 1 -s 1000 -e "sleep 0.5; echo hook-ran"
pids=""
for i in 1 2 3; do
	dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "dig failed"; done
sleep 0.8
stop_ptrap INT
grep "ptrap\[$PTRAP_PID\]" "$WORK/log" >"$WORK/json.log"
grep '"type":"packet"' "$WORK/json.out" | sort >"$WORK/json.stdout"
sed -n 's/^<30>.* ptrap\['"$PTRAP_PID"'\]: \({"type":"packet".*\)$/\1/p' "$WORK/json.log" | sort >"$WORK/json.syslog"
[ "$(wc -l <"$WORK/json.stdout")" -eq 3 ] || fail "expected 3 JSON reports on stdout: $(cat "$WORK/json.out")"
cmp -s "$WORK/json.stdout" "$WORK/json.syslog" ||
	fail "syslog and stdout differ: $(cat "$WORK/json.log") --- $(cat "$WORK/json.stdout")"
grep -q '^<30>.*{"type":"hook".*hook-ran' "$WORK/json.log" || fail "hook result not in syslog: $(cat "$WORK/json.log")"
grep -q "^<28>.* ptrap\[$PTRAP_PID\]: hook not run .*already running" "$WORK/json.log" ||
	fail "no daemon.warning for the hook cap: $(cat "$WORK/json.log")"
exit 0
