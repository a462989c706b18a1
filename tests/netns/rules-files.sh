#!/bin/sh
# Feeds rule text to the real nft and iptables-restore inside a private
# network namespace: the generator's golden files (tests/data/rules/, proved
# equal to src/rules.c's output by tests/unit/test_rules) and the examples
# in rules/.  Each ruleset is applied, listed, removed, and checked gone.
#
# Exit: 0 ok, 1 failure, 77 skipped (not root, no unshare -n, no tools).
set -u

me=rules-files
here=$(cd "$(dirname "$0")" && pwd)
self=$here/$(basename "$0")
TOP_SRCDIR=${TOP_SRCDIR:-$here/../..}
export TOP_SRCDIR

skip() {
	echo "$me: SKIP: $*"
	exit 77
}

if [ -z "${PTRAP_RULES_IN_NETNS:-}" ]; then
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	unshare -n true 2>/dev/null || skip "unshare -n does not work here"
	for t in nft iptables iptables-restore ip6tables ip6tables-restore; do
		command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
	done
	# Everything below runs in a new, empty network namespace; the
	# host's firewall is never touched.
	PTRAP_RULES_IN_NETNS=1 exec unshare -n sh "$self" "$@"
	exit 1
fi

data=$TOP_SRCDIR/tests/data/rules
examples=$TOP_SRCDIR/rules
status=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "$me: FAIL: $*" >&2
	status=1
}

note() {
	echo "$me: $*"
}

# --- nftables -------------------------------------------------------------

# Does this kernel have the nft queue expression (CONFIG_NFT_QUEUE)?
printf 'table inet ptrap_probe {\n\tchain c {\n\t\tqueue num 0 bypass\n\t}\n}\n' \
	>"$tmp/probe.nft"
if nft -c -f "$tmp/probe.nft" >/dev/null 2>&1; then
	nft_queue=1
else
	nft_queue=0
	note "kernel lacks the nft queue expression: nft text is checked with" \
	     "'queue num N bypass' replaced by 'accept'"
fi

# nft_prepare FILE OUT: OUT is FILE as this kernel can load it.  Without
# nft queue, FILE must fail only where the kernel rejects "queue" (nft has
# parsed and evaluated it all by then), and OUT has accept instead.
nft_prepare() {
	if [ "$nft_queue" -eq 1 ]; then
		cp "$1" "$2"
		return 0
	fi
	if nft -c -f "$1" >"$tmp/err" 2>&1; then
		cp "$1" "$2"
		return 0
	fi
	if grep 'Error:' "$tmp/err" |
	   grep -v 'Could not process rule: No such file or directory' |
	   grep -q .; then
		fail "$1: nft rejects more than the queue statement:"
		cat "$tmp/err" >&2
		return 1
	fi
	sed 's/queue num [0-9][0-9]* bypass/accept/' "$1" >"$2"
	if grep -v '^[[:space:]]*#' "$2" | grep -q 'queue'; then
		fail "$1: a queue statement not of the form 'queue num N bypass'"
		return 1
	fi
	return 0
}

# How many rules a file declares / a listed table holds.
nft_file_rules() {
	grep -c ' counter ' "$1"
}

nft_table_rules() {
	nft list table inet "$1" | grep -c 'counter packets'
}

nft_table_exists() {
	nft list table inet "$1" >/dev/null 2>&1
}

