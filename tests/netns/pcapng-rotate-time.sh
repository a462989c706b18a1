#!/bin/sh
# -w with -G 1 (a new file each second, named by strftime as tcpdump does):
# digs spread over about three seconds land in two or more files, each a
# complete pcapng file tshark and libpcap read without a warning, and the
# files together hold every packet ptrap reported live, each exactly once.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
command -v tshark >/dev/null || skip "tshark missing"
start_dnsmasq

start_ptrap live -u -i $DNS4 -p 53 -j -w "$WORK/g-%s.pcapng" -G 1
DIG_PIDS=""
for b in 1 2 3 4; do
	run_digs 3 192.0.2.1 @$DNS4 example.test +time=20
	[ "$b" -eq 4 ] || sleep 1
done
stop_ptrap INT

ls "$WORK" | grep '^g-[0-9]*\.pcapng$' >"$WORK/files"
nf=$(wc -l <"$WORK/files")
[ "$nf" -ge 2 ] || fail "-G 1 over 3 s made $nf files: $(cat "$WORK/files" | tr '\n' ' ')"
: >"$WORK/all.fields"
for f in $(cat "$WORK/files"); do
	tshark -r "$WORK/$f" -T fields -e frame.comment >"$WORK/one.fields" \
		2>"$WORK/tshark.err" || fail "tshark -r $f failed"
	grep -v "Running as user \"root\"" "$WORK/tshark.err" | grep . >&2 &&
		fail "tshark warned on $f (above)"
	if command -v tcpdump >/dev/null; then
		n=$(tcpdump -nr "$WORK/$f" 2>"$WORK/tcpdump.err" | wc -l)
		[ "$n" -eq "$(wc -l <"$WORK/one.fields")" ] ||
			fail "tcpdump read $n packets of $f: $(cat "$WORK/tcpdump.err")"
	fi
	info "$f: $(wc -l <"$WORK/one.fields") packets"
	cat "$WORK/one.fields" >>"$WORK/all.fields"
done
python3 - "$WORK" $DIG_PIDS <<'PY' || fail "-G check failed (see above)"
import json, os, re, sys
work, digs = sys.argv[1], sorted(int(p) for p in sys.argv[2:])
live = sorted(json.loads(l)["pid"] for l in open(os.path.join(work, "live.out"))
              if json.loads(l)["type"] == "packet")
files = sorted(int(re.match(r"PID: (\d+)", l).group(1))
               for l in open(os.path.join(work, "all.fields")))
bad = 0
if live != digs:
    print("live reports %r, digs %r" % (live, digs)); bad += 1
if files != live:
    print("files hold %r, live %r" % (files, live)); bad += 1
sys.exit(1 if bad else 0)
PY
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
