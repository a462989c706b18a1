#!/bin/sh
# -t -c traps only connection attempts (SYN without ACK): each curl
# connection is reported exactly once, with curl's PID, whatever it sends
# afterwards; without -c the same connection is reported many times.
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

start_ptrap all -t -j -n 0 -i $WEB -p 8080
curls 2 "-t"
stop_ptrap INT
total=$(grep -c '"type":"packet"' "$WORK/all.out")
info "-t without -c: $total reports for 2 connections"
[ "$total" -ge 6 ] || fail "-t without -c: only $total reports for 2 connections"
[ -z "$(ptrap_rules)" ] || fail "rules left: $(ptrap_rules)"
exit 0
