#!/bin/sh
# Makes tests/data/report/dig.pcapng: ptrap's own capture of real traffic in
# a private network namespace, dnsmasq answering on 192.0.2.53: six digs over
# UDP (a.example.test twice, b.example.test, c.example.test as A, AAAA and
# TXT), two over TCP, one ping and one UDP datagram from python3.  In a
# pid namespace of its own, so the comments' parent chains end at its sh:
#   PTRAP_TEST_INSIDE=1 unshare -p -f -n --mount-proc \
#       sh tests/data/report/make-fixture.sh tests/data/report/dig.pcapng
# Run as root from the source tree after make.
. "${TOP_SRCDIR:-$(dirname "$0")/../../..}/tests/lib.sh"
OUT=$(realpath "$1")
netns_enter "$@"
start_dnsmasq
start_ptrap fix -u -t --icmp -n 0 -i $DNS4 -w "$OUT"
for n in a a b; do
	dig +short +tries=1 @$DNS4 $n.example.test >/dev/null
done
for t in A AAAA TXT; do
	dig +short +tries=1 @$DNS4 c.example.test $t >/dev/null
done
dig +short +tries=1 +tcp @$DNS4 a.example.test >/dev/null
dig +short +tries=1 +tcp @$DNS4 d.example.test >/dev/null
ping -c 2 -i 0.2 $DNS4 >/dev/null
/usr/bin/python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("192.0.2.53", 9999))'
sleep 0.3
stop_ptrap INT
