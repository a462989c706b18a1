#!/bin/sh
# Hooks that misbehave: close their output early, print megabytes, fail,
# leave children behind, fork many children.  Every query is answered,
# ptrap's memory stays bounded and nothing the hook started outlives it.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
# ptrap appends " PID" to the hook command: each hook below ends in ":"
# so that the PID goes there and not to its last real command.
start_dnsmasq

# hook_reports FILE N PYTHON-EXPR-ON-h: FILE has exactly N hook reports and
# every one satisfies the expression.
hook_reports() {
	python3 - "$1" "$2" "$3" <<'PY'
import json, sys
f, want, cond = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ev = [json.loads(l) for l in open(f)]
hooks = [h for h in ev if h["type"] == "hook"]
bad = [h for h in hooks if not eval(cond)]
for h in bad[:3]:
    h["output"] = h["output"][:80]
    print("bad hook report: %r" % h)
if len(hooks) != want:
    print("%d hook reports, expected %d" % (len(hooks), want))
    sys.exit(1)
sys.exit(1 if bad else 0)
PY
}

# (a) closes stdout and stderr, then lives on a little: the report still
# comes, with what was printed before, once the hook has exited.
start_ptrap closed -u -i $DNS4 -p 53 -j -s 2000 \
	-e 'echo early; exec >&- 2>&-; sleep 0.3; :'
run_digs 3 192.0.2.1 @$DNS4 example.test +time=3
sleep 0.6
stop_ptrap INT
hook_reports "$WORK/closed.out" 3 \
	'h["output"] == "early\n" and h["exit_status"] == 0 and not h["truncated"]' ||
	fail "closed-output hook misreported"

# (b) megabytes of output: capped at HOOK_OUTPUT_MAX (64 KiB), marked
# truncated, memory bounded, queries keep flowing while it prints.
start_ptrap big -u -i $DNS4 -p 53 -j --max-hooks 4 \
	-e "head -c 5000000 /dev/zero | tr '\\0' x; :"
for round in 1 2 3; do
	run_digs 4 192.0.2.1 @$DNS4 example.test +time=3
done
sleep 1	# the hooks finish printing
hwm=$(awk '/^VmHWM:/ { print $2 }' /proc/$PTRAP_PID/status)
stop_ptrap INT
hook_reports "$WORK/big.out" 12 \
	'h["truncated"] and len(h["output"]) == 65536 and set(h["output"]) == {"x"} and h["exit_status"] == 0' ||
	fail "big-output hook not capped and marked truncated"
info "12 hooks printing 5 MB each: ptrap VmHWM ${hwm} kB"
# Under ASan, shadow memory and the quarantine of freed blocks make VmHWM
# say nothing about buffering (the plain build's run checks it).
[ -n "${PTRAP_SANITIZED:-}" ] || [ "$hwm" -lt 32768 ] ||
	fail "ptrap's peak memory ${hwm} kB >= 32 MB"
start_ptrap bigtext -u -i $DNS4 -p 53 -e "head -c 5000000 /dev/zero | tr '\\0' x; :"
run_digs 1 192.0.2.1 @$DNS4 example.test +time=3
sleep 1
stop_ptrap INT
grep -q "HOOK for PID [0-9]*: output truncated$" "$WORK/bigtext.out" ||
	fail "text report does not say 'output truncated': $(grep HOOK "$WORK/bigtext.out")"

# (c) exits non-zero: reported in both formats.
start_ptrap fails -u -i $DNS4 -p 53 -j -e 'echo oops; exit 3; :'
run_digs 2 192.0.2.1 @$DNS4 example.test +time=3
sleep 0.3
stop_ptrap INT
hook_reports "$WORK/fails.out" 2 'h["exit_status"] == 3 and h["output"] == "oops\n"' ||
	fail "exit status 3 not reported in JSON"
start_ptrap failstext -u -i $DNS4 -p 53 -e 'echo oops; exit 3; :'
run_digs 1 192.0.2.1 @$DNS4 example.test +time=3
sleep 0.3
stop_ptrap INT
grep -q "HOOK for PID [0-9]*: exit status 3$" "$WORK/failstext.out" ||
	fail "text report lacks 'exit status 3': $(cat "$WORK/failstext.out")"

# (d) a background child outliving the hook's main process is killed with
# it (the whole process group), though it still holds the output pipe.
start_ptrap orphan -u -i $DNS4 -p 53 -j -e 'sleep 4333 & echo x; :'
run_digs 3 192.0.2.1 @$DNS4 example.test +time=3
gone=""
for i in $(seq 1 30); do
	pgrep -f '^sleep 4333$' >/dev/null || { gone=$i; break; }
	sleep 0.1
done
[ "$gone" ] || fail "hook children survived the hook: $(pgrep -af '^sleep 4333$')"
info "leftover children gone within $((gone * 100)) ms"
stop_ptrap INT
hook_reports "$WORK/orphan.out" 3 'h["output"] == "x\n" and h["exit_status"] == 0' ||
	fail "orphan-leaving hook misreported"

# (e) many children per hook, bounded by --max-hooks 2: 10 queries at once
# are all answered, at most 2 hooks (6 sleeps each) run at any time.
start_ptrap bomb -u -i $DNS4 -p 53 -j --max-hooks 2 \
	-e 'for i in 1 2 3 4 5; do sleep 2.4331 & done; sleep 2.4332; :'
run_digs 10 192.0.2.1 @$DNS4 example.test +time=3 &
digs=$!
max=0
for i in $(seq 1 25); do
	n=$(pgrep -fc '^sleep 2\.433[12]$')
	[ "$n" -gt "$max" ] && max=$n
	sleep 0.1
done
wait $digs || fail "a dig failed with the hook cap reached"
info "at most $max hook processes (sleeps) seen at once; cap 2 x 6"
[ "$max" -gt 0 ] || fail "no hook ran (test broken)"
[ "$max" -le 12 ] || fail "$max hook sleeps at once: more than 2 hooks ran"
for i in $(seq 1 30); do
	pgrep -f '^sleep 2\.433[12]$' >/dev/null || break
	sleep 0.1
done
pgrep -f '^sleep 2\.433[12]$' >/dev/null && fail "hook children left over"
stop_ptrap INT
capped=$(grep -c "already running" "$WORK/bomb.err")
hooks=$(grep -c '"type":"hook"' "$WORK/bomb.out")
info "10 queries: $hooks hooks ran, $capped cap warnings"
[ "$hooks" -ge 1 ] && [ "$hooks" -le 10 ] || fail "$hooks hook reports"
[ "$capped" -ge 1 ] || fail "cap not reported: $(cat "$WORK/bomb.err")"
[ $((hooks + capped)) -eq 10 ] || fail "$hooks hooks + $capped capped != 10 packets"
exit 0
