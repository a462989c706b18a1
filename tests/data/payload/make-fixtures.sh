#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Re-create the payload decoder fixtures with the real tools (as root,
# Debian 12):   tests/data/payload/make-fixtures.sh
# Inside a private network namespace (documentation addresses only):
# dnsmasq on 192.0.2.53 and 2001:db8::53 (tests/lib.sh), openssl s_server
# on port 4433, python3's http.server on port 8080; tcpdump on lo writes one
# capture per client: dig.pcap, curl-tls.pcap, curl-http.pcap, crafted.pcap;
# and from them tests/fuzz/corpus/payload (seeds.py).
# Then the goldens: PTRAP_UPDATE_GOLDEN=1 tests/unit/test_payload (build tree)
# and review their diff (the DNS ids and ports change with every run).
PTRAP=${PTRAP:-/bin/true}
. "$(dirname "$0")/../../lib.sh"
netns_enter "$@"
OUT=$(cd "$(dirname "$0")" && pwd)
start_dnsmasq

cap_start() {
	# cap_start FILE FILTER: tcpdump on lo until cap_stop; immediate mode, or
	# the packets still in its ring buffer at SIGINT are lost
	_file=$1
	tcpdump -i lo -U --immediate-mode -s 0 -w "$OUT/$_file" "$2" >"$WORK/$_file.log" 2>&1 &
	CAP=$!
	for _ in $(seq 1 50); do
		grep -q "listening on" "$WORK/$_file.log" && return 0
		sleep 0.1
	done
	fail "tcpdump did not start: $(cat "$WORK/$_file.log")"
}
cap_stop() {
	sleep 0.5
	kill -INT "$CAP"
	wait "$CAP"
	info "$_file: $(tcpdump -r "$OUT/$_file" 2>/dev/null | wc -l) packets"
}
# q DIG-ARGS: one query; dig's own text of the question it sent goes to
# dig-questions.txt, the oracle for the escaper and the type names
q() {
	dig +qr +noall +question +tries=1 +time=1 "$@" >"$WORK/q.out" 2>&1
	grep '^;' "$WORK/q.out" | head -n 1 | tr -s '\t' ' ' >>"$OUT/dig-questions.txt"
}

: >"$OUT/dig-questions.txt"
cap_start dig.pcap "port 53 or port 5300"
q @$DNS4 example.test A
q @$DNS4 www.example.test AAAA
q @$DNS4 example.test TXT
q @$DNS6 example.test A
q +tcp @$DNS4 example.test A
q @$DNS4 'a\.b.example.test' A
q @$DNS4 'x\000y.example.test' A
q @$DNS4 'q\"\ \;\\.example.test' A
q @$DNS4 MiXeD.Example.TEST MX
q @$DNS4 _sip._tcp.example.test SRV
q @$DNS4 example.test HTTPS
q @$DNS4 example.test TYPE65534
q @$DNS4 version.bind TXT CH
q @$DNS4 -x 192.0.2.1
q @$DNS4 . NS
q @$DNS4 'a\@\$\(\).x' A
q -p 5300 @$DNS4 example.test A	# nobody there: the query alone
cap_stop

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" -days 1 \
	-subj /CN=www.example.test >/dev/null 2>&1 || fail "openssl req failed"
openssl s_server -quiet -www -accept 4433 -cert "$WORK/cert.pem" \
	-key "$WORK/key.pem" >"$WORK/s_server.log" 2>&1 </dev/null &
PIDS_TO_KILL="$PIDS_TO_KILL $!"
python3 -m http.server 8080 --bind "$DNS4" --directory "$WORK" >/dev/null 2>&1 &
PIDS_TO_KILL="$PIDS_TO_KILL $!"
python3 -m http.server 8080 --bind "$DNS6" --directory "$WORK" >/dev/null 2>&1 &
PIDS_TO_KILL="$PIDS_TO_KILL $!"
sleep 1

cap_start curl-tls.pcap "tcp port 4433"
curl -sk --resolve www.example.test:4433:$DNS4 https://www.example.test:4433/ >/dev/null ||
	fail "curl https failed"
curl -sk --http1.1 --resolve Mixed.Example.TEST:4433:$DNS4 \
	https://Mixed.Example.TEST:4433/ >/dev/null || fail "curl --http1.1 failed"
curl -sk https://$DNS4:4433/ >/dev/null || fail "curl https to an address failed"
openssl s_client -connect $DNS4:4433 -servername tls12.example.test -tls1_2 \
	-alpn 'x-odd,h2' </dev/null >/dev/null 2>&1 || fail "openssl s_client failed"
cap_stop

cap_start curl-http.pcap "tcp port 8080"
curl -s --resolve www.example.test:8080:$DNS4 http://www.example.test:8080/ >/dev/null ||
	fail "curl http failed"
curl -sI http://$DNS4:8080/ >/dev/null || fail "curl -I failed"
curl -s "http://[$DNS6]:8080/" >/dev/null || fail "curl to [$DNS6] failed"
curl -s -H 'Host: WWW.Example.TEST.' http://$DNS4:8080/ >/dev/null || fail "curl -H Host failed"
curl -s -H "Host: $(printf 'a\001b.ex ample.test')" http://$DNS4:8080/ >/dev/null ||
	fail "curl with an odd Host failed"
curl -s -d x=1 http://$DNS4:8080/ >/dev/null	# http.server answers 501
cap_stop

# tshark's reading of the same ClientHellos and requests: a second oracle
tshark -r "$OUT/curl-tls.pcap" -Y "tls.handshake.type == 1" -T fields \
	-e frame.number -e tls.handshake.extensions_server_name \
	-e tls.handshake.extensions_alpn_str >"$OUT/tshark-tls.txt" 2>/dev/null ||
	fail "tshark failed"
tshark -r "$OUT/curl-http.pcap" -Y http.request -T fields -e frame.number \
	-e http.request.method -e http.host >"$OUT/tshark-http.txt" 2>/dev/null ||
	fail "tshark failed"

cap_start crafted.pcap "port 53 or port 5353 or port 5355 or port 9 or port 4433 or port 8080"
python3 "$OUT/crafted.py" || fail "crafted.py failed"
cap_stop

# the fuzzer's seeds: every client payload of these captures
rm -rf "$OUT/../../fuzz/corpus/payload"
python3 "$OUT/seeds.py" "$OUT/../../fuzz/corpus/payload" "$OUT"/*.pcap ||
	fail "seeds.py failed"
exit 0
