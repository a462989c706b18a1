# Shared helpers for ptrap's shell tests.  Source it, then call netns_enter
# "$@" first: the test re-runs itself inside a private network namespace.
# Exit codes follow automake: 0 pass, 1 fail, 77 skip.

set -u

: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PTRAP:=$TOP_SRCDIR/src/ptrap}"
DNS4=192.0.2.53
DNS6=2001:db8::53

fail() {
	echo "FAIL: $*" >&2
	# ptrap's own account of the run, for the CI log.
	for _f in "${WORK:-/nonexistent}"/*.err; do
		[ -f "$_f" ] && { echo "---- $_f (last lines)" >&2; tail -n 20 "$_f" >&2; }
	done
	exit 1
}
skip() { echo "SKIP: $*" >&2; exit 77; }
info() { echo "# $*" >&2; }

netns_enter() {
	[ "$(id -u)" -eq 0 ] || skip "needs root (network namespace, firewall rules)"
	[ -x "$PTRAP" ] || fail "no ptrap binary at $PTRAP (run make first)"
	if [ -z "${PTRAP_TEST_INSIDE:-}" ]; then
		unshare -n true 2>/dev/null || skip "cannot create a network namespace (unshare -n)"
		PTRAP_TEST_INSIDE=1 exec unshare -n sh "$0" "$@"
	fi
	ip link set lo up
	ip addr add "$DNS4/32" dev lo
	ip addr add "$DNS6/128" dev lo nodad
	WORK=$(mktemp -d /tmp/ptrap-test.XXXXXX)
	PIDS_TO_KILL=""
	trap cleanup EXIT
	trap 'exit 1' INT TERM
}

cleanup() {
	for p in $PIDS_TO_KILL; do kill -9 "$p" 2>/dev/null; done
	wait 2>/dev/null
	if [ "${KEEP_WORK:-}" ]; then info "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}

# A DNS server on the documentation addresses: example.test -> 192.0.2.1 / 2001:db8::1
start_dnsmasq() {
	dnsmasq --conf-file=/dev/null --keep-in-foreground --port=53 \
		--listen-address=$DNS4 --listen-address=$DNS6 --bind-interfaces \
		--address=/example.test/192.0.2.1 --address=/example.test/2001:db8::1 \
		--no-resolv --no-hosts --user=root --pid-file= --max-tcp-connections=200 \
		--log-facility=/dev/null &
	DNSMASQ_PID=$!
	PIDS_TO_KILL="$PIDS_TO_KILL $DNSMASQ_PID"
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		dig @$DNS4 example.test +short +time=1 +tries=1 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	fail "dnsmasq did not answer"
}

# start_ptrap NAME ARGS...: runs ptrap in the background, stdout in
# $WORK/NAME.out, stderr in $WORK/NAME.err, pid in PTRAP_PID; waits until
# its rules are in place.
start_ptrap() {
	_name=$1; shift
	"$PTRAP" "$@" >"$WORK/$_name.out" 2>"$WORK/$_name.err" &
	PTRAP_PID=$!
	PIDS_TO_KILL="$PIDS_TO_KILL $PTRAP_PID"
	for _ in $(seq 1 100); do
		grep -q "trapping" "$WORK/$_name.err" 2>/dev/null && return 0
		kill -0 "$PTRAP_PID" 2>/dev/null || { cat "$WORK/$_name.err" >&2; fail "ptrap $* exited early"; }
		sleep 0.05
	done
	cat "$WORK/$_name.err" >&2
	fail "ptrap $* did not start"
}

# stop_ptrap SIGNAL: sends it, waits, checks exit status 0.
stop_ptrap() {
	kill -"$1" "$PTRAP_PID"
	wait "$PTRAP_PID"
	_rc=$?
	[ "$_rc" -eq 0 ] || { cat "$WORK"/*.err >&2; fail "ptrap exited $_rc after SIG$1"; }
}

# The firewall as the user sees it, for before/after comparisons.
firewall_snapshot() {
	for t in raw mangle nat filter; do
		echo "== iptables -t $t"; iptables -w -t $t -S 2>&1
		echo "== ip6tables -t $t"; ip6tables -w -t $t -S 2>&1
	done
	echo "== nft tables"; nft list tables 2>&1 | grep -v -e '^table ip raw$' -e '^table ip6 raw$' | sort
}

# ptrap's own rules: must be empty when it is not running.
ptrap_rules() {
	{ iptables -w -t raw -S; ip6tables -w -t raw -S; nft list tables; } 2>/dev/null |
		grep -i ptrap
}

need_python() { command -v python3 >/dev/null || fail "python3 missing"; }

# run_digs N ANSWER DIG-ARGS...: N digs at once; each must print ANSWER.
# Appends their pids, in start order, to DIG_PIDS.
run_digs() {
	_n=$1 _want=$2; shift 2
	_pids="" _bind=""
	# dig sets SO_REUSEPORT before binding port 0, so the kernel may give
	# two parallel digs the same source port: identical 5-tuples, and the
	# answers then go to one socket.  Over UDP each dig gets its own port,
	# below the ephemeral range.
	case " $* " in
	*" +tcp "*) ;;
	*" @"*:*) _bind="::" ;;
	*) _bind="0.0.0.0" ;;
	esac
	for _i in $(seq 1 "$_n"); do
		DIG_PORT=$(( ${DIG_PORT:-20000} + 1 ))
		dig +short +tries=1 ${_bind:+-b "$_bind#$DIG_PORT"} "$@" \
			>"$WORK/dig.$$.$_i" 2>&1 &
		_pids="$_pids $!"
	done
	_i=0
	for _p in $_pids; do
		_i=$((_i + 1))
		wait "$_p" || fail "dig $* (pid $_p) failed: $(cat "$WORK/dig.$$.$_i")
ptrap's reports of that pid: $(grep -h -e "\"pid\":$_p[,}]" -e "PID: $_p " "$WORK"/*.out 2>/dev/null | cut -c1-300)"
		# With +tries=2 a retried query prints its timeout before the answer.
		[ "$(tail -n 1 "$WORK/dig.$$.$_i")" = "$_want" ] ||
			fail "dig $* (pid $_p) answered '$(cat "$WORK/dig.$$.$_i")', expected $_want"
		[ "$(wc -l <"$WORK/dig.$$.$_i")" -eq 1 ] ||
			info "dig pid $_p needed a retry: $(head -n 1 "$WORK/dig.$$.$_i")"
	done
	DIG_PIDS="${DIG_PIDS:-}$_pids"
}

# Packets ptrap can trap, in libpcap's words: UDP, TCP, the ICMP requests
# of rules.c and ICMPv6 echo requests (no extension headers in our tests).
PCAP_TRAPPABLE='udp or tcp or (icmp and (icmp[0] = 8 or icmp[0] = 13 or icmp[0] = 15 or icmp[0] = 17)) or (icmp6 and ip6[40] = 128)'

# filter_traffic: a fixed mix for the filter tests, all on lo: DNS queries
# to dnsmasq (start_dnsmasq first) over UDP and TCP, both families; UDP
# datagrams and TCP connection attempts between 192.0.2.53, 192.0.2.54,
# 198.51.100.7 (v4) and 2001:db8::53, 2001:db8::54 (v6) to and from
# several ports, 53 included; one ping per destination.
filter_traffic() {
	for _a in 192.0.2.54/32 198.51.100.7/32; do
		ip addr add "$_a" dev lo 2>/dev/null
	done
	ip addr add 2001:db8::54/128 dev lo nodad 2>/dev/null
	dig @$DNS4 example.test +short +tries=1 +time=2 >/dev/null
	dig @$DNS6 example.test AAAA +short +tries=1 +time=2 >/dev/null
	dig @$DNS4 example.test +tcp +short +tries=1 +time=2 >/dev/null
	dig @$DNS6 example.test +tcp +short +tries=1 +time=2 >/dev/null
	python3 - <<'PY'
import socket
v4 = ["192.0.2.53", "192.0.2.54", "198.51.100.7"]
v6 = ["2001:db8::53", "2001:db8::54"]
dports = [22, 53, 80, 853, 2000, 5353]
sport = 40000
for fam, addrs in ((socket.AF_INET, v4), (socket.AF_INET6, v6)):
    for src in addrs:
        for dst in addrs:
            for dport in dports:
                # source port 53 only where dnsmasq does not hold it
                for sp in ([sport, 53] if src not in ("192.0.2.53", "2001:db8::53") else [sport]):
                    s = socket.socket(fam, socket.SOCK_DGRAM)
                    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    s.bind((src, sp))
                    s.sendto(b"ptrap-filter-test", (dst, dport))
                    s.close()
                    sport += 1
                if dport in (53, 80, 853, 2000):
                    t = socket.socket(fam, socket.SOCK_STREAM)
                    t.settimeout(1)
                    t.bind((src, 0))
                    try:
                        t.connect((dst, dport))
                    except OSError:
                        pass
                    t.close()
PY
	for _d in 192.0.2.53 192.0.2.54 198.51.100.7 2001:db8::53 2001:db8::54; do
		ping -c 1 -W 1 "$_d" >/dev/null 2>&1
	done
}
