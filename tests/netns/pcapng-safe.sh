#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Captures cannot be turned against the box: -w creates files 0600 (0640
# for the -Z user's group), refuses a symlink or another user's file planted
# in a directory anyone can write to, leaving it as it was, and -W removes
# only ring files ptrap made itself, never one planted under the same name.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
id nobody >/dev/null 2>&1 || skip "no user nobody"
start_dnsmasq
SH="$WORK/shared"
mkdir "$SH" && chmod 1777 "$SH"

mode_of() { stat -c '%a %U %G' "$1"; }

# 1. new capture files are 0600
start_ptrap m -u -i $DNS4 -p 53 -w "$WORK/m.pcapng"
dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null || fail "dig failed"
stop_ptrap INT
[ "$(mode_of "$WORK/m.pcapng")" = "600 root root" ] ||
	fail "-w made $(mode_of "$WORK/m.pcapng"), not 600 root root"

# 2. with -Z: made by the user, readable by its group only
PUB="$WORK/pub"
mkdir "$PUB" && chown nobody "$PUB" && chmod 755 "$PUB"
chmod 711 "$WORK"
start_ptrap z -Z nobody -u -i $DNS4 -p 53 -w "$PUB/z.pcapng"
dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null || fail "dig failed"
stop_ptrap INT
[ "$(mode_of "$PUB/z.pcapng")" = "640 nobody $(id -gn nobody)" ] ||
	fail "-Z nobody -w made $(mode_of "$PUB/z.pcapng")"

# 3. refused at start, one line, exit 1, nothing touched, no rules
refused() {
	_want=$1; shift
	"$PTRAP" -u -i $DNS4 -p 53 "$@" >"$WORK/r.out" 2>"$WORK/r.err"
	_rc=$?
	[ "$_rc" -eq 1 ] || fail "ptrap $* exited $_rc, not 1: $(cat "$WORK/r.err")"
	[ "$(wc -l <"$WORK/r.err")" -eq 1 ] || fail "ptrap $*: not one line: $(cat "$WORK/r.err")"
	grep -q "$_want" "$WORK/r.err" || fail "ptrap $*: $(cat "$WORK/r.err")"
	[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
}
echo precious >"$WORK/victim"
ln -s "$WORK/victim" "$SH/link.pcapng"
refused "is a symbolic link" -w "$SH/link.pcapng"
[ "$(cat "$WORK/victim")" = precious ] || fail "the symlink's target was written"
echo theirs >"$SH/planted.pcapng"
chown nobody "$SH/planted.pcapng"
refused "belongs to another user" -w "$SH/planted.pcapng"
[ "$(cat "$SH/planted.pcapng")" = theirs ] || fail "the planted file was truncated"
ln "$WORK/victim" "$WORK/hard.pcapng"
refused "hard links" -w "$WORK/hard.pcapng"
[ "$(cat "$WORK/victim")" = precious ] || fail "the hard link's file was written"

# 4. -G 1 -W 2 in the shared directory: the oldest file goes, unless it was
# replaced by someone else's; then that file stays.
start_ptrap g -u -i $DNS4 -p 53 -n 0 -G 1 -W 2 -w "$SH/g-%s.pcapng"
first=""
for _ in $(seq 1 50); do
	first=$(ls "$SH" | grep '^g-' | head -n 1)
	[ -n "$first" ] && break
	sleep 0.1
done
[ -n "$first" ] || fail "no -G file appeared"
rm -f "$SH/$first"
echo "planted by nobody" >"$SH/$first"
chown nobody "$SH/$first"
for _ in 1 2 3 4; do
	dig @$DNS4 example.test +short +time=3 +tries=1 >/dev/null || fail "dig failed"
	sleep 1
done
stop_ptrap INT
[ "$(cat "$SH/$first" 2>/dev/null)" = "planted by nobody" ] ||
	fail "-W removed or wrote a planted file ($first)"
n=$(ls "$SH" | grep -c '^g-.*\.pcapng$')
# kept: the planted one plus the last two of ours
[ "$n" -eq 3 ] || fail "-G 1 -W 2 left $n files: $(ls "$SH" | tr '\n' ' ')"
exit 0
