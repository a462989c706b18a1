#!/bin/sh
# kill -9 under load, with a hook running at that moment: every later query
# succeeds (queue bypass), the hook held none of ptrap's sockets (so the
# queue was not kept bound), and the next start removes the leftovers.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
start_dnsmasq
firewall_snapshot >"$WORK/before"
LOCK=/run/ptrap/queue-4253-net$(stat -L -c %i /proc/self/ns/net).lock

# The hook records its own fds, then stays alive past the kill.
cat >"$WORK/hook" <<H
ls -l /proc/\$\$/fd >"$WORK/fds.\$\$" 2>&1
sleep 3
H
start_ptrap victim -u -i $DNS4 -p 53 -s 100 -e "sh $WORK/hook"

# 10 clients querying in a loop until told to stop; each logs "TIME ANSWER".
clients=""
for c in $(seq 1 10); do
	( while [ ! -f "$WORK/stop" ]; do
		a=$(dig @$DNS4 example.test +short +time=2 +tries=1 2>&1 | tr '\n' ' ')
		echo "$(date +%s%N) ${a:-none}" >>"$WORK/client.$c"
		sleep 0.1
	  done ) &
	clients="$clients $!"
	PIDS_TO_KILL="$PIDS_TO_KILL $!"
done
for _ in $(seq 1 100); do
	ls "$WORK"/fds.* >/dev/null 2>&1 && break
	sleep 0.05
done
ls "$WORK"/fds.* >/dev/null 2>&1 || fail "no hook ran before the kill"
sleep 0.2	# more hooks and queries in flight
kill -9 "$PTRAP_PID"
wait "$PTRAP_PID" 2>/dev/null
killed_at=$(date +%s%N)
for f in "$WORK"/fds.*; do
	grep -q 'socket:' "$f" && fail "hook $f held a socket of ptrap's: $(cat "$f")"
done
sleep 5
touch "$WORK/stop"
for c in $clients; do wait "$c"; done

# A query in flight at the kill may be lost with the queue; every query
# started after that (dig's 2 s timeout later) must be answered.
cat "$WORK"/client.* | awk -v t="$killed_at" '$1 > t + 2500000000' >"$WORK/after"
n=$(wc -l <"$WORK/after")
bad=$(grep -vc ' 192\.0\.2\.1 $' "$WORK/after")
[ "$n" -ge 10 ] || fail "only $n queries after the kill"
[ "$bad" -eq 0 ] || fail "$bad of $n queries failed after kill -9: $(grep -v ' 192\.0\.2\.1 $' "$WORK/after" | head -3)"
info "$n/$n client queries answered after kill -9"

# The next start cleans up what the dead one left, the lock file included.
[ "$(cat "$LOCK" 2>/dev/null)" = "$PTRAP_PID" ] || fail "kill -9 left no lock file naming $PTRAP_PID"
start_ptrap next -u -i $DNS4 -p 53
[ "$(cat "$LOCK" 2>/dev/null)" = "$PTRAP_PID" ] || fail "the next start did not take the lock $LOCK"
grep -q "removed rules a dead ptrap left" "$WORK/next.err" ||
	fail "leftovers not removed: $(cat "$WORK/next.err")"
stop_ptrap INT
[ ! -e "$LOCK" ] || fail "lock file $LOCK left after the clean exit"
pkill -f "sh $WORK/hook" 2>/dev/null
firewall_snapshot >"$WORK/after-all"
diff -u "$WORK/before" "$WORK/after-all" >&2 || fail "firewall differs after kill -9 + restart"
exit 0
