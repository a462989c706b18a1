#!/bin/sh
# Re-create the capture fixtures with the real tools (as root, Debian 12):
#   tests/data/pcapng/make-fixtures.sh
# Inside a private network namespace: dnsmasq on 192.0.2.53 (tests/lib.sh),
# three digs per capture, each capture stopped after its six packets.
# ptrap itself is not needed.
PTRAP=${PTRAP:-/bin/true}
. "$(dirname "$0")/../../lib.sh"
netns_enter "$@"
OUT=$(cd "$(dirname "$0")" && pwd)
start_dnsmasq

capture() {
	# capture FILE COMMAND...: run the capturing tool, three digs, stop it.
	_f=$1; shift
	"$@" >"$WORK/cap.log" 2>&1 &
	_cap=$!
	sleep 1
	for q in 1 2 3; do
		dig @$DNS4 example.test +short +tries=1 >/dev/null || fail "dig failed"
	done
	wait "$_cap" || { cat "$WORK/cap.log"; fail "$* failed"; }
	info "$_f: $(capinfos -T -c -E -l "$OUT/$_f" 2>/dev/null | tail -n 1)"
}

capture tcpdump-lo-dns.pcap tcpdump -i lo -c 6 -w "$OUT/tcpdump-lo-dns.pcap" udp port 53
capture tcpdump-any-nano.pcap tcpdump -i any -c 6 --time-stamp-precision=nano \
	-w "$OUT/tcpdump-any-nano.pcap" udp port 53
capture dumpcap-lo-dns.pcapng dumpcap -q -i lo -c 6 -f "udp port 53" \
	-w "$OUT/dumpcap-lo-dns.pcapng"
exit 0
