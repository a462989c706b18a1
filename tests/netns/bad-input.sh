#!/bin/sh
# Each bad input: its documented exit code, one line on stderr naming the
# problem (for usage errors, 2 to 5, followed by GNU's "Try 'ptrap --help'
# for more information."), and no rule left behind.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
firewall_snapshot >"$WORK/before"
TRY="Try 'ptrap --help' for more information."

# expect CODE PATTERN ARGS...
expect() {
	_code=$1 _pat=$2; shift 2
	"$PTRAP" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
	_rc=$?
	[ "$_rc" -eq "$_code" ] || fail "ptrap $*: exit $_rc, expected $_code ($(cat "$WORK/err"))"
	case $_code in
	2|3|4|5)
		[ "$(wc -l <"$WORK/err")" -eq 2 ] && [ "$(tail -n 1 "$WORK/err")" = "$TRY" ] ||
			fail "ptrap $*: expected a line and '$TRY' on stderr, got: $(cat "$WORK/err")" ;;
	*)
		[ "$(wc -l <"$WORK/err")" -eq 1 ] ||
			fail "ptrap $*: expected one line on stderr, got: $(cat "$WORK/err")" ;;
	esac
	head -n 1 "$WORK/err" | grep -q -- "$_pat" ||
		fail "ptrap $*: message '$(head -n 1 "$WORK/err")' lacks '$_pat'"
	[ -n "${RULES_EXPECTED:-}" ] || [ -z "$(ptrap_rules)" ] || fail "ptrap $*: rules left behind"
}

expect 3 "destination" -u -p 53
expect 4 "-u" -i $DNS4 -p 53
expect 2 "65536" -u -i $DNS4 -p 65536
expect 2 "'0'" -u -i $DNS4 -p 0
expect 2 "300.1.1.1" -u -i 300.1.1.1
expect 2 "1.2.3.4/33" -u -i 1.2.3.4/33
expect 2 "bogus" -u -i $DNS4 --bogus
expect 2 "foo" -u -i $DNS4 --backend foo
expect 2 "65536" -u -i $DNS4 --queue-num 65536
expect 2 "stray" -u -i $DNS4 stray
expect 2 "" -u -i $DNS4 -e ""
expect 2 "no such interface 'nosuch0' for -o" -u -i $DNS4 -o nosuch0

# tcpdump habits: the message names the ptrap option that does it.
expect 2 "for an interface use -o lo" -u -i lo -p 53
expect 2 "for an interface use -o eth0" -u -i eth0
expect 2 "every interface unless -o IF" -i any udp port 53
expect 2 "use --count N" -t -i $DNS4 -c 5
expect 2 "-n is --rate N" -n -u -i $DNS4
expect 2 "option -n needs a value: it is --rate N" -u -i $DNS4 -n
expect 2 "options go before the filter expression" udp port 53 -v
expect 2 "--icmp has none: add -u or -t" --icmp -p 53 -i $DNS4
# -s is accepted as --hold, with a warning naming -S
start_ptrap hold -u -i $DNS4 -p 53 -s 0
grep -q "tcpdump's -s (snapshot length) is -S here" "$WORK/hold.err" ||
	fail "-s without -e: no hint: $(cat "$WORK/hold.err")"
stop_ptrap INT

# Values that would be syntax to nft or iptables never reach them.
expect 2 "invalid interface 'lo; flush ruleset' for -o" -u -i $DNS4 -o 'lo; flush ruleset'
expect 2 "invalid interface 'lo}' for -o" -u -i $DNS4 -o 'lo}'
# (the newline shown as \n: the "." stands for the backslash)
expect 2 "invalid interface 'lo.n' for -o" -u -i $DNS4 -o "lo
"
expect 2 "invalid user 'root; flush ruleset' for --uid" -u -i $DNS4 --uid 'root; flush ruleset'

# Filter expressions that are wrong, or that rules cannot express.
expect 2 "filter expression: unexpected character ';'" udp and port 53 ';' flush ruleset
expect 2 "filter expression: 'ether': link-layer" ether host 00:11:22:33:44:55
expect 2 "byte offsets" 'tcp[13] = 2'
expect 2 "needs more than 64 rules" udp and '(port 1 or 2 or 3 or 4 or 5 or 6 or 7 or 8)' \
	and '(host 192.0.2.1 or 192.0.2.2 or 192.0.2.3 or 192.0.2.4 or 192.0.2.5)'
expect 2 "no packet matches both it and the options" -u -i $DNS4 tcp
expect 2 "matches no packet ptrap can trap" udp and tcp

