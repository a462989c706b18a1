#!/bin/sh
# Privileges after set-up: ptrap keeps exactly CAP_NET_ADMIN, CAP_SYS_PTRACE
# and CAP_DAC_READ_SEARCH (effective, permitted and bounding), hooks get no
# capability unless --hook-caps, -Z USER switches ids and groups yet still
# names root's processes, creates -w files as USER and removes every rule at
# exit.  After the drop no_new_privs is set, the -Z user cannot become root
# again, and a hook holds no file descriptor of ptrap's.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
NOBODY_UID=$(id -u nobody 2>/dev/null) || skip "no user nobody"
NOBODY_GID=$(id -g nobody)
start_dnsmasq

# CAP_DAC_READ_SEARCH=2, CAP_NET_ADMIN=12, CAP_SYS_PTRACE=19
THREE="2 12 19"

# cap_bits HEX: the bit numbers set in a /proc/PID/status capability mask.
cap_bits() {
	_m=$((0x$1)) _b=0 _out=""
	while [ "$_m" -ne 0 ]; do
		[ $((_m & 1)) -eq 1 ] && _out="$_out $_b"
		_m=$((_m >> 1)) _b=$((_b + 1))
	done
	echo "${_out# }"
}
# status_caps FILE PREFIX KEY: decoded mask of "PREFIXKEY:" in FILE
status_caps() {
	_hex=$(awk -v k="$2$3:" '$1 == k { print $2; exit }' "$1")
	[ -n "$_hex" ] || fail "no $2$3 line in $1: $(cat "$1")"
	cap_bits "$_hex"
}
expect_caps() {	# FILE PREFIX KEY WANT WHAT
	_got=$(status_caps "$1" "$2" "$3")
	[ "$_got" = "$4" ] || fail "$5: $3 has caps '$_got', expected '$4'"
}

[ "$(cap_bits 0000000000081004)" = "$THREE" ] || fail "cap_bits is broken"
[ "$(cap_bits 0000000000000000)" = "" ] || fail "cap_bits is broken on 0"

# Hook scripts and -w files must be reachable by nobody.
chmod 711 "$WORK"
PUB=$WORK/pub
mkdir "$PUB" && chown nobody "$PUB" && chmod 755 "$PUB"
cat >"$PUB/caps" <<'H'
echo "HOOKUID:$(id -u)"
sed -n 's/^Cap/HOOKCap/p' /proc/$$/status
echo "HOOKNNP:$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' /proc/$$/status)"
for f in /proc/$$/fd/*; do echo "HOOKFD:$(readlink "$f")"; done
python3 -c 'import os
try:
    os.setuid(0)
    print("HOOKSETUID0:allowed")
except PermissionError:
    print("HOOKSETUID0:denied")'
H
chmod 644 "$PUB/caps"
HOOK="sh $PUB/caps"

# dig_once NAME: one query; its pid in DPID; the report must name it.
dig_once() {
	dig @$DNS4 example.test +short +time=3 +tries=1 >"$WORK/dig.out" 2>&1 &
	DPID=$!
	wait $DPID || fail "dig failed: $(cat "$WORK/dig.out")"
	[ "$(cat "$WORK/dig.out")" = "192.0.2.1" ] || fail "dig answered $(cat "$WORK/dig.out")"
	for _ in $(seq 1 50); do
		grep -q "^HOOKCapAmb" "$WORK/$1.out" && break
		sleep 0.1
	done
	grep -q "Matching PID: $DPID .*exe=/usr/bin/dig" "$WORK/$1.out" ||
		fail "$1: dig $DPID not named with its exe: $(cat "$WORK/$1.out")"
}

firewall_snapshot >"$WORK/before"

# 1. default: ptrap keeps the three, the hook gets nothing
start_ptrap def -u -i $DNS4 -p 53 -e "$HOOK"
st=$WORK/def.status
cat /proc/$PTRAP_PID/status >"$st"
expect_caps "$st" "" CapEff "$THREE" "ptrap"
expect_caps "$st" "" CapPrm "$THREE" "ptrap"
expect_caps "$st" "" CapBnd "$THREE" "ptrap"
expect_caps "$st" "" CapAmb "" "ptrap"
dig_once def
stop_ptrap INT
expect_caps "$WORK/def.out" HOOK CapEff "" "default hook"
expect_caps "$WORK/def.out" HOOK CapPrm "" "default hook"
expect_caps "$WORK/def.out" HOOK CapAmb "" "default hook"
expect_caps "$WORK/def.out" HOOK CapBnd "$THREE" "default hook"
grep -qx "NoNewPrivs:[[:space:]]*1" "$st" || fail "ptrap has no no_new_privs: $(grep NoNewPrivs "$st")"
grep -qx "HOOKNNP:1" "$WORK/def.out" || fail "hook without no_new_privs"
# The hook's fds: stdin, the output pipe, its own script, nothing of ours.
grep "^HOOKFD:" "$WORK/def.out" | grep -v -e "^HOOKFD:/dev/null$" -e "^HOOKFD:pipe:" \
	-e "^HOOKFD:$PUB/caps$" >"$WORK/fds" &&
	fail "the hook holds ptrap's descriptors: $(cat "$WORK/fds")"
grep -qx "HOOKUID:0" "$WORK/def.out" || fail "default hook not uid 0: $(cat "$WORK/def.out")"
firewall_snapshot >"$WORK/after-def"
diff -u "$WORK/before" "$WORK/after-def" >&2 || fail "firewall differs after the default run"

# 2. --hook-caps: the hook gets the three
start_ptrap hc -u -i $DNS4 -p 53 --hook-caps -e "$HOOK"
dig_once hc
stop_ptrap INT
expect_caps "$WORK/hc.out" HOOK CapEff "$THREE" "--hook-caps hook"
expect_caps "$WORK/hc.out" HOOK CapPrm "$THREE" "--hook-caps hook"
expect_caps "$WORK/hc.out" HOOK CapAmb "$THREE" "--hook-caps hook"

# 3. -Z nobody: ids and groups switched (root's supplementary groups, here
# 4 and 27, are gone), root's dig still named, hook as nobody with nothing,
# -w file created and reopened (SIGHUP) as nobody, rules removed.
real=$PTRAP
PTRAP=setpriv
start_ptrap nobody --groups=4,27 "$real" -Z nobody -u -i $DNS4 -p 53 -w "$PUB/z.pcapng" -e "$HOOK"
PTRAP=$real
st=$WORK/nobody.status
cat /proc/$PTRAP_PID/status >"$st"
want_groups=$(id -G nobody | tr ' ' '\n' | sort -n | tr '\n' ' ')
got_groups=$(sed -n 's/^Groups:[[:space:]]*//p' "$st" | tr ' \t' '\n\n' | grep . | sort -n | tr '\n' ' ')
[ "$got_groups" = "$want_groups" ] || fail "ptrap -Z nobody groups: '$got_groups', nobody has '$want_groups'"
grep -qx "NoNewPrivs:[[:space:]]*1" "$st" || fail "ptrap -Z: no no_new_privs"
awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "$st" | grep -qx "$NOBODY_UID $NOBODY_UID $NOBODY_UID $NOBODY_UID" ||
	fail "ptrap -Z nobody: $(grep Uid: "$st")"
