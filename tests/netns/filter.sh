#!/bin/sh
# ptrap with a filter expression, end to end: for several cases of
# tests/data/rules/filter/cases, ptrap runs with the case's command line
# and -w while tcpdump captures everything on lo; the traffic mix of
# filter-rules.sh runs (dig to dnsmasq over UDP and TCP, datagrams and
# connection attempts between several addresses and ports, ping).  The
# packets ptrap trapped (its pcapng file) must be exactly those libpcap
# selects from the full capture with the same expression, one report
# each, named after the real sender (dig, dnsmasq, python3, ping).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
for t in tcpdump tshark python3 dig dnsmasq; do
	command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
done
netns_enter "$@"
start_dnsmasq
data=$TOP_SRCDIR/tests/data/rules/filter

# One line per packet, the same for both files whatever their link type.
packets() {
	tshark -r "$1" ${2:+-Y "$2"} -T fields -E separator=' ' \
		-e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e ip.proto -e ipv6.nxt \
		-e udp.srcport -e udp.dstport -e tcp.srcport -e tcp.dstport \
		-e tcp.flags -e icmp.type -e icmpv6.type -e ip.len -e ipv6.plen \
		2>/dev/null | sort
}

for c in dns-v4 not-host src-qual parens-v6 options-and; do
	args=$(awk -v c="$c" '$1 == c { $1 = ""; print substr($0, 2) }' "$data/cases")
	expr=$(awk -v c="$c" '$1 == "#pcap" && $2 == c { $1 = $2 = ""; print substr($0, 3) }' "$data/cases")
	[ -n "$args" ] || fail "no case $c in $data/cases"
	[ -n "$expr" ] || expr=$args

	tcpdump -i lo --immediate-mode -U -s 256 -B 8192 -w "$WORK/$c.all.pcap" \
		2>"$WORK/tcpdump.err" &
	tcpdump_pid=$!
	for _ in $(seq 1 50); do
		grep -q listening "$WORK/tcpdump.err" && break
		sleep 0.1
	done
	# --every-packet: a report per trapped packet, TCP segments included
	# shellcheck disable=SC2086
	start_ptrap "$c" -j -n 0 --every-packet -w "$WORK/$c.pcapng" --flush $args
	grep -q "matching '" "$WORK/$c.err" || fail "$c: start line: $(cat "$WORK/$c.err")"
	filter_traffic
	sleep 0.3
	stop_ptrap INT
	kill -TERM "$tcpdump_pid"
	wait "$tcpdump_pid"
	grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.err" ||
		fail "$c: tcpdump lost packets: $(cat "$WORK/tcpdump.err")"

	tcpdump -r "$WORK/$c.all.pcap" -w "$WORK/$c.want.pcap" \
		"($expr) and ($PCAP_TRAPPABLE)" 2>/dev/null ||
		fail "$c: tcpdump cannot read '$expr'"
	packets "$WORK/$c.want.pcap" >"$WORK/$c.want"
	packets "$WORK/$c.pcapng" >"$WORK/$c.got"
	n=$(wc -l <"$WORK/$c.want")
	all=$(tcpdump -nr "$WORK/$c.all.pcap" 2>/dev/null | wc -l)
	[ "$n" -gt 0 ] && [ "$n" -lt "$all" ] ||
		fail "$c: the traffic does not tell the case apart ($n of $all match)"
	diff -u "$WORK/$c.want" "$WORK/$c.got" >"$WORK/$c.diff" ||
		{ cat "$WORK/$c.diff" >&2; fail "$c: ptrap trapped other packets than libpcap selects (- libpcap, + ptrap)"; }
	reports=$(grep -c '"type":"packet"' "$WORK/$c.out")
	[ "$reports" -eq "$n" ] || fail "$c: $reports reports for $n trapped packets"
	unknown=$(grep '"type":"packet"' "$WORK/$c.out" | grep -c '"pid":null')
	comms=$(grep -o '"comm":"[a-z0-9]*"' "$WORK/$c.out" | sort -u | tr '\n' ' ')
	info "$c: $n of $all packets trapped, as libpcap reads '$expr'; senders: $comms($unknown unknown)"
done

# The example of the brief and the man page: the hook sees each query of
# dig's, and nothing else is trapped.
start_ptrap hook -e 'echo hook for' udp and dst port 53 and dst host $DNS4
DIG_PIDS=""
run_digs 3 192.0.2.1 @$DNS4 example.test
dig @$DNS4 example.test +tcp +short +time=2 +tries=1 >/dev/null || fail "dig +tcp"
dig @$DNS6 example.test +short +time=2 +tries=1 >/dev/null || fail "dig over IPv6"
stop_ptrap INT
for p in $DIG_PIDS; do
	grep -q "Matching PID: $p comm=dig" "$WORK/hook.out" || fail "no report of dig $p"
	grep -q "^hook for $p$" "$WORK/hook.out" || fail "no hook for dig $p"
done
[ "$(grep -c 'Matching PID' "$WORK/hook.out")" -eq 3 ] ||
	fail "more than the three UDP queries to $DNS4 trapped: $(cat "$WORK/hook.out")"
[ -z "$(ptrap_rules)" ] || fail "rules left behind"

# An exclusion has a chain of its own with iptables: the statistics count
# its queue rule, kill -9 leaves it, and the next start removes it too.
start_ptrap stale -j udp and not dst host 192.0.2.54
dig @$DNS4 example.test +short +time=2 +tries=1 >/dev/null || fail "dig"
dig @$DNS6 example.test +short +time=2 +tries=1 >/dev/null || fail "dig -6"
kill -USR1 "$PTRAP_PID"
for _ in $(seq 1 50); do grep -q '"type":"stats"' "$WORK/stale.out" && break; sleep 0.1; done
stats=$(grep '"type":"stats"' "$WORK/stale.out") || fail "no statistics after SIGUSR1"
trapped=$(echo "$stats" | sed -n 's/.*"trapped":\([0-9]*\).*/\1/p')
matched=$(echo "$stats" | sed -n 's/.*"rule_matches":\([0-9]*\).*/\1/p')
[ "$trapped" -eq 4 ] || fail "trapped $trapped packets, expected two queries and two answers: $stats"
if grep -q 'backend iptables' "$WORK/stale.err"; then
	[ "$matched" = "$trapped" ] || fail "rule counters say $matched, ptrap trapped $trapped: $stats"
	iptables -w -t raw -S | grep -q '^-N PTRAP_4253_1$' || fail "no group chain PTRAP_4253_1"
fi
kill -9 "$PTRAP_PID"
wait "$PTRAP_PID" 2>/dev/null
start_ptrap restart udp and not dst host 192.0.2.54
if grep -q 'backend iptables' "$WORK/stale.err"; then
	grep -q "removed rules a dead ptrap left" "$WORK/restart.err" ||
		fail "restart did not remove the leftovers: $(cat "$WORK/restart.err")"
fi
stop_ptrap INT
[ -z "$(ptrap_rules)" ] || fail "rules left behind after kill -9 and restart: $(ptrap_rules)"
exit 0
