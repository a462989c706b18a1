#!/bin/sh
# The filter expression cases (tests/data/rules/filter/cases, their rule
# texts proved equal to src/rules.c's output by tests/unit/test_rules)
# against the real tools and real traffic, in a private network
# namespace: each case's nft script (with "queue" as "accept" where the
# kernel lacks the queue expression, as rules-matrix.sh does) and its
# iptables and ip6tables texts are loaded side by side, a fixed traffic
# mix runs (dig to dnsmasq, UDP and TCP between several addresses and
# ports, ping), and the packets the rules matched (their counters) must
# be exactly those libpcap, reading a capture of the same traffic with the
# same expression, counts.  The removal texts must then leave raw OUTPUT
# as it was.
#
# Exit: 0 ok, 1 failure, 77 skipped (not root, no unshare -n, no tools).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
for t in nft iptables-restore ip6tables-restore iptables-save ip6tables-save \
	tcpdump python3 dig dnsmasq awk; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
done
netns_enter "$@"
start_dnsmasq

data=$TOP_SRCDIR/tests/data/rules/filter
status=0
bad() { echo "FAIL: $*" >&2; status=1; }

for ext in nft ipt4 ipt6 nft-remove ipt4-remove ipt6-remove; do
	mkdir -p "$WORK/$ext"
	awk -v dir="$WORK/$ext" '
		/^# case: / { f = dir "/" $3; printf "" > f; next }
		{ print >> f }' "$data/all.$ext" || fail "cannot split all.$ext"
done
cases=$(awk '!/^#/ && NF { print $1 }' "$data/cases")
[ "$(echo "$cases" | wc -l)" -ge 10 ] || fail "too few cases in $data/cases"

printf 'table inet ptrap_probe {\n\tchain c {\n\t\tqueue num 0 bypass\n\t}\n}\n' >"$WORK/probe.nft"
nft_queue=0
nft -c -f "$WORK/probe.nft" >/dev/null 2>&1 && nft_queue=1

iptables-save -t raw | grep -v '^#' | sed 's/\[[0-9:]*\]//' >"$WORK/raw4.before"
ip6tables-save -t raw | grep -v '^#' | sed 's/\[[0-9:]*\]//' >"$WORK/raw6.before"

for c in $cases; do
	args=$(awk -v c="$c" '$1 == c { $1 = ""; print substr($0, 2) }' "$data/cases")
	expr=$(awk -v c="$c" '$1 == "#pcap" && $2 == c { $1 = $2 = ""; print substr($0, 3) }' "$data/cases")
	if [ -z "$expr" ]; then
		case $args in -*) fail "$c: options need a #pcap line in $data/cases" ;; esac
		expr=$args
	fi
	# load: nft (without the owner flag, to keep it), iptables, ip6tables
	f=$WORK/nft/$c
	if [ "$nft_queue" -eq 0 ]; then
		sed 's/queue num [0-9]* bypass/accept/' "$f" >"$f.accept"
		f=$f.accept
	fi
	grep -v '^	flags owner$' "$f" >"$f.kept"
	nft -f "$f.kept" >"$WORK/err" 2>&1 || { bad "$c: nft -f: $(head -n 3 "$WORK/err")"; continue; }
	for fam in 4 6; do
		cmd=iptables-restore
		[ $fam = 6 ] && cmd=ip6tables-restore
		[ -s "$WORK/ipt$fam/$c" ] || continue
		$cmd -w --noflush <"$WORK/ipt$fam/$c" >"$WORK/err" 2>&1 ||
			bad "$c: $cmd: $(head -n 3 "$WORK/err")"
	done

	tcpdump -i lo --immediate-mode -U -s 128 -B 8192 -w "$WORK/$c.pcap" 2>"$WORK/tcpdump.err" &
	tcpdump_pid=$!
	for _ in $(seq 1 50); do
		grep -q listening "$WORK/tcpdump.err" && break
		sleep 0.1
	done
	filter_traffic
	sleep 0.3
	# (a background job of a script ignores SIGINT)
	kill -TERM "$tcpdump_pid"
	wait "$tcpdump_pid"
	# small frames and a large ring: lo's 64 KiB MTU would fill it
	grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.err" ||
		fail "$c: tcpdump lost packets: $(cat "$WORK/tcpdump.err")"

	all=$(tcpdump -nr "$WORK/$c.pcap" 2>/dev/null | wc -l)
	want=$(tcpdump -nr "$WORK/$c.pcap" "($expr) and ($PCAP_TRAPPABLE)" 2>"$WORK/err" | wc -l)
	[ -s "$WORK/err" ] && grep -v '^reading from' "$WORK/err" | grep -q . &&
		bad "$c: tcpdump cannot read '$expr': $(cat "$WORK/err")"
	got_nft=$(nft list table inet ptrap_4253 | awk '
		/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) }
		END { print n + 0 }')
	got_ipt=$({ iptables-save -c -t raw; ip6tables-save -c -t raw; } | awk '
		/-j NFQUEUE/ { gsub(/[\[\]]/, "", $1); split($1, a, ":"); n += a[1] }
		END { print n + 0 }')
	info "$c: $want of $all packets match '$args'; nft rules $got_nft, iptables rules $got_ipt"
	[ "$want" -gt 0 ] && [ "$want" -lt "$all" ] ||
		bad "$c: the traffic does not tell the case apart ($want of $all match)"
	[ "$got_nft" -eq "$want" ] || bad "$c: nft rules matched $got_nft packets, libpcap $want"
	[ "$got_ipt" -eq "$want" ] || bad "$c: iptables rules matched $got_ipt packets, libpcap $want"

	# remove
	nft delete table inet ptrap_4253 || bad "$c: cannot delete the nft table"
	for fam in 4 6; do
		cmd=iptables
		[ $fam = 6 ] && cmd=ip6tables
		[ -s "$WORK/ipt$fam-remove/$c" ] || continue
		$cmd-restore -w --noflush <"$WORK/ipt$fam-remove/$c" >"$WORK/err" 2>&1 ||
			bad "$c: $cmd-restore removal: $(head -n 3 "$WORK/err")"
		$cmd-save -t raw | grep -v '^#' | sed 's/\[[0-9:]*\]//' |
			cmp -s - "$WORK/raw$fam.before" ||
			bad "$c: raw table of $cmd differs after removal"
	done
done
info "checked $(echo "$cases" | wc -l) cases (nft queue expression: $nft_queue)"
exit $status
