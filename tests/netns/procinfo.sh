#!/bin/sh
# Issue 16's process details for real processes, through procinfo-probe:
# the parent chain of sh -c '...', a comm that is a log line, a process
# moved into a systemd-style cgroup (its unit) and into a docker-style one
# (runtime and id), and user and group names.  Then ptrap's own reports
# (text, JSON, the -w comment read back by -r and tshark) for a dig run
# by nobody from sh -c under a test.service cgroup and one under a
# docker-style scope.  The cgroups are made under the cgroup2 mount found
# in /proc/self/mountinfo and removed on any exit; 77 if cgroup2 is
# missing or not writable.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"

PROBE=$(dirname "$PTRAP")/../tests/netns/procinfo-probe
[ -x "$PROBE" ] || fail "no $PROBE (make check builds it)"
probe() { "$PROBE" "$1" >"$WORK/probe.out" || fail "procinfo-probe $1 failed"; }
field() { sed -n "s/^$1=//p" "$WORK/probe.out"; }
expect() {
	_got=$(field "$1")
	[ "$_got" = "$2" ] || fail "$1: want '$2', got '$_got' ($(tr '\n' ' ' <"$WORK/probe.out"))"
}
bg() { "$@" & _bg=$!; PIDS_TO_KILL="$PIDS_TO_KILL $_bg"; }
# until the background process has exec'd what it runs
wait_comm() {
	for _ in $(seq 1 100); do
		[ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ] && return 0
		sleep 0.02
	done
	fail "process $1 never became '$2'"
}

# 1. the chain: "; exit 0" keeps sh from exec'ing sleep in its place
bg sh -c 'sleep 30; exit 0'
sh_pid=$_bg
sleep_pid=
for _ in $(seq 1 50); do
	sleep_pid=$(pgrep -P "$sh_pid" -x sleep) && break
	sleep 0.05
done
[ -n "$sleep_pid" ] || fail "no sleep under sh $sh_pid"
probe "$sleep_pid"
chain=$(field chain)
info "chain: $chain"
above=$(cat "/proc/$PPID/comm")
case $chain in
"sleep($sleep_pid) < sh($sh_pid) < sh($$) < $above($PPID)"*) ;;
*) fail "chain of sleep: $chain" ;;
esac
case $chain in
*"(1)" | *" < ...") ;;
*) fail "chain does not end at pid 1: $chain" ;;
esac
kill "$sh_pid" "$sleep_pid" 2>/dev/null

# 2. a comm that forges a report line and an ancestor: one line, escaped
evil=$(printf 'x\n[0] PID: 1 <y')
ln -s "$(command -v sleep)" "$WORK/$evil"
bg "$WORK/$evil" 30
wait_comm "$_bg" "$evil"
probe "$_bg"
[ "$(grep -c '^chain=' "$WORK/probe.out")" -eq 1 ] || fail "chain split: $(cat "$WORK/probe.out")"
case $(field chain) in
"x\\n[0] PID: 1 \\x3cy($_bg) < sh($$) < "*) ;;
*) fail "hostile comm not escaped: $(field chain)" ;;
esac
grep -q '^\[0\]' "$WORK/probe.out" && fail "a forged line got through"
kill "$_bg"

# 3. cgroups: the v2 mount, never a fixed path
cg=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
	/proc/self/mountinfo | head -n 1)
cgroot=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $4; break } }' \
	/proc/self/mountinfo | head -n 1)