# A generated ruleset: owned table, then the same without owner to look at.
check_nft_golden() {
	f=$1
	rm_file=${f%.nft}.nft-remove
	table=$(sed -n 's/^table inet \(ptrap_[0-9][0-9]*\) {$/\1/p' "$f")
	if [ -z "$table" ]; then
		fail "$f: no 'table inet ptrap_N {' line"
		return
	fi
	if ! grep -qx "delete table inet $table" "$rm_file" 2>/dev/null; then
		fail "$rm_file: does not delete table inet $table"
		return
	fi
	nft_prepare "$f" "$tmp/owned.nft" || return
	if ! nft -c -f "$tmp/owned.nft" >"$tmp/err" 2>&1; then
		fail "$f: nft -c rejects it:"
		cat "$tmp/err" >&2
		return
	fi
	# Owned by the nft process's socket: gone as soon as nft exits.
	if ! nft -f "$tmp/owned.nft" >"$tmp/err" 2>&1; then
		fail "$f: nft -f rejects it:"
		cat "$tmp/err" >&2
		return
	fi
	if nft_table_exists "$table"; then
		fail "$f: owned table $table outlived the nft process"
		nft delete table inet "$table"
		return
	fi
	grep -v '^	flags owner$' "$tmp/owned.nft" >"$tmp/kept.nft"
	if ! nft -f "$tmp/kept.nft" >"$tmp/err" 2>&1; then
		fail "$f: nft -f rejects it without flags owner:"
		cat "$tmp/err" >&2
		return
	fi
	want=$(nft_file_rules "$f")
	got=$(nft_table_rules "$table")
	[ "$want" = "$got" ] ||
		fail "$f: $want rules in the file, $got in the kernel"
	nft list chain inet "$table" output |
		grep -q 'type filter hook output priority raw; policy accept;' ||
		fail "$f: chain output is not a raw-priority output hook"
	if ! nft -f "$rm_file" >"$tmp/err" 2>&1; then
		fail "$rm_file: nft -f rejects it:"
		cat "$tmp/err" >&2
	fi
	if nft_table_exists "$table"; then
		fail "$rm_file: table $table still there after removal"
		nft delete table inet "$table"
	fi
}

# --- iptables -------------------------------------------------------------

ipt_cmd() {
	if [ "$1" = 4 ]; then echo iptables; else echo ip6tables; fi
}

# check_ipt FILE FAMILY REMOVE...: REMOVE is a restore file, or "cmds"
# to remove the chain with the iptables commands the README gives.
check_ipt() {
	f=$1
	cmd=$(ipt_cmd "$2")
	rm_file=$3
	if [ ! -s "$f" ]; then
		[ -s "$rm_file" ] &&
			fail "$rm_file: removes something its empty install never added"
		return
	fi
	chain=$(sed -n 's/^:\(PTRAP_[A-Z0-9_]*\) - \[0:0\]$/\1/p' "$f")
	if [ -z "$chain" ]; then
		fail "$f: no ':PTRAP_... - [0:0]' line"
		return
	fi
	# A rule of the user's own, there before and after: --noflush must
	# keep it, and ptrap's jump must come after it.
	$cmd -t raw -A OUTPUT -p udp --dport 9 -j ACCEPT
	if ! "$cmd"-restore --noflush <"$f" >"$tmp/err" 2>&1; then
		fail "$f: $cmd-restore --noflush rejects it:"
		cat "$tmp/err" >&2
		$cmd -t raw -D OUTPUT -p udp --dport 9 -j ACCEPT
		return
	fi
	want=$(grep -c "^-A $chain " "$f")
	got=$($cmd -t raw -S "$chain" | grep -c "^-A $chain ")
	[ "$want" = "$got" ] ||
		fail "$f: $want rules in the file, $got in the kernel"
	$cmd -t raw -S OUTPUT | grep '^-A OUTPUT' >"$tmp/output"
	if ! sed -n 1p "$tmp/output" | grep -q -- '--dport 9 -j ACCEPT$' ||
	   [ "$(sed -n '$p' "$tmp/output")" != "-A OUTPUT -j $chain" ] ||
	   [ "$(wc -l <"$tmp/output")" -ne 2 ]; then
		fail "$f: raw OUTPUT is not 'user rule, then one jump to $chain':"
		cat "$tmp/output" >&2
	fi
	if [ "$rm_file" = cmds ]; then
		if ! { $cmd -t raw -D OUTPUT -j "$chain" &&
		       $cmd -t raw -F "$chain" &&
		       $cmd -t raw -X "$chain"; }; then
			fail "$f: the README's removal commands fail"
		fi
	elif ! "$cmd"-restore --noflush <"$rm_file" >"$tmp/err" 2>&1; then
		fail "$rm_file: $cmd-restore --noflush rejects it:"
		cat "$tmp/err" >&2
	fi
	if $cmd -t raw -S "$chain" >/dev/null 2>&1; then
		fail "$f: chain $chain still there after removal"
		$cmd -t raw -D OUTPUT -j "$chain" 2>/dev/null
		$cmd -t raw -F "$chain"
		$cmd -t raw -X "$chain"
	fi
	# iptables-nft may leave the empty built-in raw table: that is fine.
	$cmd -t raw -S OUTPUT | grep '^-A OUTPUT' >"$tmp/output"
	[ "$(cat "$tmp/output")" = "-A OUTPUT -p udp -m udp --dport 9 -j ACCEPT" ] ||
		fail "$f: raw OUTPUT after removal is not just the user's rule"
	$cmd -t raw -D OUTPUT -p udp --dport 9 -j ACCEPT
}

