#!/bin/sh
# Malformed and unusual packets crafted on raw sockets: ptrap survives,
# gives every queued packet a verdict and reports the ones it cannot
# attribute as unknown with a reason; the trap still works afterwards.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
start_dnsmasq

cat >"$WORK/send.py" <<'PY'
import socket, struct, sys

A4, A6 = "192.0.2.53", "2001:db8::53"
QUERY = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
         b"\x07example\x04test\x00\x00\x01\x00\x01")

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip4(payload, proto=17, ihl=5, frag=0, ident=0x4242, opts=b""):
    a = socket.inet_aton(A4)
    return struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0,
                       20 + len(opts) + len(payload), ident, frag, 64,
                       proto, 0, a, a) + opts + payload

def ip6(nh, payload):
    a = socket.inet_pton(socket.AF_INET6, A6)
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64,
                       a, a) + payload

def udp(sport, data, length=None):
    return struct.pack("!HHHH", sport, 53, length or 8 + len(data), 0) + data

def send(name, fam, pkt):
    # IPPROTO_RAW: we write the IP header ourselves (IP_HDRINCL implied).
    s = socket.socket(fam, socket.SOCK_RAW, socket.IPPROTO_RAW)
    try:
        s.sendto(pkt, (A4 if fam == socket.AF_INET else A6, 0))
        print("sent", name)
    except OSError as e:
        print("refused", name, e.strerror)
    s.close()

V4, V6 = socket.AF_INET, socket.AF_INET6
for _ in range(int(sys.argv[1])):
    # header length below the minimum / beyond the packet
    send("ihl4", V4, ip4(udp(40001, QUERY), ihl=4))
    send("ihl15", V4, ip4(udp(40002, QUERY), ihl=15))
    # options (IHL 6): valid but unusual
    send("ihl6", V4, ip4(udp(40003, QUERY), ihl=6, opts=b"\x01\x01\x01\x00"))
    # a 3-byte UDP header, v4 and v6
    send("udptrunc", V4, ip4(b"\x9c\x44\x00"))
    send("udptrunc6", V6, ip6(17, b"\x9c\x44\x00"))
    # UDP length field longer than the datagram
    send("udplen", V4, ip4(udp(40004, QUERY, length=2000)))
    # fragments: first with MF, then the rest; and a lone later fragment
    body = udp(40005, QUERY + b"x" * 40)
    send("frag1", V4, ip4(body[:32], frag=0x2000, ident=0x777))
    send("frag2", V4, ip4(body[32:], frag=4, ident=0x777))
    send("fraglate", V4, ip4(b"y" * 16, frag=100, ident=0x778))
    # ICMP port unreachable quoting a UDP packet (ICMP is not trapped)
    inner = ip4(udp(40006, QUERY))
    icmp = struct.pack("!BBHI", 3, 3, 0, 0) + inner
    icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
    send("icmp", V4, ip4(icmp, proto=1))
    # ten destination-options headers, then UDP
    chain = b""
    for i in range(10):
        chain += struct.pack("!BB", 60 if i < 9 else 17, 0) + b"\x01\x04" + b"\0" * 4
    send("ext6", V6, ip6(60, chain + udp(40007, QUERY)))
PY

# queue_total (3rd column) and id_sequence (8th) of our queue.
queue_col() { awk -v c="$1" '$1 == 4253 { print $c }' /proc/net/netfilter/nfnetlink_queue; }

# -n 0: every crafted packet must be reported, many share a flow.
start_ptrap bad -u -i $DNS4 -i $DNS6 -p 53 -j -n 0
python3 "$WORK/send.py" 1 >"$WORK/sent" || fail "sender failed"
info "what the kernel let through: $(sort "$WORK/sent" | tr '\n' ',')"
# IHL < 5 or beyond the packet: the kernel refuses to send (EINVAL).
grep -qx "refused ihl4 Invalid argument" "$WORK/sent" || fail "kernel sent IHL 4?"
grep -qx "refused ihl15 Invalid argument" "$WORK/sent" || fail "kernel sent IHL 15?"
[ "$(grep -c '^sent' "$WORK/sent")" -eq 9 ] || fail "sends failed: $(cat "$WORK/sent")"
sleep 0.5
[ "$(queue_col 3)" -eq 0 ] || fail "$(queue_col 3) packets still queued"

# What reaches the queue (iptables -p udp --dport 53 matches): the option-
# carrying packet, the lying UDP length, the reassembled fragments (the
# lone late fragment waits in defrag and the truncated UDP headers never
# match) and the IPv6 packet behind ten extension headers.
python3 - "$WORK/bad.out" <<'PY' || fail "reports of crafted packets wrong (see above)"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
sports = sorted(e["sport"] for e in ev)
if sports != [40003, 40004, 40005, 40007]:
    print("reported source ports %r, expected 40003 40004 40005 40007" % sports)
    sys.exit(1)
named = 0
for e in ev:
    # Raw sockets are not in sock_diag's UDP table: no pid, but a reason;
    # the send-time record, made as the sender sent, names the sender.
    if e["pid"] is not None and e["comm"] == "python3" and e["inode"] is None \
       and e["uid"] == 0 and e["dport"] == 53:
        named += 1
        continue
    if e["pid"] is not None or e["pids"] or e["uid"] != 0 or not e.get("problem") \
       or e["dport"] != 53:
        print("bad report: %r" % e)
        sys.exit(1)
print("# %d named from the send-time record; reason given for the others: %s"
      % (named, [e.get("problem") for e in ev if e["pid"] is None][:1]))
PY
[ "$(queue_col 8)" -eq 4 ] || fail "kernel queued $(queue_col 8) packets, ptrap reported 4"

# A burst of 200 rounds: still running, nothing left in the queue.
python3 "$WORK/send.py" 200 >/dev/null || fail "sender failed"
sleep 1
kill -0 "$PTRAP_PID" 2>/dev/null || fail "ptrap died in the burst"
[ "$(queue_col 3)" -eq 0 ] || fail "$(queue_col 3) packets still queued after the burst"
n=$(grep -c '"type":"packet"' "$WORK/bad.out")
[ "$n" -eq 804 ] || fail "$n reports after the burst, expected 804"
[ "$(queue_col 8)" -eq 804 ] || fail "kernel queued $(queue_col 8), reported $n"
info "804 crafted packets queued and reported, queue_total back to 0"
run_digs 3 192.0.2.1 @$DNS4 example.test +time=3
run_digs 3 2001:db8::1 @$DNS6 example.test AAAA +time=3
stop_ptrap INT
exit 0
