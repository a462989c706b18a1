#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Sends the hand-made payloads of crafted.pcap (make-fixtures.sh runs it
inside the network namespace, while tcpdump captures).  Each payload is
one DNS, TLS or HTTP case that no ordinary client produces: two
questions, malformed names, lying counts, messages split over segments.
The TLS ClientHellos are real ones, made by Python's ssl module."""

import socket
import ssl
import struct
import sys
import time

ADDR = "192.0.2.53"


def hdr(qd=1, an=0, ns=0, ar=0, flags=0x0100, qid=0x1234):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def name(*labels):
    out = b""
    for lab in labels:
        lab = lab.encode() if isinstance(lab, str) else lab
        out += bytes([len(lab)]) + lab
    return out + b"\0"


def q(n, qtype=1, qclass=1):
    return n + struct.pack("!HH", qtype, qclass)


def udp(port, payload):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(payload, (ADDR, port))
    s.close()
    time.sleep(0.05)


def tcp(port, pieces, pause=0.2):
    """Each piece its own segment (TCP_NODELAY and a pause between)."""
    s = socket.create_connection((ADDR, port), timeout=3)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    for p in pieces:
        s.sendall(p)
        time.sleep(pause)
    try:
        s.shutdown(socket.SHUT_WR)
        s.settimeout(1)
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
    time.sleep(0.05)


def client_hello(server_name, alpn=None):
    """The first flight of a real TLS client, without sending it."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    if alpn:
        ctx.set_alpn_protocols(alpn)
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(inc, out, server_hostname=server_name)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return out.read()


def dns_cases():
    ex = name("example", "test")
    # two questions; the second's suffix points at the first's (offset 12)
    two = hdr(qd=2) + q(ex, 1) + q(b"\x03www\xc0\x0c", 28)
    udp(53, two)
    # the same over TCP, one segment
    tcp(53, [struct.pack("!H", len(two)) + two])
    # mDNS with the unicast-response bit, LLMNR
    udp(5353, hdr(flags=0, qid=0) + q(name("printer", "local"), 12, 0x8001))
    udp(5355, hdr(flags=0) + q(name("host"), 1))
    # a query on a port that is not DNS's, and bytes that are no query
    udp(9, hdr() + q(ex, 16))
    udp(9, bytes(range(40)))
    # malformed
    udp(53, hdr() + b"\xc0\x0c" + b"\0\1\0\1")                # points at itself
    udp(53, hdr() + b"\xc0\x0e\xc0\x0c" + b"\0\1\0\1")        # loop of two
    udp(53, hdr() + b"\x01a\xc0\x20" + b"\0\1\0\1")           # forward
    udp(53, hdr() + b"\x01a\xc0\x05" + b"\0\1\0\1")           # into the header
    udp(53, hdr() + b"\x3fabc")                               # label past end
    udp(53, hdr() + b"\x41abc\0\0\1\0\1")                     # label type 01
    udp(53, hdr(qd=3) + q(ex))                                # qdcount lies
    udp(53, hdr() + name("example", "test") + b"\0\1")        # qclass missing
    udp(53, hdr()[:5])                                        # short header
    udp(53, hdr() + q(ex) + b"trailer")                       # bytes after
    long1 = name(*["a" * 61] * 4)                             # 249 bytes
    udp(53, hdr(qd=2) + q(long1) + q(b"\x09ninebytes\xc0\x0c"))  # 259 > 255
    udp(53, hdr() + q(name(*["x"] * 127)))                    # 255, the most
    udp(53, b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n")  # not DNS
    # TCP: a message over two segments; a length prefix alone first
    one = hdr() + q(name("www", "example", "test"), 28)
    msg = struct.pack("!H", len(one)) + one
    tcp(53, [msg[:10], msg[10:]])
    tcp(53, [msg[:2], msg[2:]])


def tls_cases():
    hello = client_hello("split.example.test", ["h2", "http/1.1"])
    tcp(4433, [hello])                               # whole, one segment
    tcp(4433, [hello[:60], hello[60:]])              # cut before the SNI
    tcp(4433, [hello[:300], hello[300:]])            # cut after it
    tcp(53, [client_hello("tunnel.example.test")])   # through port 53


def http_cases():
    tcp(8080, [b"GET / HTTP/1.0\r\nUser-Agent: crafted\r\n\r\n"])
    tcp(8080, [b"GET / HTTP/1.1\r\nHost: one.example.test\r\n"
               b"HOST: two.example.test\r\n\r\n"])
    tcp(8080, [b"GET /" + b"x" * 100, b"x" * 100 + b" HTTP/1.1\r\n"
               b"Host: long.example.test\r\n\r\n"])
    tcp(8080, [b"POST /up HTTP/1.1\r\nhOsT:\t[2001:db8::53]:8080 \r\n"
               b"Content-Length: 0\r\n\r\n"])


def main():
    for case in sys.argv[1:] or ["dns", "tls", "http"]:
        {"dns": dns_cases, "tls": tls_cases, "http": http_cases}[case]()


if __name__ == "__main__":
    main()