[ -n "$cg" ] || skip "no cgroup2 mount"
[ "$cgroot" = / ] || skip "cgroup2 mounted from $cgroot, not its root"
slice=test-ptrap-$$.slice
cg_cleanup() {
	for d in "$cg/$slice"/*/; do
		[ -d "$d" ] || continue
		# what is left in it goes back to the root first
		while read -r _p; do echo "$_p" >"$cg/cgroup.procs"; done <"$d/cgroup.procs" 2>/dev/null
		rmdir "$d"
	done
	[ -d "$cg/$slice" ] && rmdir "$cg/$slice"
	[ -d "$cg/$slice" ] && echo "cgroup $cg/$slice left behind" >&2
	return 0
}
trap 'cleanup; cg_cleanup' EXIT
mkdir "$cg/$slice" 2>/dev/null || skip "cgroup2 at $cg is not writable"
mkdir "$cg/$slice/ptrap-test.service"
move() { echo "$1" >"$cg/$slice/$2/cgroup.procs" || fail "cannot move $1 into $2"; }

bg sleep 30
move "$_bg" ptrap-test.service
grep -qx "0::/$slice/ptrap-test.service" "/proc/$_bg/cgroup" || fail "kernel: $(cat /proc/$_bg/cgroup)"
probe "$_bg"
expect cgroup "/$slice/ptrap-test.service"
expect unit ptrap-test.service
expect user_unit ""
expect runtime ""
expect user root
expect group root

# 4. a docker-style scope, its process run as nobody
id=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
[ ${#id} -eq 64 ] || fail "no 64-digit id: $id"
mkdir "$cg/$slice/docker-$id.scope"
bg setpriv --reuid=65534 --regid=65534 --clear-groups sleep 30
wait_comm "$_bg" sleep
move "$_bg" "docker-$id.scope"
probe "$_bg"
expect unit "docker-$id.scope"
expect runtime docker
expect id "$id"
expect short_id "$(echo "$id" | cut -c1-12)"
expect user "$(getent passwd 65534 | cut -d: -f1)"
expect group "$(getent group 65534 | cut -d: -f1)"
info "docker-style: $(tr '\n' ' ' <"$WORK/probe.out")"

# 5. ptrap's reports: dig by nobody from sh -c in test.service, and in the docker scope
need_python
start_dnsmasq
nobody=$(getent passwd 65534 | cut -d: -f1)
nogroup=$(getent group 65534 | cut -d: -f1)
mkdir "$cg/$slice/test.service"
# sh moves itself into the cgroup, then waits for the go: the chain is sh's
run_in() {	# CGROUP OUTFILE: a dig by nobody, from sh -c, in that cgroup
	rm -f "$WORK/go"
	setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
		'while [ ! -e "$1/go" ]; do sleep 0.05; done; dig @'$DNS4' example.test +short +time=5 +tries=1 >"$2"; exit 0' \
		sh "$WORK" "$2" &
	_sh=$!
	move "$_sh" "$1"
	touch "$WORK/go"
	wait "$_sh" || fail "sh -c dig in $1 failed"
	[ "$(cat "$2")" = 192.0.2.1 ] || fail "dig in $1 answered '$(cat "$2")'"
}
chmod 777 "$WORK"
start_ptrap text -u -i $DNS4 -p 53 -w "$WORK/cap.pcapng"
run_in test.service "$WORK/dig1"
run_in "docker-$id.scope" "$WORK/dig2"
sleep 0.3
stop_ptrap INT
info "text: $(head -n 1 "$WORK/text.out")"
grep -q " user=$nobody group=$nogroup unit=test.service chain=\"dig([0-9]*) < sh([0-9]*) < " "$WORK/text.out" ||
	fail "no text report with user, unit and chain: $(cat "$WORK/text.out")"
grep -qE " cgroup=/$slice/test\.service dns A\? example\.test\$" "$WORK/text.out" || fail "no cgroup in: $(cat "$WORK/text.out")"
grep -q " container=docker:$(echo "$id" | cut -c1-12) chain=\"dig(" "$WORK/text.out" ||
	fail "no container in: $(cat "$WORK/text.out")"

start_ptrap json -u -i $DNS4 -p 53 -j
run_in test.service "$WORK/dig3"
sleep 0.3
stop_ptrap INT
python3 - "$WORK/json.out" "$nobody" "$slice" <<'PY' || fail "JSON report check failed"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
p = [e for e in ev if e["type"] == "packet"]
assert p, "no packet report"
e = p[0]
assert e["user"] == sys.argv[2] and e["uid"] == 65534, e
assert e["unit"] == "test.service" and e["cgroup"] == "/%s/test.service" % sys.argv[3], e
c = e["chain"]
assert c[0] == {"pid": e["pid"], "comm": "dig"} and c[1]["comm"] == "sh" and c[1]["pid"] == e["ppid"], c
# up to pid 1, or cut at PROCTREE_DEPTH (16) nodes in a deeper tree (the
# sanitizer rerun under run-all's makes is one)
assert (e["chain_complete"] and c[-1]["pid"] == 1) or \
    (not e["chain_complete"] and len(c) == 16), c
assert e["container"] is None and e["exited"] is False, e
print("# json: user=%s unit=%s chain=%s" % (e["user"], e["unit"], " < ".join("%s(%d)" % (n["comm"], n["pid"]) for n in c)))
PY

# the comment: tshark shows it, -r reads it back
if command -v tshark >/dev/null; then
	tshark -r "$WORK/cap.pcapng" -T fields -e frame.comment 2>/dev/null >"$WORK/comments"
	grep -q "User: $nobody" "$WORK/comments" || fail "no User in comments: $(head -c 600 "$WORK/comments")"
	grep -q "Unit: test.service" "$WORK/comments" || fail "no Unit in comments"
	grep -q "Container: docker:$id" "$WORK/comments" || fail "no Container in comments"
	grep -q "Chain: dig([0-9]*) < sh(" "$WORK/comments" || fail "no Chain in comments"
	LUA="$TOP_SRCDIR/contrib/wireshark/ptrap.lua"
	if tshark -X lua_script:"$LUA" -r "$WORK/cap.pcapng" -c 1 -Y ptrap.pid >/dev/null 2>"$WORK/lua.err"; then
		n=$(tshark -X lua_script:"$LUA" -r "$WORK/cap.pcapng" \
			-Y "ptrap.unit == \"test.service\" && ptrap.user == \"$nobody\"" 2>/dev/null | wc -l)
		[ "$n" -ge 1 ] || fail "Lua plugin: ptrap.unit/ptrap.user selected $n packets"
		n=$(tshark -X lua_script:"$LUA" -r "$WORK/cap.pcapng" \
			-Y "ptrap.container == \"docker:$id\"" 2>/dev/null | wc -l)
		[ "$n" -ge 1 ] || fail "Lua plugin: ptrap.container selected $n packets"
	else
		info "tshark has no Lua here, Lua plugin not checked: $(cat "$WORK/lua.err")"
	fi
fi
"$PTRAP" -r "$WORK/cap.pcapng" >"$WORK/report" 2>&1 || fail "-r failed: $(cat "$WORK/report")"
grep -q "  dig (pid [0-9]*, uid [0-9]*) .*user=$nobody unit=test.service" "$WORK/report" || fail "-r: $(cat "$WORK/report")"
# --by user and --by unit group by the comment's fields
"$PTRAP" -r "$WORK/cap.pcapng" --by user >"$WORK/by-user" 2>&1 || fail "-r --by user failed"
grep -Eq "  $nobody( \([0-9]+ processes\))?\$" "$WORK/by-user" || fail "-r --by user: $(cat "$WORK/by-user")"
"$PTRAP" -r "$WORK/cap.pcapng" --by unit >"$WORK/by-unit" 2>&1 || fail "-r --by unit failed"
grep -Eq "  test\.service( \([0-9]+ processes\))?\$" "$WORK/by-unit" || fail "-r --by unit: $(cat "$WORK/by-unit")"
grep -q "container=docker:$(echo "$id" | cut -c1-12)" "$WORK/report" || fail "-r: no container: $(cat "$WORK/report")"
"$PTRAP" -r "$WORK/cap.pcapng" -j >"$WORK/report.json" 2>&1 || fail "-r -j failed"
grep -q '"unit":"test.service"' "$WORK/report.json" || fail "-r -j: $(cat "$WORK/report.json")"
"$PTRAP" -r "$WORK/cap.pcapng" --unit test >"$WORK/report.unit" 2>&1 || fail "-r --unit failed"
grep -q "unit=test.service" "$WORK/report.unit" && ! grep -q "container=" "$WORK/report.unit" ||
	fail "-r --unit test: $(cat "$WORK/report.unit")"
"$PTRAP" -r "$WORK/cap.pcapng" --container "docker:$(echo "$id" | cut -c1-6)" >"$WORK/report.ct" 2>&1 ||
	fail "-r --container failed"
grep -q "container=docker:" "$WORK/report.ct" && ! grep -q "unit=test.service" "$WORK/report.ct" ||
	fail "-r --container: $(cat "$WORK/report.ct")"

# 6. --unit and --container: only the wanted sender is reported, the rest counted
for f in "--unit test.service" "--container $(echo "$id" | cut -c1-8)"; do
	# shellcheck disable=SC2086 # two words on purpose
	start_ptrap filt -u -i $DNS4 -p 53 -j -v $f
	run_in test.service "$WORK/dig4"
	run_in "docker-$id.scope" "$WORK/dig5"
	sleep 0.3
	stop_ptrap INT
	n=$(grep -c '"type":"packet"' "$WORK/filt.out")
	[ "$n" -eq 1 ] || fail "$f: $n reports, want 1: $(cat "$WORK/filt.out")"
	case $f in
	--unit*) grep -q '"unit":"test.service"' "$WORK/filt.out" || fail "$f reported: $(cat "$WORK/filt.out")" ;;
	*) grep -q '"runtime":"docker"' "$WORK/filt.out" || fail "$f reported: $(cat "$WORK/filt.out")" ;;
	esac
	grep -q -e "1 not reported (--comm, --unit, --container)" -e '"comm_filtered":1[,}]' \
		"$WORK/filt.err" "$WORK/filt.out" ||
		fail "$f: not counted: $(cat "$WORK/filt.err")"
done
exit 0