# Files that cannot be written or read: exit 1, one line naming the file,
# checked before any rule is installed (expect checks none is left).
expect 1 "$WORK/missing/x.pcapng" -u -i $DNS4 -p 53 -w "$WORK/missing/x.pcapng"
grep -q "No such file or directory" "$WORK/err" || fail "-w missing dir: $(cat "$WORK/err")"
# Root ignores permission bits, not a read-only mount (in a private mount
# namespace, so nothing outside this test sees it).
mkdir "$WORK/ro"
unshare -m sh -c 'mount -t tmpfs -o ro tmpfs "$1" && shift && exec "$@"' sh "$WORK/ro" \
	"$PTRAP" -u -i $DNS4 -p 53 -w "$WORK/ro/x.pcapng" >"$WORK/out" 2>"$WORK/err" </dev/null
rc=$?
[ "$rc" -eq 1 ] || fail "-w read-only: exit $rc, expected 1 ($(cat "$WORK/err"))"
[ "$(wc -l <"$WORK/err")" -eq 1 ] || fail "-w read-only: $(cat "$WORK/err")"
grep -q "$WORK/ro/x.pcapng: Read-only file system" "$WORK/err" || fail "-w read-only: $(cat "$WORK/err")"
[ -z "$(ptrap_rules)" ] || fail "-w read-only: rules left behind"
expect 1 "$WORK/none.pcapng" -r "$WORK/none.pcapng"
grep -q "No such file or directory" "$WORK/err" || fail "-r missing: $(cat "$WORK/err")"
yes "not a capture file" | head -c 4096 >"$WORK/garbage.pcapng"
expect 1 "not a pcapng or pcap file" -r "$WORK/garbage.pcapng"
: >"$WORK/empty.pcapng"
expect 1 "not a pcapng or pcap file" -r "$WORK/empty.pcapng"
# Hostile captures (tests/data/pcapng/hostile): exit 0 or 1 with at most one
# line, within 100 MB of address space and 10 s, never a crash or a hang
# (memory itself is bounded by test_pcapng_read).
for f in "$TOP_SRCDIR"/tests/data/pcapng/hostile/*.pcapng; do
	# (ASan reserves terabytes of address space: no limit in that build)
	if [ "${PTRAP_SANITIZED:-0}" = 1 ]; then
		timeout 10 "$PTRAP" -r "$f" >/dev/null 2>"$WORK/err"
	else
		(ulimit -v 100000; exec timeout 10 "$PTRAP" -r "$f") >/dev/null 2>"$WORK/err"
	fi
	rc=$?
	[ "$rc" -le 1 ] || fail "-r $(basename "$f") exited $rc: $(cat "$WORK/err")"
	[ "$(wc -l <"$WORK/err")" -le 1 ] || fail "-r $(basename "$f"): $(cat "$WORK/err")"
done
[ ! -s "$WORK/out" ] || fail "-r garbage printed a summary: $(cat "$WORK/out")"

# Privileges: as nobody, without capabilities.
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$PTRAP" -u -i $DNS4 -p 53 >"$WORK/out" 2>"$WORK/err"
	rc=$?
	[ "$rc" -eq 6 ] || fail "unprivileged: exit $rc, expected 6 ($(cat "$WORK/err"))"
	grep -q CAP_NET_ADMIN "$WORK/err" || fail "unprivileged: message $(cat "$WORK/err")"
fi

# Queue owned by a running ptrap: 7, and the first one keeps working.
start_dnsmasq
start_ptrap first -u -i $DNS4 -p 53 --queue-num 77
rules_before=$(ptrap_rules)
RULES_EXPECTED=1 expect 7 "queue 77" -u -i $DNS4 -p 53 --queue-num 77
[ "$(ptrap_rules)" = "$rules_before" ] || fail "the second ptrap changed the first one's rules"
dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null || fail "dig failed"
stop_ptrap INT
grep -q "Matching PID" "$WORK/first.out" || fail "first ptrap stopped reporting"

# nft explicitly on a kernel without the nft queue expression: exit 1,
# nothing left, and the reason in words (nft itself says "No such file or
# directory"), as auto mode gives it when it falls back to iptables.
if ! nft -f - 2>/dev/null <<'NFT'
table inet ptrap_probe { chain c { type filter hook output priority 0; udp dport 9 queue num 9 bypass; } }
NFT
then
	expect 1 "nft backend failed: this kernel's nftables cannot queue packets (no nft queue expression, CONFIG_NFT_QUEUE); --backend iptables" \
		-u -i $DNS4 -p 53 --backend nft
	grep -q "No such file" "$WORK/err" && fail "--backend nft: nft's raw message: $(cat "$WORK/err")"
	start_ptrap auto -u -i $DNS4 -p 53
	grep -q "backend iptables (auto: this kernel's nftables cannot queue packets (no nft queue expression" \
		"$WORK/auto.err" || fail "auto: $(cat "$WORK/auto.err")"
	stop_ptrap INT
else
	nft delete table inet ptrap_probe
fi

firewall_snapshot >"$WORK/after"
diff -u "$WORK/before" "$WORK/after" >&2 || fail "firewall changed"
exit 0
