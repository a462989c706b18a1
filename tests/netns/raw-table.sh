#!/bin/sh
# Nothing left behind in nft's view either: iptables-nft adds table
# ip/ip6 raw and its chain OUTPUT for ptrap's jump and would leave them,
# empty, after the jump goes.  ptrap removes what it caused to be created
# once it is empty again, and only that: a table or chain that was there
# before stays (even empty), and so does a chain someone else added a
# rule to meanwhile.  Compared with `nft list ruleset` before and after.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
iptables -V 2>/dev/null | grep -q nf_tables || skip "iptables is not iptables-nft"

# run NAME: ptrap with the iptables backend on both families, stopped by SIGINT
run() {
	start_ptrap "$1" --backend iptables -u -i $DNS4,$DNS6 -p 53
	[ -n "$(ptrap_rules)" ] || fail "$1: no rules while running"
	nft list table ip raw >/dev/null 2>&1 || fail "$1: iptables-nft made no table ip raw"
	if [ -n "${MEANWHILE:-}" ]; then eval "$MEANWHILE"; fi
	stop_ptrap INT
	[ -z "$(ptrap_rules)" ] || fail "$1: ptrap's rules left behind"
}

# 1. nothing before: nothing after
nft list ruleset >"$WORK/before1"
[ -s "$WORK/before1" ] && fail "the new namespace has a ruleset: $(cat "$WORK/before1")"
run empty
nft list ruleset >"$WORK/after1"
diff -u "$WORK/before1" "$WORK/after1" >&2 || fail "ruleset differs after a run on an empty one"

# 2. the user's tables, one empty, one with an empty OUTPUT chain: both stay
nft add table ip raw
nft add table ip6 raw
nft add chain ip6 raw OUTPUT '{ type filter hook output priority raw; policy accept; }'
nft list ruleset >"$WORK/before2"
run users
nft list ruleset >"$WORK/after2"
diff -u "$WORK/before2" "$WORK/after2" >&2 || fail "the user's raw tables changed"
nft flush ruleset

# 3. the user's table with another chain: only the OUTPUT chain goes
nft add table ip raw
nft add chain ip raw PREROUTING '{ type filter hook prerouting priority raw; policy accept; }'
nft list ruleset >"$WORK/before3"
run other-chain
nft list ruleset >"$WORK/after3"
diff -u "$WORK/before3" "$WORK/after3" >&2 || fail "the user's chain or table changed"
nft flush ruleset

# 4. a rule someone adds to raw OUTPUT while ptrap runs keeps the chain
MEANWHILE='iptables -w -t raw -A OUTPUT -p udp --dport 9 -j ACCEPT'
run meanwhile
MEANWHILE=
iptables -w -t raw -S OUTPUT | grep -q -- '--dport 9 -j ACCEPT' ||
	fail "the rule added meanwhile is gone: $(nft list ruleset)"
nft list table ip6 raw >/dev/null 2>&1 && fail "table ip6 raw left: $(nft list table ip6 raw)"
exit 0
