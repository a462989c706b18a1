#!/bin/sh
# -r with several files: a ring written by -C/-W read by a quoted pattern,
# by names and by repeated -r, as one capture in the order of the files'
# first packets; each file once; -u/-t/--icmp/-c select; options -r
# cannot honour and filter expressions are refused (exit 2); a damaged
# file is named and the rest still summarised (exit 1).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
start_dnsmasq

R=$WORK/ring
mkdir "$R"
# --every-packet: a report per packet written, TCP segments included; -W 64:
# the ring must not wrap (a comment with the parent chain and cgroup is
# most of a 1 kB file)
start_ptrap live -u -t --icmp -n 0 --every-packet -j -i $DNS4 -w "$R/ptrap.pcapng" -C 0.001 -W 64
run_digs 6 192.0.2.1 @$DNS4 example.test
run_digs 2 192.0.2.1 @$DNS4 example.test +tcp
ping -c 2 -i 0.2 $DNS4 >/dev/null || fail "ping failed"
sleep 0.2
stop_ptrap INT
live=$(grep -c '"type":"packet"' "$WORK/live.out")
ls "$R" >"$WORK/files"
nf=$(wc -l <"$WORK/files")
info "$live packets reported live, in $nf files: $(tr '\n' ' ' <"$WORK/files")"
[ "$nf" -ge 3 ] || fail "-C 0.001 made only $nf files"
grep -qx 'ptrap.pcapng00' "$WORK/files" || fail "no ptrap.pcapng00 in the ring"

total() {	# total ARGS...: the totals line's packet count of ptrap -r -j ARGS
	"$PTRAP" -j "$@" | sed -n 's/.*"type":"total","packets":\([0-9]*\).*/\1/p'
}
# the quoted pattern, ptrap expanding it
n=$(total -r "$R/ptrap.pcapng*")
[ "$n" = "$live" ] || fail "-r 'ptrap.pcapng*' counted $n packets, $live were reported live"
# names, repeated -r, and one file twice: the same
set -- $(sed "s|^|$R/|" "$WORK/files")
first=$1
n=$(total -r "$@")
[ "$n" = "$live" ] || fail "-r FILE... counted $n, expected $live"
shift
n=$(total -r "$first" -r "$first" $(printf -- '-r %s ' "$@") "$R/ptrap.pcapng*")
[ "$n" = "$live" ] || fail "-r with repeats counted $n, expected $live (each file once)"

# Order by contents: the ring's files under names that sort backwards.
O=$WORK/order
mkdir "$O"
i=$nf
for f in $(cat "$WORK/files"); do
	cp "$R/$f" "$O/$(printf 'f%02d' "$i")"
	i=$((i - 1))
done
"$PTRAP" -v -r "$O/f*" 2>"$WORK/order.err" >/dev/null || fail "-r of the copies failed"
sed -n 's|^ptrap: read .*/\(f[0-9]*\): .*|\1|p' "$WORK/order.err" >"$WORK/order.got"
ls "$O" | sort -r >"$WORK/order.want"
diff -u "$WORK/order.want" "$WORK/order.got" >&2 ||
	fail "files not read in the order of their first packets (- expected, + read)"

# -u, -t, --icmp, -c select by protocol, as the live rules did
python3 - "$WORK/live.out" >"$WORK/protos" <<'PY'
import json, sys
n = {"udp": 0, "tcp": 0, "icmp": 0, "syn": 0}
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("type") != "packet":
        continue
    n[o["proto"]] += 1
print(n["udp"], n["tcp"], n["icmp"])
PY
read -r nu nt ni <"$WORK/protos"
info "live: udp $nu, tcp $nt, icmp $ni"
[ "$nu" -ge 6 ] && [ "$nt" -ge 2 ] && [ "$ni" -eq 2 ] || fail "unexpected live mix: $nu $nt $ni"
[ "$(total -u -r "$R/ptrap.pcapng*")" = "$nu" ] || fail "-r -u did not count the UDP packets only"
[ "$(total -t -r "$R/ptrap.pcapng*")" = "$nt" ] || fail "-r -t did not count the TCP packets only"
[ "$(total --icmp -r "$R/ptrap.pcapng*")" = "$ni" ] || fail "-r --icmp did not count the pings only"
[ "$(total -u --icmp -r "$R/ptrap.pcapng*")" = "$((nu + ni))" ] || fail "-r -u --icmp is not both"
syn=$(total -t -c -r "$R/ptrap.pcapng*")
[ "$syn" -ge 2 ] && [ "$syn" -lt "$nt" ] || fail "-r -t -c counted $syn of $nt TCP segments"
"$PTRAP" -j -t -c -r "$R/ptrap.pcapng*" --by flow | grep -v '"type":"total"' |
	grep -v '"dport":53,' >&2 && fail "-r -c kept a segment that is not a SYN to port 53"

# refused, never ignored
for args in "--count 3" "-n 5" "-e true" "-s 0" "-w $WORK/x.pcapng" "--queue-num 9"; do
	"$PTRAP" $args -r "$R/ptrap.pcapng00" >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ $rc -eq 2 ] || fail "-r with $args exited $rc: $(cat "$WORK/err")"
	grep -q "does not apply to -r" "$WORK/err" || fail "-r with $args: $(cat "$WORK/err")"
	[ ! -s "$WORK/out" ] || fail "-r with $args printed a summary"
done
"$PTRAP" -r "$R/ptrap.pcapng00" udp port 53 >"$WORK/out" 2>"$WORK/err"
[ $? -eq 2 ] && grep -q "'udp' is a filter expression" "$WORK/err" ||
	fail "-r FILE udp port 53: $(cat "$WORK/err")"
"$PTRAP" -r "$R/nothing*" >"$WORK/out" 2>"$WORK/err"
[ $? -eq 1 ] && grep -q "no file matches" "$WORK/err" || fail "-r 'nothing*': $(cat "$WORK/err")"

# a damaged file among good ones: named, the rest still counted, exit 1
head -c 100 "$first" >"$O/f00"
n0=$(total -r "$first")
"$PTRAP" -j -r "$O/f*" >"$WORK/out" 2>"$WORK/err"
rc=$?
[ $rc -eq 1 ] || fail "-r with a damaged file exited $rc"
grep -q "f00:" "$WORK/err" || fail "the damaged file is not named: $(cat "$WORK/err")"
n=$(sed -n 's/.*"type":"total","packets":\([0-9]*\).*/\1/p' "$WORK/out")
[ "$n" -ge "$((live - n0))" ] || fail "with a damaged file: $n packets, expected at least $((live - n0))"
grep -q '"damaged_files":1' "$WORK/out" || fail "totals do not count the damaged file: $(tail -n 1 "$WORK/out")"
exit 0
