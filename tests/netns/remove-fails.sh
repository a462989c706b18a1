#!/bin/sh
# When iptables cannot run at exit, ptrap must not call its rules removed:
# one line saying they may remain, exit status 1; the next start removes
# them.  iptables is broken only for ptrap: in a private mount namespace a
# stand-in that fails as iptables does without CAP_NET_ADMIN is mounted
# over its binaries once ptrap's rules are in.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
unshare -m --propagation private true 2>/dev/null || skip "cannot create a mount namespace"
firewall_snapshot >"$WORK/before"

# What iptables-nft 1.8.9 says, and its status, without CAP_NET_ADMIN.
cat >"$WORK/broken" <<'B'
#!/bin/sh
echo "iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)" >&2
exit 4
B
chmod 755 "$WORK/broken"
BINS=$(for b in iptables ip6tables iptables-restore ip6tables-restore; do
	readlink -f "$(command -v $b)"; done | sort -u)
[ -n "$BINS" ] || skip "no iptables binaries"
export WORK PTRAP DNS4 BINS

unshare -m --propagation private sh -s <<'IN'
"$PTRAP" -u -i $DNS4 -p 9 >"$WORK/broken.out" 2>"$WORK/broken.err" &
pid=$!
for _ in $(seq 1 100); do
	grep -q trapping "$WORK/broken.err" && break
	sleep 0.05
done
grep -q trapping "$WORK/broken.err" || { kill -9 $pid; echo start >"$WORK/broken.rc"; exit; }
iptables -w -t raw -S >"$WORK/broken.rules"
for b in $BINS; do
	mount --bind "$WORK/broken" "$b" || { kill -9 $pid; echo mount >"$WORK/broken.rc"; exit; }
done
kill -INT $pid
wait $pid
echo $? >"$WORK/broken.rc"
IN
rc=$(cat "$WORK/broken.rc" 2>/dev/null)
[ "$rc" != start ] || fail "ptrap did not start: $(cat "$WORK/broken.err")"
[ "$rc" != mount ] || fail "cannot bind-mount over $BINS"
grep -q -- '-N PTRAP' "$WORK/broken.rules" || fail "no ptrap chain while running: $(cat "$WORK/broken.rules")"

# The rules really stayed: the error is true, and nothing said otherwise.
[ -n "$(ptrap_rules)" ] || fail "the stand-in did not stop the removal (no rules left)"
[ "$rc" = 1 ] || fail "ptrap exited '$rc' with its rules left behind, expected 1"
sed -n '/trapping/,$p' "$WORK/broken.err" | tail -n +2 >"$WORK/broken.tail"
[ "$(wc -l <"$WORK/broken.tail")" -eq 1 ] ||
	fail "expected one line after the stop: $(cat "$WORK/broken.tail")"
grep -q "^ptrap: could not remove ptrap's rules: iptables chain PTRAP[^ ]* in the raw table may remain (.*Permission denied" \
	"$WORK/broken.tail" || fail "unclear error: $(cat "$WORK/broken.tail")"
info "$(cat "$WORK/broken.tail")"

# With iptables back, the next start removes them and the firewall is as before.
start_ptrap next -u -i $DNS4 -p 9
grep -q "removed rules a dead ptrap left" "$WORK/next.err" ||
	fail "leftovers not removed: $(cat "$WORK/next.err")"
stop_ptrap INT
firewall_snapshot >"$WORK/after"
diff -u "$WORK/before" "$WORK/after" >&2 || fail "firewall differs after the failed removal + restart"
exit 0
