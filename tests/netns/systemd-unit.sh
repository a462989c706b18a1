#!/bin/sh
# The installed systemd unit: `make install` puts ptrap@.service and
# example.conf in place, `systemd-analyze verify` accepts the unit in that
# tree (binary, man page, directives), its offline security exposure stays
# at most 4.0, and ptrap works with only the unit's capability bounding set
# and no_new_privs (this machine may not run systemd as PID 1, so the unit
# itself cannot be started here).
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
	awk -v s="$score" 'BEGIN { exit !(s <= 4.0) }' || fail "exposure $score above 4.0"
fi

# The unit's capabilities are enough: as root with only those, no_new_privs.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_//g; s/ /,+/g')
[ -n "$caps" ] || fail "no CapabilityBoundingSet in $unit"
command -v setpriv >/dev/null || skip "no setpriv to apply the bounding set"
start_dnsmasq
real=$PTRAP
PTRAP=setpriv
start_ptrap caps --no-new-privs --bounding-set="-all,+$caps" --inh-caps=-all \
	"$real" -u -i $DNS4 -p 53
PTRAP=$real
# Nothing outside the unit's five (ptrap may have dropped some itself).
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$PTRAP_PID/status")
info "ptrap's bounding set: 0x$bnd"
[ -n "$bnd" ] && [ $((0x$bnd & ~0x83104)) -eq 0 ] ||
	fail "bounding set 0x$bnd has capabilities the unit does not allow"
dig @$DNS4 example.test +short +time=2 +tries=1 >/dev/null &
dpid=$!
wait $dpid || fail "dig failed"
sleep 0.3
stop_ptrap INT
grep -q "Matching PID: $dpid comm=dig" "$WORK/caps.out" ||
	fail "with the unit's capabilities only, dig ($dpid) was not named: $(cat "$WORK/caps.out")"
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
