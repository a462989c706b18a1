#!/bin/sh
# The installed systemd unit: `make install` puts ptrap@.service and
# example.conf in place, `systemd-analyze verify` accepts the unit in that
# tree (binary, man page, directives), its offline security exposure stays
# at most 2.1 (each exposure left is explained in the unit), and ptrap works
# as the unit runs it: a non-root user with only the unit's ambient
# capabilities and bounding set, and no_new_privs (this machine may not run
# systemd as PID 1, so the unit itself cannot be started here).
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
netns_enter "$@"

builddir=$(cd "$(dirname "$PTRAP")/.." && pwd)
R="$WORK/root"
env -u MAKEFLAGS -u MAKELEVEL make -s -C "$builddir" install DESTDIR="$R" >"$WORK/install.log" 2>&1 ||
	fail "make install failed: $(tail -n 20 "$WORK/install.log")"
unit=$(find "$R" -name 'ptrap@.service' | head -n 1)
[ -n "$unit" ] || fail "make install put no ptrap@.service under $R"
find "$R" -path '*/ptrap/example.conf' | grep -q . || fail "make install put no example.conf"
sysusers=$(find "$R" -path '*/sysusers.d/ptrap.conf' | head -n 1)
[ -n "$sysusers" ] || fail "make install put no sysusers.d/ptrap.conf"
grep -q '^u ptrap ' "$sysusers" || fail "sysusers.d/ptrap.conf creates no user ptrap"
grep -qx 'User=ptrap' "$unit" || fail "the unit does not run as User=ptrap"
unitdir=$(dirname "$unit")
# verify --root needs the units ours depends on (sysinit.target, ...).
cp -rn /lib/systemd/system/. "$unitdir/" 2>/dev/null
MANPATH=$(find "$R" -type d -name man | head -n 1) \
	systemd-analyze verify --root="$R" ptrap@example.service >"$WORK/verify.log" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$WORK/verify.log")"
[ -s "$WORK/verify.log" ] && fail "systemd-analyze verify complained: $(cat "$WORK/verify.log")"

if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
	systemd-analyze security --offline=true --root="$R" ptrap@example.service >"$WORK/security.log" 2>&1
	score=$(sed -n 's/.*Overall exposure level for ptrap@example.service: \([0-9.]*\).*/\1/p' "$WORK/security.log")
	[ -n "$score" ] || fail "no exposure score: $(tail -n 5 "$WORK/security.log")"
	info "systemd-analyze security exposure: $score"
	awk -v s="$score" 'BEGIN { exit !(s <= 2.1) }' || fail "exposure $score above 2.1"
fi

# The unit's capabilities are enough: a non-root user (nobody stands in for
# ptrap, whose entry systemd-sysusers makes) with the unit's ambient set,
# its bounding set, no_new_privs; /run/ptrap as RuntimeDirectory= makes it.
capset() { sed -n "s/^$1=//p" "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ /,+/g; s/^/+/'; }
amb=$(capset AmbientCapabilities)
bnd_caps=$(capset CapabilityBoundingSet)
[ "$amb" != + ] && [ "$bnd_caps" != + ] || fail "no AmbientCapabilities/CapabilityBoundingSet in $unit"
command -v setpriv >/dev/null || skip "no setpriv to apply the unit's capabilities"
start_dnsmasq
mkdir -p /run/ptrap
chown nobody /run/ptrap
real=$PTRAP
PTRAP=setpriv
start_ptrap caps --reuid=nobody --regid=nogroup --clear-groups --no-new-privs \
	--inh-caps="-all,$amb" --ambient-caps="$amb" --bounding-set="-all,$bnd_caps" \
	"$real" -u -i $DNS4 -p 53
PTRAP=$real
chown root /run/ptrap
# Nothing outside the unit's set (ptrap may have dropped some itself).
unitmask=0
for c in $(echo "$bnd_caps" | tr ',+' '  '); do
	# numbers from linux/capability.h
	case $c in
	net_admin) n=12 ;; sys_ptrace) n=19 ;; dac_read_search) n=2 ;; net_raw) n=13 ;;
	bpf) n=39 ;; perfmon) n=38 ;; setpcap) n=8 ;; *) n="" ;;
	esac
	[ -n "$n" ] || fail "unknown capability $c in the unit"
	unitmask=$((unitmask | (1 << n)))
done
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$PTRAP_PID/status")
eff=$(sed -n 's/^CapEff:[[:space:]]*//p' "/proc/$PTRAP_PID/status")
info "ptrap's bounding set: 0x$bnd, effective 0x$eff, the unit's 0x$(printf %x $unitmask)"
[ -n "$bnd" ] && [ $((0x$bnd & ~unitmask)) -eq 0 ] ||
	fail "bounding set 0x$bnd has capabilities the unit does not allow"
[ "$(stat -c %U "/proc/$PTRAP_PID")" = nobody ] || fail "ptrap does not run as the unit's user"
dig @$DNS4 example.test +short +time=2 +tries=1 >/dev/null &
dpid=$!
wait $dpid || fail "dig failed"
sleep 0.3
stop_ptrap INT
grep -q "Matching PID: $dpid comm=dig" "$WORK/caps.out" ||
	fail "with the unit's capabilities only, dig ($dpid) was not named: $(cat "$WORK/caps.out")"
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