# --- the generator's goldens ------------------------------------------------

n=0
for f in "$data"/*.nft; do
	[ -e "$f" ] || break
	base=${f%.nft}
	for ext in ipt4 ipt6 nft-remove ipt4-remove ipt6-remove; do
		[ -e "$base.$ext" ] || fail "$base.$ext missing"
	done
	check_nft_golden "$f"
	check_ipt "$base.ipt4" 4 "$base.ipt4-remove"
	check_ipt "$base.ipt6" 6 "$base.ipt6-remove"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no golden files in $data"
note "checked $n generated rulesets"

# The generator splits multiport at 15 slots, a range taking two: confirm
# that is exactly the limit iptables enforces.
ports13=1,2,3,4,5,6,7,8,9,10,11,12,13
printf '*raw\n:PTRAP_LIMIT - [0:0]\n-A PTRAP_LIMIT -p udp -m multiport --dports %s,100:200 -j ACCEPT\nCOMMIT\n' \
	"$ports13" >"$tmp/15.rules"
printf '*raw\n:PTRAP_LIMIT - [0:0]\n-A PTRAP_LIMIT -p udp -m multiport --dports %s,14,100:200 -j ACCEPT\nCOMMIT\n' \
	"$ports13" >"$tmp/16.rules"
iptables-restore --noflush <"$tmp/15.rules" ||
	fail "iptables rejects a multiport match of 15 slots"
iptables-restore --noflush <"$tmp/16.rules" 2>/dev/null &&
	fail "iptables accepts 16 multiport slots: the split is too cautious"
iptables -t raw -F PTRAP_LIMIT && iptables -t raw -X PTRAP_LIMIT

# --- the examples in rules/ ---------------------------------------------------

f=$examples/ptrap.nft
if nft_prepare "$f" "$tmp/example.nft"; then
	if ! nft -f "$tmp/example.nft" >"$tmp/err" 2>&1; then
		fail "$f: nft -f rejects it:"
		cat "$tmp/err" >&2
	elif [ "$(nft_table_rules ptrap_manual)" != 4 ]; then
		fail "$f: table ptrap_manual does not hold 4 rules"
	elif ! nft -f "$tmp/example.nft" >"$tmp/err" 2>&1 ||
	     [ "$(nft_table_rules ptrap_manual)" != 4 ]; then
		fail "$f: loading it a second time does not replace the table"
	fi
	nft delete table inet ptrap_manual ||
		fail "$f: 'nft delete table inet ptrap_manual' fails"
	nft_table_exists ptrap_manual &&
		fail "$f: table ptrap_manual still there after removal"
fi
check_ipt "$examples/ptrap-iptables.rules" 4 cmds
check_ipt "$examples/ptrap-ip6tables.rules" 6 cmds

if [ "$status" -eq 0 ]; then
	note "ok"
fi
exit "$status"
