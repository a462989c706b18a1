#!/bin/sh
# -w under logrotate: mv FILE FILE.1, then SIGHUP.  The moved file is
# finished (every packet trapped before the signal, whole blocks), a new
# file is started at FILE, tshark reads both without a warning, the two
# hold exactly the packets ptrap reported live (each dig's query in exactly
# one file, none twice), every packet names its output interface, "lo", and
# libpcap (tcpdump -r) reads both files to the end.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
command -v tshark >/dev/null || skip "tshark missing"
start_dnsmasq

CAP="$WORK/out.pcapng"
start_ptrap live -u -i $DNS4 -p 53 -j -w "$CAP"
DIG_PIDS=""
run_digs 10 192.0.2.1 @$DNS4 example.test +time=20
BEFORE=$DIG_PIDS
mv "$CAP" "$CAP.1"
kill -HUP "$PTRAP_PID"
for _ in $(seq 1 100); do
	[ -e "$CAP" ] && break
	sleep 0.05
done
[ -e "$CAP" ] || fail "no new $CAP after SIGHUP"
DIG_PIDS=""
run_digs 10 192.0.2.1 @$DNS4 example.test +time=20
AFTER=$DIG_PIDS
stop_ptrap INT

for f in "$CAP.1" "$CAP"; do
	tshark -r "$f" -T fields -e frame.interface_name -e frame.comment \
		>"$f.fields" 2>"$WORK/tshark.err" || fail "tshark -r $f failed"
	grep -v "Running as user \"root\"" "$WORK/tshark.err" | grep . >&2 &&
		fail "tshark warned on $f (above)"
	if command -v tcpdump >/dev/null; then
		n=$(tcpdump -nr "$f" 2>"$WORK/tcpdump.err" | wc -l)
		[ "$n" -eq "$(wc -l <"$f.fields")" ] ||
			fail "tcpdump read $n packets of $f: $(cat "$WORK/tcpdump.err")"
	fi
done
python3 - "$WORK" "$BEFORE" "$AFTER" <<'PY' || fail "logrotate check failed (see above)"
import json, os, re, sys
work, before, after = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
live = [json.loads(l)["pid"] for l in open(os.path.join(work, "live.out"))
        if json.loads(l)["type"] == "packet"]
def pids(name):
    out = []
    for l in open(os.path.join(work, name + ".fields")):
        ifname, comment = l.rstrip("\n").split("\t", 1)
        if ifname != "lo":
            print("%s: a packet on interface %r, not lo" % (name, ifname)); sys.exit(1)
        out.append(int(re.match(r"PID: (\d+)", comment).group(1)))
    return out
old, new = pids("out.pcapng.1"), pids("out.pcapng")
print("# %d packets in the moved file, %d in the new one, %d reported live" %
      (len(old), len(new), len(live)))
bad = 0
if len(old) + len(new) != len(live) or sorted(old + new) != sorted(live):
    print("files hold %r + %r, live %r" % (old, new, live)); bad += 1
if sorted(old) != sorted(int(p) for p in before):
    print("moved file: %r, expected the first digs %r" % (old, before)); bad += 1
if sorted(new) != sorted(int(p) for p in after):
    print("new file: %r, expected the later digs %r" % (new, after)); bad += 1
sys.exit(1 if bad else 0)
PY
# The summaries of the two files add up to what was reported live.
t1=$("$PTRAP" -r "$CAP.1" -j | sed -n 's/.*"type":"total","packets":\([0-9]*\).*/\1/p')
t2=$("$PTRAP" -r "$CAP" -j | sed -n 's/.*"type":"total","packets":\([0-9]*\).*/\1/p')
[ "$((t1 + t2))" -eq 20 ] || fail "ptrap -r: $t1 + $t2 packets, expected 20"
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