awk '$1 == "Gid:" { print $2, $3, $4, $5 }' "$st" | grep -qx "$NOBODY_GID $NOBODY_GID $NOBODY_GID $NOBODY_GID" ||
	fail "ptrap -Z nobody: $(grep Gid: "$st")"
expect_caps "$st" "" CapEff "$THREE" "ptrap -Z nobody"
expect_caps "$st" "" CapPrm "$THREE" "ptrap -Z nobody"
expect_caps "$st" "" CapBnd "$THREE" "ptrap -Z nobody"
[ "$(stat -c %u "$PUB/z.pcapng")" = "$NOBODY_UID" ] ||
	fail "-w file not created as nobody: $(ls -ln "$PUB")"
dig_once nobody
first=$DPID
mv "$PUB/z.pcapng" "$PUB/z.old"
kill -HUP "$PTRAP_PID"
for _ in $(seq 1 50); do [ -e "$PUB/z.pcapng" ] && break; sleep 0.1; done
[ -e "$PUB/z.pcapng" ] || fail "SIGHUP did not reopen the -w file as nobody: $(cat "$WORK/nobody.err")"
[ "$(stat -c %u "$PUB/z.pcapng")" = "$NOBODY_UID" ] || fail "reopened file not nobody's"
stop_ptrap INT
[ -s "$PUB/z.old" ] || fail "no packet written before SIGHUP"
grep -qx "HOOKUID:$NOBODY_UID" "$WORK/nobody.out" ||
	fail "hook did not run as nobody: $(cat "$WORK/nobody.out")"
expect_caps "$WORK/nobody.out" HOOK CapEff "" "-Z nobody hook"
grep -qx "HOOKSETUID0:denied" "$WORK/nobody.out" || fail "-Z nobody hook could setuid(0)"
grep -q "Matching PID: $first " "$WORK/nobody.out" || fail "lost the first report"
firewall_snapshot >"$WORK/after-nobody"
diff -u "$WORK/before" "$WORK/after-nobody" >&2 || fail "firewall differs after -Z nobody"
[ -z "$(ptrap_rules)" ] || fail "rules left after -Z nobody: $(ptrap_rules)"

# 4. -Z nobody --hook-caps: the hook runs as nobody with the three
start_ptrap zhc -Z nobody --hook-caps -u -i $DNS4 -p 53 -e "$HOOK"
dig_once zhc
stop_ptrap INT
grep -qx "HOOKUID:$NOBODY_UID" "$WORK/zhc.out" || fail "-Z --hook-caps hook not nobody"
expect_caps "$WORK/zhc.out" HOOK CapEff "$THREE" "-Z nobody --hook-caps hook"

# 5. -w where nobody cannot write: refused before any rule
mkdir -m 700 "$WORK/private"
"$PTRAP" -Z nobody -u -i $DNS4 -p 53 -w "$WORK/private/x.pcapng" >/dev/null 2>"$WORK/deny.err"
rc=$?
[ "$rc" -eq 1 ] || fail "-w in a directory nobody cannot write: exit $rc, expected 1"
grep -q "Permission denied" "$WORK/deny.err" || fail "no EACCES message: $(cat "$WORK/deny.err")"

# 6. -Z nosuchuser: usage error, one line and GNU's pointer to --help, no rules
"$PTRAP" -Z ptrap-nosuchuser -u -i $DNS4 -p 53 >/dev/null 2>"$WORK/nouser.err"
rc=$?
[ "$rc" -eq 2 ] || fail "-Z nosuchuser: exit $rc, expected 2"
[ "$(wc -l <"$WORK/nouser.err")" -eq 2 ] &&
	[ "$(tail -n 1 "$WORK/nouser.err")" = "Try 'ptrap --help' for more information." ] ||
	fail "-Z nosuchuser: not one line and the --help line: $(cat "$WORK/nouser.err")"
grep -q "ptrap-nosuchuser" "$WORK/nouser.err" || fail "-Z error does not name the user"
[ -z "$(ptrap_rules)" ] || fail "rules left after -Z nosuchuser"
firewall_snapshot >"$WORK/after-all"
diff -u "$WORK/before" "$WORK/after-all" >&2 || fail "firewall differs at the end"
exit 0
