#!/bin/sh
# After SIGINT and SIGTERM the firewall is exactly as before (the user's own
# iptables and nftables rules untouched); after kill -9 DNS keeps working
# (queue bypass) and the next start removes the leftovers.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
start_dnsmasq

# The user's rules, in every place ptrap could be tempted to touch.
iptables -w -t raw -A OUTPUT -p udp --dport 9999 -j ACCEPT
iptables -w -A OUTPUT -d 198.51.100.7 -j DROP
iptables -w -N USERCHAIN && iptables -w -A USERCHAIN -j RETURN
ip6tables -w -t raw -A OUTPUT -p udp --dport 9999 -j ACCEPT
nft add table inet usertable
nft add chain inet usertable out '{ type filter hook output priority 0; }'
nft add rule inet usertable out udp dport 9998 counter
firewall_snapshot >"$WORK/before"
# The queue lock of this namespace: unlinked by a clean exit, left by kill -9.
LOCK=/run/ptrap/queue-4253-net$(stat -L -c %i /proc/self/ns/net).lock

for sig in INT TERM; do
	start_ptrap run-$sig -u -t -i $DNS4,$DNS6 -p 53
	[ -n "$(ptrap_rules)" ] || fail "no ptrap rules while running"
	dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null || fail "dig failed while trapped"
	[ "$(cat "$LOCK" 2>/dev/null)" = "$PTRAP_PID" ] || fail "no lock $LOCK holding pid $PTRAP_PID"
	stop_ptrap $sig
	[ ! -e "$LOCK" ] || fail "lock file $LOCK left after SIG$sig"
	firewall_snapshot >"$WORK/after-$sig"
	diff -u "$WORK/before" "$WORK/after-$sig" >&2 || fail "firewall differs after SIG$sig"
done

# kill -9: rules stay (iptables has no owner), but bypass keeps DNS working.
start_ptrap crash -u -i $DNS4 -p 53
kill -9 "$PTRAP_PID"; wait "$PTRAP_PID" 2>/dev/null
[ -e "$LOCK" ] || fail "no lock file after kill -9 (it cannot have been unlinked)"
[ -n "$(ptrap_rules)" ] || info "no leftovers after kill -9 (owner-flag table)"
for i in 1 2 3 4 5; do
	[ "$(dig @$DNS4 example.test +short +time=2 +tries=1)" = "192.0.2.1" ] ||
		fail "DNS broken after kill -9 (query $i)"
done
start_ptrap restart -u -i $DNS4 -p 53
if [ -n "$(iptables -w -t raw -S | grep PTRAP)" ]; then
	[ "$(iptables -w -t raw -S OUTPUT | grep -c PTRAP)" -eq 1 ] ||
		fail "leftover jump not replaced: $(iptables -w -t raw -S OUTPUT)"
fi
grep -q "removed rules a dead ptrap left" "$WORK/restart.err" ||
	fail "restart did not report removing the leftovers: $(cat "$WORK/restart.err")"
stop_ptrap INT
[ ! -e "$LOCK" ] || fail "lock file $LOCK left after kill -9 + restart + SIGINT"
firewall_snapshot >"$WORK/after-crash"
diff -u "$WORK/before" "$WORK/after-crash" >&2 || fail "firewall differs after crash + restart"
exit 0
