#!/bin/sh
# The hook: PID as last argument, PTRAP_* environment, no inherited sockets,
# output printed whole per hook, timeout kills its process group, the cap on
# concurrent hooks accepts the packet at once and says so.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
start_dnsmasq

# 1. arguments, environment, file descriptors
cat >"$WORK/hook" <<'H'
echo "ARGS:$*"
env | grep '^PTRAP_' | sort
env | sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/ENVNAME:\1/p'
echo "TERM:${TERM-unset}"
echo "SOCKETS:$(ls -l /proc/$$/fd | grep -c 'socket:')"
echo "FDS:$(ls /proc/$$/fd | tr '\n' ' ')"
H
# ptrap on a terminal: the hook's output goes to a pipe, so TERM=dumb;
# of the rest of ptrap's environment the hook gets only what is documented.
export TERM=xterm SECRET_TOKEN=abc LD_LIBRARY_PATH=/nonexistent
start_ptrap env -u -i $DNS4 -p 53 -e "sh $WORK/hook"
dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null &
dpid=$!
wait $dpid || fail "dig failed"
sleep 0.3
stop_ptrap INT
out="$WORK/env.out"
grep -qx "ARGS:$dpid" "$out" || fail "hook did not get the PID as its last argument: $(cat "$out")"
grep -qx "PTRAP_PID=$dpid" "$out" || fail "PTRAP_PID missing"
grep -qx "PTRAP_COMM=dig" "$out" || fail "PTRAP_COMM missing"
grep -qx "PTRAP_UID=0" "$out" || fail "PTRAP_UID missing"
grep -qx "PTRAP_PROTO=udp" "$out" || fail "PTRAP_PROTO missing"
grep -qx "PTRAP_DST=$DNS4" "$out" || fail "PTRAP_DST missing"
grep -qx "PTRAP_DPORT=53" "$out" || fail "PTRAP_DPORT missing"
grep -qE "^PTRAP_SPORT=[0-9]+$" "$out" || fail "PTRAP_SPORT missing"
grep -qx "PTRAP_QTYPE=A" "$out" || fail "PTRAP_QTYPE missing"
grep -qx "SOCKETS:0" "$out" || fail "hook inherited sockets: $(cat "$out")"
grep -qx "TERM:dumb" "$out" || fail "hook's TERM is not dumb: $(cat "$out")"
unset SECRET_TOKEN LD_LIBRARY_PATH
grep -qx "ENVNAME:PATH" "$out" || fail "hook got no PATH"
# sh itself adds PWD (and OLDPWD, SHLVL in some shells)
extra=$(sed -n 's/^ENVNAME://p' "$out" | grep -v -x -E 'PATH|HOME|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TERM|PTRAP_[A-Z_]+|PWD|OLDPWD|SHLVL|_')
[ -z "$extra" ] || fail "hook inherited undocumented variables: $extra"

# 1b. the README's hook where ptrap has no TERM at all (systemd, cron, a
# bare root): pstree -H must still show the live dig, with no escapes.
env -u TERM "$PTRAP" -u -i $DNS4 -p 53 -e "pstree -p -l -H" >"$WORK/pstree.out" 2>"$WORK/pstree.err" &
PTRAP_PID=$!
PIDS_TO_KILL="$PIDS_TO_KILL $PTRAP_PID"
for _ in $(seq 1 100); do grep -q trapping "$WORK/pstree.err" && break; sleep 0.05; done
dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null &
dpid=$!
wait $dpid || fail "dig failed"
sleep 0.3
stop_ptrap INT
grep -q "dig($dpid)" "$WORK/pstree.out" || fail "pstree -H without TERM: $(cat "$WORK/pstree.out")"
grep -q "$(printf '\033')" "$WORK/pstree.out" && fail "escape sequences in the hook output"

# 2. a hook that never ends: the packet goes after -s (dig's 2 s timeout
# would fail if it waited for --hook-timeout, 4 s), then the hook's whole
# process group dies at --hook-timeout.
# (in a file, so that only the hook's own processes match "sleep 432")
printf 'sleep 4321 &\nsleep 4322\necho\n' >"$WORK/slowhook"
start_ptrap slow -u -i $DNS4 -p 53 -s 200 --hook-timeout 4000 -e "sh $WORK/slowhook"
[ "$(dig @$DNS4 example.test +short +time=2 +tries=1)" = "192.0.2.1" ] ||
	fail "the packet was not released after -s while the hook ran"
pgrep -f "sleep 432[12]" >/dev/null || fail "the hook is not running (test broken)"
for _ in $(seq 1 100); do
	pgrep -f "sleep 432[12]" >/dev/null || break
	sleep 0.1
done
pgrep -f "sleep 432[12]" >/dev/null && fail "hook processes survived the timeout: $(pgrep -af 'sleep 432')"
stop_ptrap INT
grep -q "timed out" "$WORK/slow.out" || fail "timeout not reported: $(cat "$WORK/slow.out")"

# 3. the cap: one hook at a time, three queries at once
start_ptrap cap -u -i $DNS4 -p 53 --max-hooks 1 -s 1000 -e "sleep 0.5; echo done"
pids=""
for i in 1 2 3; do
	dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "dig failed with the hook cap reached"; done
stop_ptrap INT
grep -q "already running" "$WORK/cap.err" || fail "cap not reported: $(cat "$WORK/cap.err")"

# 4. concurrent hooks never interleave their output
start_ptrap blocks -u -i $DNS4 -p 53 -e 'echo "A $1"; sleep 0.2; echo B'
pids=""
for i in 1 2 3 4 5; do
	dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null &
	pids="$pids $!"
done
for p in $pids; do wait "$p"; done
sleep 0.5
stop_ptrap INT
for p in $pids; do
	grep -A1 -x "A $p" "$WORK/blocks.out" | tail -n 1 | grep -qx "B $p" ||
		fail "hook output for $p interleaved: $(cat "$WORK/blocks.out")"
done
# 5. a held packet stays held while others pass: the verdicts for a burst
# of other queries must not release it (ptrap sends one batch verdict
# only when no packet is held).  Only "dig" gets the 2 s hook.
cp "$(command -v dig)" "$WORK/otherdig"
start_ptrap held -u -i $DNS4 -p 53 -n 0 --comm dig -s 5000 -e "sleep 2; true"
t0=$(date +%s%N)
dig @$DNS4 example.test +short +time=4 +tries=1 >"$WORK/held.dig" &
dpid=$!
sleep 0.3
pids=""
for i in $(seq 1 20); do
	"$WORK/otherdig" @$DNS4 example.test +short +time=1 +tries=1 >/dev/null &
	pids="$pids $!"
done
for p in $pids; do wait "$p" || fail "a query was delayed by another's hook"; done
# (no wall-clock bound here: had they waited for the hook, the held query
# would have been answered first, which the next line catches)
kill -0 $dpid 2>/dev/null || fail "the held query was answered while its hook ran"
wait $dpid || fail "the held dig failed"
t2=$(date +%s%N)
[ $(( (t2 - t0) / 1000000 )) -ge 1900 ] ||
	fail "the held query took only $(( (t2 - t0) / 1000000 )) ms"
grep -qx 192.0.2.1 "$WORK/held.dig" || fail "the held dig got no answer"
stop_ptrap INT
exit 0
