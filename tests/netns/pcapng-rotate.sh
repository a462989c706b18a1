#!/bin/sh
# -w with -C 0.01 -W 3 (tcpdump's rotation: FILE0..FILE2, reused in turn):
# after enough digs to wrap around, exactly three files remain, each a
# complete pcapng file tshark reads without a warning, each past the size
# limit by less than one packet (but the newest), and together they hold
# exactly the last packets ptrap reported live, in order, with none lost.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
command -v tshark >/dev/null || skip "tshark missing"
start_dnsmasq

CAP="$WORK/out.pcapng"
start_ptrap live -u -i $DNS4 -p 53 -j -w "$CAP" -C 0.01 -W 3
N=0
for b in 1 2 3 4 5 6 7 8; do
	run_digs 20 192.0.2.1 @$DNS4 example.test +time=20
	N=$((N + 20))
done
stop_ptrap INT

ls "$WORK" | grep '^out\.pcapng' >"$WORK/files"
[ "$(cat "$WORK/files")" = "$(printf 'out.pcapng0\nout.pcapng1\nout.pcapng2')" ] ||
	fail "files: $(cat "$WORK/files" | tr '\n' ' '), expected out.pcapng0..2"
for f in 0 1 2; do
	tshark -r "$CAP$f" -T fields -e frame.time_epoch -e frame.comment \
		>"$WORK/fields.$f" 2>"$WORK/tshark.txt"
	grep -v "Running as user \"root\"" "$WORK/tshark.txt" | grep . >&2 &&
		fail "tshark warned on out.pcapng$f (above)"
	"$PTRAP" -r "$CAP$f" >/dev/null || fail "ptrap -r out.pcapng$f failed"
done
python3 - "$WORK" $N <<'PY' || fail "rotation check failed (see above)"
import json, os, re, sys
work, n = sys.argv[1], int(sys.argv[2])
live = [json.loads(l)["pid"] for l in open(os.path.join(work, "live.out"))
        if json.loads(l)["type"] == "packet"]
files = []
for f in range(3):
    rows = [l.rstrip("\n").split("\t", 1) for l in open(os.path.join(work, "fields.%d" % f))]
    pids = [int(re.match(r"PID: (\d+)", c).group(1)) for _, c in rows]
    size = os.path.getsize(os.path.join(work, "out.pcapng%d" % f))
    files.append((float(rows[0][0]) if rows else 0, f, pids, size))
files.sort()
bad = 0
if len(live) != n:
    print("live reports: %d packets, expected %d" % (len(live), n)); bad += 1
seq = [p for _, _, pids, _ in files for p in pids]
print("# packets per file (oldest first): %s; sizes %s; %d of %d kept" %
      ([len(x[2]) for x in files], [x[3] for x in files], len(seq), n))
if not 0 < len(seq) < n:
    print("the files hold %d of %d packets: nothing rotated away?" % (len(seq), n)); bad += 1
if seq != live[len(live) - len(seq):]:
    print("the files do not hold the newest packets in order"); bad += 1
for _, f, pids, size in files[:2]:
    # Rotated when larger than 10000 bytes: by less than one packet block.
    if not 10000 < size < 10000 + 1024:
        print("out.pcapng%d: %d bytes, expected 10001..11023" % (f, size)); bad += 1
if files[2][3] > 10000 + 1024:
    print("newest file: %d bytes" % files[2][3]); bad += 1
sys.exit(1 if bad else 0)
PY
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
