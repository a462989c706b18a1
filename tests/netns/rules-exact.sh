#!/bin/sh
# While ptrap runs, the firewall holds exactly the user's own rules plus
# ptrap's, whatever the values given: the live rule set (iptables-save and
# ip6tables-save of the raw table, as the kernel holds it) is compared line
# by line with tests/data/rules/exact/* (PTRAP_UPDATE_GOLDEN=1 regenerates
# them; review the diff).  Values at the edge of what is
# valid (a 15-byte interface name with '.', '_' and '-', a --comm with
# quotes and a semicolon, which stays in user space, an expression with
# every operator) become exactly those rules; values that would be syntax
# are refused and change nothing.  Afterwards the rule set is as before.
#
# Exit: 0 ok, 1 failure, 77 skipped (not root, no unshare -n, no tools).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
for t in iptables-save ip6tables-save; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
done
netns_enter "$@"
data=$TOP_SRCDIR/tests/data/rules/exact
IFACE=a.b_c-d.e_f-g.h
ip link add "$IFACE" type veth peer name ptrap-peer || skip "cannot create a veth pair"
ip link set "$IFACE" up

# The user's own rules, which must stay as they are around ptrap's.
iptables -w -t raw -A OUTPUT -p udp --dport 9 -j ACCEPT
ip6tables -w -t raw -A OUTPUT -p udp --dport 9 -j ACCEPT
iptables -w -A OUTPUT -p tcp --dport 25 -j REJECT
firewall_snapshot >"$WORK/before"

# live: the raw tables of both families, without comments and counters
live() {
	for s in iptables-save ip6tables-save; do
		echo "== $s -t raw"
		$s -t raw | grep -v -e '^#' | sed "s/ *\\[[0-9]*:[0-9]*\\]$//"
	done
}

# exact NAME ARGS...: while ptrap ARGS runs, live() is tests/data/rules/exact/NAME
exact() {
	_name=$1; shift
	start_ptrap "$_name" --queue-num 4321 "$@"
	live >"$WORK/$_name.live"
	stop_ptrap INT
	[ -z "${PTRAP_UPDATE_GOLDEN:-}" ] || cp "$WORK/$_name.live" "$data/$_name"
	diff -u "$data/$_name" "$WORK/$_name.live" >&2 ||
		fail "ptrap $*: the live rule set is not exactly the user's and ptrap's rules"
	firewall_snapshot >"$WORK/after"
	diff -u "$WORK/before" "$WORK/after" >&2 || fail "ptrap $*: the rule set changed after exit"
}

exact options -u -t -i 192.0.2.53,2001:db8::53/128 -p 53,853-854 \
	-o "$IFACE" --uid 0 --comm 'x"; flush'
exact expression -c -o "$IFACE" \
	'(tcp and dst net 198.51.100.0/24 and not dst host 198.51.100.7' \
	and '(dst port 80 or dst portrange 8000-8080))' \
	or '(udp and dst host 2001:db8::1 and not src port 53)'

# Refused, and nothing changes: the one line names the value.
refused() {
	_pat=$1; shift
	"$PTRAP" --queue-num 4321 "$@" >"$WORK/out" 2>"$WORK/err" </dev/null && fail "ptrap $* was accepted"
	head -n 1 "$WORK/err" | grep -q -- "$_pat" || fail "ptrap $*: message '$(head -n 1 "$WORK/err")' lacks '$_pat'"
	firewall_snapshot >"$WORK/after"
	diff -u "$WORK/before" "$WORK/after" >&2 || fail "ptrap $*: the rule set changed"
}
refused "invalid interface" -u -i 192.0.2.53 -o "$IFACE
-A OUTPUT -j DROP"
refused "invalid interface" -u -i 192.0.2.53 -o "lo -j DROP"
refused "invalid user" -u -i 192.0.2.53 --uid '0 -j DROP'
refused "invalid user" -u -i 192.0.2.53 --uid "root
COMMIT"
refused "filter expression" 'udp and port 53 
-A OUTPUT -j DROP'
refused "filter expression" "udp and host 192.0.2.53'"
exit 0
