#!/bin/sh
# The option matrix (tests/data/rules/matrix/all.*, proved equal to
# src/rules.c's output by tests/unit/test_rules) against the real tools,
# case by case, in a private network namespace: nft -c -f for the nft
# script (a dry run in the kernel, so it needs the queue expression; where
# the kernel lacks it, "queue num N bypass" is checked as "accept" once nft
# has shown that the queue statement is all it rejects), and for iptables
# and ip6tables the install text is loaded, its jumps and rules counted,
# then the removal text must leave raw OUTPUT exactly as before.
#
# Exit: 0 ok, 1 failure, 77 skipped (not root, no unshare -n, no tools).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
for t in nft iptables-restore ip6tables-restore awk; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
done
netns_enter "$@"

data=$TOP_SRCDIR/tests/data/rules/matrix
status=0
bad() { echo "FAIL: $*" >&2; status=1; }

# split EXT: one file per case, $WORK/EXT/NAME
split() {
	mkdir -p "$WORK/$1"
	awk -v dir="$WORK/$1" '
		/^# case: / { f = dir "/" $3; printf "" > f; next }
		{ print >> f }' "$data/all.$1" || fail "cannot split all.$1"
}
for ext in nft ipt4 ipt6 nft-remove ipt4-remove ipt6-remove; do
	split $ext
done
cases=$(ls "$WORK/nft")
n=$(echo "$cases" | wc -l)
[ "$n" -eq 216 ] || fail "expected 216 cases in all.nft, found $n"

printf 'table inet ptrap_probe {\n\tchain c {\n\t\tqueue num 0 bypass\n\t}\n}\n' >"$WORK/probe.nft"
if nft -c -f "$WORK/probe.nft" >/dev/null 2>&1; then
	nft_queue=1
else
	nft_queue=0
	info "kernel lacks the nft queue expression: nft -c needs it (it is a" \
	     "kernel dry run); checking with 'queue ... bypass' -> 'accept'"
fi

iptables-restore -w --noflush <<EOF || fail "cannot add the user's raw rule"
*raw
-A OUTPUT -p udp --dport 9 -j ACCEPT
COMMIT
EOF
ip6tables-restore -w --noflush <<EOF || fail "cannot add the user's raw rule (v6)"
*raw
-A OUTPUT -p udp --dport 9 -j ACCEPT
COMMIT
EOF
iptables -w -t raw -S OUTPUT >"$WORK/out4.before"
ip6tables -w -t raw -S OUTPUT >"$WORK/out6.before"

# nft: every case as its own table in one file, one dry run for all.
i=0
for c in $cases; do
	i=$((i + 1))
	grep -qx 'delete table inet ptrap_4253' "$WORK/nft-remove/$c" ||
		bad "$c: nft removal text"
	echo "# case: $c"
	sed "s/ptrap_4253/ptrap_m$i/" "$WORK/nft/$c"
done >"$WORK/all.nft"
f=$WORK/all.nft
if [ "$nft_queue" -eq 0 ]; then
	if nft -c -f "$f" >"$WORK/err" 2>&1; then
		bad "nft -c accepted queue on a kernel without it?"
	elif grep 'Error:' "$WORK/err" |
	     grep -vq 'Could not process rule: No such file or directory'; then
		bad "nft rejects more than the queue statement:"
		head -n 20 "$WORK/err" >&2
	fi
	sed 's/queue num [0-9]* bypass/accept/' "$f" >"$f.accept"
	f=$f.accept
fi
if ! nft -c -f "$f" >"$WORK/err" 2>&1; then
	bad "nft -c -f rejects the matrix:"
	head -n 20 "$WORK/err" >&2
fi
# and loaded for real (without the owner flag, to look), then counted
grep -v '^	flags owner$' "$f" >"$f.kept"
if ! nft -f "$f.kept" >"$WORK/err" 2>&1; then
	bad "nft -f rejects the matrix:"
	head -n 20 "$WORK/err" >&2
