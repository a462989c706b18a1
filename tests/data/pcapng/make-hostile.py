#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Writes the hostile captures in hostile/ (and the same bytes as fuzz
seeds in tests/fuzz/corpus/pcapng/hostile-*): each is what an attacker could
hand to `ptrap -r`.  test_pcapng reads every one and compares the outcome
with hostile/expected.  Run from anywhere; it writes next to itself."""
import os
import struct
import sys

here = os.path.dirname(os.path.abspath(__file__))
out = os.path.join(here, "hostile")
corpus = os.path.join(here, "..", "..", "fuzz", "corpus", "pcapng")


def block(btype, body, total=None, trailer=None):
    body += b"\0" * (-len(body) % 4)
    n = 12 + len(body)
    return struct.pack("<II", btype, n if total is None else total) + body + \
        struct.pack("<I", n if trailer is None else trailer)


def shb(section_len=-1):
    return block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, section_len))


def idb(linktype=101, snaplen=65535, opts=b""):
    return block(1, struct.pack("<HHI", linktype, 0, snaplen) + opts)


def opt(code, val):
    return struct.pack("<HH", code, len(val)) + val + b"\0" * (-len(val) % 4)


PKT = bytes.fromhex("4500001c000100004011f7cbc0000201c0000235d4310035000803e8")


def epb(data=PKT, if_id=0, caplen=None, opts=b""):
    cl = len(data) if caplen is None else caplen
    body = struct.pack("<IIIII", if_id, 0, 0, cl, len(data)) + data
    body += b"\0" * (-len(body) % 4) + opts
    return block(6, body)


good = shb() + idb() + epb(opts=opt(1, b"PID: 1\nComm: x") + opt(0, b""))
cases = {
    "truncated-shb": good[:20],
    "truncated-epb": good[:len(good) - 9],
    "len-zero": shb() + struct.pack("<II", 6, 0) + b"\0" * 16,
    "len-fffffffc": shb() + struct.pack("<II", 6, 0xFFFFFFFC) + b"\0" * 64,
    "len-not-mult4": shb() + idb() + struct.pack("<II", 6, 31) + b"\0" * 32,
    "len-trailer-differs": shb() + idb() + block(6, epb()[8:-4], trailer=44),
    "opt-past-block": shb() + idb() + epb(opts=struct.pack("<HH", 1, 400) + b"abcd"),
    "idb-opt-past-block": shb() + idb(opts=struct.pack("<HH", 2, 4000) + b"lo\0\0") + epb(),
    "bad-byte-order": block(0x0A0D0D0A, struct.pack("<IHHq", 0x11223344, 1, 0, -1)),
    "unknown-version": block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 2, 0, -1)),
    "snaplen-4g": shb() + idb(snaplen=0xFFFFFFFF) + epb(caplen=0xFFFFFFF0),
    "caplen-past-block": shb() + idb() + epb(caplen=4096),
    "if-id-unknown": shb() + idb() + epb(if_id=7),
    "epb-before-idb": shb() + epb(),
    "pcap-caplen-4g": struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 0xFFFFFFFF, 101) +
        struct.pack("<IIII", 0, 0, 0xFFFFFFFF, 0xFFFFFFFF) + b"\0" * 64,
    "pcap-truncated-record": struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101) +
        struct.pack("<IIII", 0, 0, 100, 100) + b"\0" * 10,
    # 5000 interfaces in one section: past the 4096 kept, refused
    "too-many-interfaces": shb() + idb() * 5000 + epb(),
    # a name longer than we keep: cut, still read
    "long-if-name": shb() + idb(opts=opt(2, b"x" * 3000)) + epb(),
    # a section whose declared length is a lie, then a good one
    "section-length-lie": shb(section_len=8) + idb() + epb() + good,
    # only the first kind of option matters once; many comments are fine
    "many-options": shb() + idb() + epb(opts=opt(1, b"PID: 2") * 3000),
}

os.makedirs(out, exist_ok=True)
for name, data in sorted(cases.items()):
    with open(os.path.join(out, name + ".pcapng"), "wb") as f:
        f.write(data)
    if len(data) <= 64 * 1024:
        with open(os.path.join(corpus, "hostile-" + name), "wb") as f:
            f.write(data)
print("wrote %d files to %s" % (len(cases), out), file=sys.stderr)
