#!/bin/sh
# Every ptrap command line of README (its indented blocks) and of the man
# page (its .EX blocks) runs as written: live ones start, trap, stop on
# SIGINT with status 0 and leave no rule; -r ones read
# tests/data/report's capture or say that a machine's path matches no
# file (never a usage error).  Their output is checked where it is shown:
# filter-docs.sh (expressions) and report-tables.sh (-r tables).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
start_dnsmasq

{
	awk '/^    (\$ )?ptrap / { sub(/^    (\$ )?/, ""); print }' "$TOP_SRCDIR/README"
	sed -n '/^\.EX/,/^\.EE/p' "$TOP_SRCDIR/man/ptrap.8" |
		sed -e 's/\\-/-/g' -e "s/\\\\(aq/'/g" -e 's/^\$ //' |
		grep -E '^(TZ=UTC )?ptrap '
} | grep -v -e 'ADDR\[' -e '\[OPTION\]' | sed 's/ |$//' >"$WORK/examples"
total=$(wc -l <"$WORK/examples")
[ "$total" -ge 15 ] || fail "only $total examples found: $(cat "$WORK/examples")"

n=0
while read -r line; do
	n=$((n + 1))
	eval "set -- $line"
	[ "$1" = "TZ=UTC" ] && shift
	shift	# ptrap
	case " $* " in
	*" -r "*)
		(cd "$TOP_SRCDIR/tests/data/report" && TZ=UTC "$PTRAP" "$@") \
			>"$WORK/out" 2>"$WORK/err"
		rc=$?
		[ $rc -eq 0 ] || { [ $rc -eq 1 ] && grep -q "no file matches" "$WORK/err"; } ||
			fail "'$line' exited $rc: $(cat "$WORK/err")"
		;;
	*)
		case " $* " in
		*" -q "*)	# quiet: no "trapping" line to wait for; the rules
			"$PTRAP" "$@" >"$WORK/doc$n.out" 2>"$WORK/doc$n.err" &
			PTRAP_PID=$!
			PIDS_TO_KILL="$PIDS_TO_KILL $PTRAP_PID"
			for _ in $(seq 1 100); do
				[ -n "$(ptrap_rules)" ] && break
				sleep 0.05
			done ;;
		*) start_ptrap doc$n "$@" ;;
		esac
		[ -n "$(ptrap_rules)" ] || case " $* " in *" --backend none "*) ;;
			*) fail "'$line': no rules installed" ;; esac
		dig @$DNS4 example.test +short +time=2 +tries=1 >/dev/null ||
			fail "'$line': dig failed"
		stop_ptrap INT
		[ -z "$(ptrap_rules)" ] || fail "'$line': rules left behind"
		;;
	esac
done <<EOF2
$(cat "$WORK/examples")
EOF2
info "ran $n documented command lines"
exit 0