else
	nft list ruleset | awk '
		/^table inet ptrap_m[0-9]+ {$/ { t = $3; n[t] = 0; next }
		/counter packets/ && t != "" { n[t]++ }
		/^}/ { t = "" }
		END { for (t in n) print t, n[t] }' >"$WORK/nft.got"
	i=0
	for c in $cases; do
		i=$((i + 1))
		echo "ptrap_m$i $(grep -c ' counter ' "$WORK/nft/$c") $c"
	done | awk 'NR == FNR { got[$1] = $2; next }
		$2 != got[$1] { printf "FAIL: %s: %s nft rules in the file, %s in the kernel\n", $3, $2, got[$1] + 0; bad = 1 }
		END { exit bad }' "$WORK/nft.got" - >&2 || status=1
	nft list tables | grep ptrap_m | sed 's/^table /delete table /' | nft -f - ||
		bad "cannot delete the matrix tables"
fi

# iptables: all cases, each with its own chain, in one restore per family;
# removal texts likewise.  Strip each case's *raw/COMMIT into one.
for fam in 4 6; do
	cmd=iptables
	[ $fam = 6 ] && cmd=ip6tables
	i=0
	: >"$WORK/counts$fam"
	{
		echo '*raw'
		for c in $cases; do
			i=$((i + 1))
			f=$WORK/ipt$fam/$c
			if [ ! -s "$f" ]; then
				[ -s "$WORK/ipt$fam-remove/$c" ] &&
					bad "$c: ipt$fam removes what it never added"
				continue
			fi
			echo "$c $i $(grep -c '^-A OUTPUT ' "$f") $(grep -c '^-A PTRAP_4253 ' "$f")" \
				>>"$WORK/counts$fam"
			grep -v -e '^\*raw$' -e '^COMMIT$' "$f" | sed "s/PTRAP_4253/PTRAP_M$i/"
		done
		echo COMMIT
	} >"$WORK/all.ipt$fam"
	i=0
	{
		echo '*raw'
		for c in $cases; do
			i=$((i + 1))
			f=$WORK/ipt$fam-remove/$c
			[ -s "$f" ] || continue
			grep -v -e '^\*raw$' -e '^COMMIT$' "$f" | sed "s/PTRAP_4253/PTRAP_M$i/"
		done
		echo COMMIT
	} >"$WORK/all.ipt$fam-remove"
	if ! $cmd-restore -w --test --noflush <"$WORK/all.ipt$fam" >"$WORK/err" 2>&1; then
		bad "$cmd-restore --test rejects the matrix:"; head -n 20 "$WORK/err" >&2
		continue
	fi
	if ! $cmd-restore -w --noflush <"$WORK/all.ipt$fam" >"$WORK/err" 2>&1; then
		bad "$cmd-restore rejects the matrix:"; head -n 20 "$WORK/err" >&2
		continue
	fi
	$cmd -w -t raw -S >"$WORK/loaded$fam"
	sed -n 2p "$WORK/loaded$fam" | grep -q -- '-A OUTPUT -p udp -m udp --dport 9 -j ACCEPT$' ||
		grep '^-A OUTPUT' "$WORK/loaded$fam" | head -n 1 | grep -q -- '--dport 9 -j ACCEPT$' ||
		bad "ipt$fam: the user's raw rule is no longer first"
	awk 'NR == FNR {
			if ($1 == "-A" && $2 == "OUTPUT") jumps[$NF]++
			else if ($1 == "-A") rules[$2]++
			next
		}
		{
			ch = "PTRAP_M" $2
			if (jumps[ch] != $3 || rules[ch] != $4) {
				printf "FAIL: %s: %s jumps and %s rules in the file, %s and %s in the kernel\n", $1, $3, $4, jumps[ch] + 0, rules[ch] + 0
				bad = 1
			}
		}
		END { exit bad }' "$WORK/loaded$fam" "$WORK/counts$fam" >&2 || status=1
	if ! $cmd-restore -w --noflush <"$WORK/all.ipt$fam-remove" >"$WORK/err" 2>&1; then
		bad "$cmd-restore rejects the removal texts:"; head -n 20 "$WORK/err" >&2
	fi
	$cmd -w -t raw -S OUTPUT | cmp -s - "$WORK/out$fam.before" ||
		bad "ipt$fam: raw OUTPUT differs after removal"
	$cmd -w -t raw -S | grep -q PTRAP_M && bad "ipt$fam: chains left after removal"
	info "ipt$fam: $(wc -l <"$WORK/counts$fam") cases loaded and removed"
done
info "checked $n cases (nft queue expression: $nft_queue)"
exit $status
