#!/bin/sh
# -t -c traps only connection attempts (SYN without ACK): each curl
# connection is reported exactly once, with curl's PID, whatever it sends
# afterwards.  -t alone reports each connection once too (issue 16): its
# other segments are counted and written with -w, every one of them named
# (the FIN and last ACK after curl closed as its last owner, never
# "unknown").  --every-packet reports every segment, again none unknown.
# -c without -t is exit status 5.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
command -v curl >/dev/null || skip "curl missing"

"$PTRAP" -u -c -i 192.0.2.80 >/dev/null 2>"$WORK/noT.err"
rc=$?
[ $rc -eq 5 ] || fail "-c without -t: exit $rc, expected 5"
[ -z "$(ptrap_rules)" ] || fail "rules left after -c without -t"

WEB=192.0.2.80
ip addr add $WEB/32 dev lo
mkdir "$WORK/www" && head -c 20000 /dev/zero >"$WORK/www/f"
(cd "$WORK/www" && exec python3 -m http.server --bind $WEB 8080) >/dev/null 2>&1 &
PIDS_TO_KILL="$PIDS_TO_KILL $!"
for _ in $(seq 1 50); do
	curl -s -o /dev/null http://$WEB:8080/f && break
	sleep 0.1
done

# curls N NAME: N sequential curls, each its own connection; pids in CURLS
curls() {
	CURLS=""
	for _i in $(seq 1 "$1"); do
		curl -s -o /dev/null http://$WEB:8080/f &
		_p=$!
		wait $_p || fail "curl $_i failed under ptrap $2"
		CURLS="$CURLS $_p"
	done
}

start_ptrap syn -t -c -j -n 0 -i $WEB -p 8080
curls 5 "-t -c"
stop_ptrap INT
total=$(grep -c '"type":"packet"' "$WORK/syn.out")
[ "$total" -eq 5 ] || fail "-t -c: $total reports for 5 connections"
for p in $CURLS; do
	n=$(grep -c "\"type\":\"packet\".*\"pid\":$p[,}]" "$WORK/syn.out")
	[ "$n" -eq 1 ] || fail "-t -c: curl pid $p reported $n times"
done
info "-t -c: 5 connections, 5 reports, one per curl pid"

# -t: one report per connection, and one for its HTTP request (a segment
# whose payload names something); every segment in the file with curl's pid
start_ptrap once -t -j -v -n 0 -i $WEB -p 8080 -w "$WORK/once.pcapng"
curls 1 "-t"
curl1=$(echo $CURLS)
sleep 0.5	# the last ACK from TIME-WAIT
stop_ptrap INT
total=$(grep -c '"type":"packet"' "$WORK/once.out")
[ "$total" -eq 2 ] || fail "-t: $total reports for one curl: $(cat "$WORK/once.out")"
[ "$(grep -c '"type":"packet".*"http":{"method":"GET"' "$WORK/once.out")" -eq 1 ] ||
	fail "-t: the request is not the second report: $(cat "$WORK/once.out")"
grep -q "\"type\":\"packet\".*\"pid\":$curl1[,}]" "$WORK/once.out" ||
	fail "-t: the report is not curl $curl1's: $(cat "$WORK/once.out")"
grep -q '"tcp_segments":[1-9]' "$WORK/once.out" "$WORK/once.err" ||
	fail "-t: later segments not counted: $(cat "$WORK/once.out" "$WORK/once.err")"
"$PTRAP" -r "$WORK/once.pcapng" -j --by flow >"$WORK/once.report" 2>&1 || fail "-r: $(cat "$WORK/once.report")"
if command -v tshark >/dev/null; then
	tshark -r "$WORK/once.pcapng" -T fields -e frame.comment 2>/dev/null |
		sed 's/\\n.*//; s/,.*//' >"$WORK/once.pids"
	segs=$(wc -l <"$WORK/once.pids")
	[ "$segs" -ge 4 ] || fail "-w: only $segs segments written"
	bad=$(grep -vc "^PID: $curl1\$" "$WORK/once.pids")
	[ "$bad" -eq 0 ] || fail "-w: $bad of $segs segments not named curl $curl1: $(sort "$WORK/once.pids" | uniq -c)"
	info "-t: 1 report, $segs segments in the file, all named curl $curl1"
fi
grep -q '"pid":null' "$WORK/once.report" && fail "-r: an unknown sender: $(cat "$WORK/once.report")"

start_ptrap all -t -j -n 0 --every-packet -i $WEB -p 8080
curls 2 "-t --every-packet"
sleep 0.5
stop_ptrap INT
total=$(grep -c '"type":"packet"' "$WORK/all.out")
info "--every-packet: $total reports for 2 connections"
[ "$total" -ge 6 ] || fail "--every-packet: only $total reports for 2 connections"
unknown=$(grep '"type":"packet"' "$WORK/all.out" | grep -c '"pid":null')
[ "$unknown" -eq 0 ] || fail "--every-packet: $unknown reports of unknown senders: $(grep '"pid":null' "$WORK/all.out" | head -n 2)"
# a segment after curl exited: what was known of it (its chain), marked exited
lost=$(grep '"exited":true' "$WORK/all.out" | grep -c '"chain":null')
[ "$lost" -eq 0 ] || fail "--every-packet: $lost reports of an exited curl without its chain"
[ -z "$(ptrap_rules)" ] || fail "rules left: $(ptrap_rules)"
exit 0
