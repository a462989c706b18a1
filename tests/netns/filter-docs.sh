#!/bin/sh
# The filter expression examples of the documentation are run: README's
# "Filter expressions" section, the man page's FILTER EXPRESSIONS section
# (the two lists must be the same) and the examples of --help.  Each one
# must start, say what it matches, install rules, trap a DNS query where
# it selects one, and leave nothing behind.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
start_dnsmasq

# the section ends at the next underline but its own
awk '/^Filter expressions$/ { on = 1; next }
     on && /^-+$/ && ++lines > 1 { on = 0 }
     on && /^    ptrap / { sub(/^    /, ""); print }' "$TOP_SRCDIR/README" >"$WORK/readme"
sed -n '/^\.SH FILTER EXPRESSIONS/,/^\.SH /p' "$TOP_SRCDIR/man/ptrap.8" |
	awk '/^\.EX/ { ex = 1; next } /^\.EE/ { ex = 0 } ex && /^ptrap / { print }' |
	sed 's/\\-/-/g' >"$WORK/man"
[ "$(wc -l <"$WORK/readme")" -ge 5 ] || fail "no examples found in README: $(cat "$WORK/readme")"
diff -u "$WORK/readme" "$WORK/man" >&2 ||
	fail "README and the man page show different filter examples (- README, + man)"
"$PTRAP" --help | sed -n 's/^  \(ptrap .* udp and .*\)$/\1/p' >"$WORK/help"
[ -s "$WORK/help" ] || fail "no filter example in --help"

n=0
while read -r line; do
	n=$((n + 1))
	eval "set -- $line"
	shift	# "ptrap"
	start_ptrap doc$n "$@"
	grep -q "matching '" "$WORK/doc$n.err" || fail "'$line': start line lacks the expression"
	[ -n "$(ptrap_rules)" ] || fail "'$line': no rules installed"
	dig @$DNS4 example.test +short +time=2 +tries=1 >/dev/null || fail "'$line': dig failed"
	stop_ptrap INT
	[ -z "$(ptrap_rules)" ] || fail "'$line': rules left behind"
	# what the query to 192.0.2.53 and its answer must show
	case $line in
	*" not dst host 192.0.2.53"|*" not host 192.0.2.53") want=none ;;
	*" dst host 192.0.2.53") want=dig ;;
	*" src host 192.0.2.53") want=dnsmasq ;;
	*) want= ;;
	esac
	if [ "$want" = none ]; then
		! grep -q "Matching PID" "$WORK/doc$n.out" ||
			fail "'$line' trapped the query to 192.0.2.53 or its answer"
	elif [ -n "$want" ]; then
		grep -q "Matching PID: [0-9]* comm=$want " "$WORK/doc$n.out" ||
			fail "'$line' did not trap the packet of $want"
	fi
done <<EOF2
$(cat "$WORK/readme" "$WORK/help")
EOF2
info "ran $n documented examples"
exit 0
