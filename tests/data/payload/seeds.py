#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the fuzz_payload seed corpus from the payload captures:
    seeds.py OUTDIR PCAP...
One file per distinct UDP/TCP payload that a client sent or a DNS server
answered (TLS and HTTP replies teach the fuzzer nothing), named after its
capture and frame:
a mode byte as tests/fuzz/fuzz_payload.c reads it (bit 0 TCP, bits 1-2 the
port: 53, 5353, 443 or 9), then the payload."""

import os
import struct
import sys

PORTS = {53: 0, 5353: 1, 5355: 0, 443: 2, 4433: 2, 8080: 3, 9: 3, 5300: 3}


def packets(path):
    with open(path, "rb") as f:
        head = f.read(24)
        magic = struct.unpack("<I", head[:4])[0]
        if magic not in (0xa1b2c3d4, 0xa1b23c4d):
            sys.exit("%s: not a little-endian classic pcap" % path)
        if struct.unpack("<I", head[20:24])[0] != 1:
            sys.exit("%s: not Ethernet" % path)
        n = 0
        while True:
            rec = f.read(16)
            if len(rec) < 16:
                return
            incl = struct.unpack("<IIII", rec)[2]
            n += 1
            yield n, f.read(incl)[14:]


def payload(ip):
    if ip[0] >> 4 == 4:
        hl, proto, end = (ip[0] & 15) * 4, ip[9], struct.unpack("!H", ip[2:4])[0]
    elif ip[0] >> 4 == 6:
        hl, proto, end = 40, ip[6], 40 + struct.unpack("!H", ip[4:6])[0]
    else:
        return None
    l4 = ip[hl:end]
    if proto == 17:
        return 0, struct.unpack("!HH", l4[:4]), l4[8:]
    if proto == 6:
        return 1, struct.unpack("!HH", l4[:4]), l4[(l4[12] >> 4) * 4:]
    return None


def main():
    out, seen = sys.argv[1], set()
    os.makedirs(out, exist_ok=True)
    for path in sys.argv[2:]:
        base = os.path.basename(path).rsplit(".", 1)[0]
        for n, ip in packets(path):
            p = payload(ip)
            if not p or not p[2] or p[2] in seen:
                continue
            seen.add(p[2])
            tcp, ports, data = p
            if ports[1] not in PORTS and ports[0] not in (53, 5353, 5355):
                continue
            port = next((PORTS[x] for x in ports if x in PORTS), 3)
            with open(os.path.join(out, "%s-%03d" % (base, n)), "wb") as f:
                f.write(bytes([tcp | port << 1]) + data)


if __name__ == "__main__":
    main()
