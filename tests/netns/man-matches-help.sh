#!/bin/sh
# The man page's OPTIONS section must be exactly what the option table in
# src/cli_table.c generates (ptrap --man-options), and every long option that
# --help shows must appear in the man page.  Needs no root, no namespace.
#
# Env: PTRAP (the built binary; skip with 77 if unset), TOP_SRCDIR (source
# tree; default: two levels above this script).
# Exit: 0 pass, 1 fail (with a diff), 77 skipped.
set -u

if [ -z "${PTRAP:-}" ]; then
	echo "SKIP: PTRAP is not set (path of the built ptrap binary)"
	exit 77
fi
if [ ! -x "$PTRAP" ]; then
	echo "FAIL: PTRAP=$PTRAP is not an executable"
	exit 1
fi
TOP_SRCDIR=${TOP_SRCDIR:-$(dirname "$0")/../..}
man="$TOP_SRCDIR/man/ptrap.8"
if [ ! -r "$man" ]; then
	echo "FAIL: cannot read $man"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptrap-man.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT HUP INT TERM

fail=0

# --- 1. OPTIONS section == ptrap --man-options ---
begin='.\" BEGIN OPTIONS'
end='.\" END OPTIONS'
nb=$(grep -cxF "$begin" "$man")
ne=$(grep -cxF "$end" "$man")
if [ "$nb" != 1 ] || [ "$ne" != 1 ]; then
	echo "FAIL: $man needs exactly one '$begin' and one '$end' line" \
		"(found $nb and $ne)"
	exit 1
fi
# Markers go through ENVIRON: awk -v would eat the backslash in .\"
B=$begin E=$end awk '
	BEGIN { b = ENVIRON["B"]; e = ENVIRON["E"] }
	$0 == e { inside = 0 }
	inside { print }
	$0 == b { inside = 1 }
' "$man" >"$tmp/man-options"

if ! "$PTRAP" --man-options >"$tmp/generated" 2>"$tmp/stderr"; then
	echo "FAIL: $PTRAP --man-options failed:"
	cat "$tmp/stderr"
	exit 1
fi
if [ ! -s "$tmp/generated" ]; then
	echo "FAIL: $PTRAP --man-options printed nothing"
	exit 1
fi
if ! diff -u "$tmp/man-options" "$tmp/generated" >"$tmp/diff"; then
	echo "FAIL: OPTIONS in man/ptrap.8 differ from 'ptrap --man-options'" \
		"(- man page, + generated); paste the generated text between" \
		"the markers:"
	cat "$tmp/diff"
	fail=1
fi

# --- 2. every long option in --help is in the man page ---
if ! "$PTRAP" --help >"$tmp/help" 2>"$tmp/stderr"; then
	echo "FAIL: $PTRAP --help failed:"
	cat "$tmp/stderr"
	exit 1
fi
# Option lines look like "  -u, --udp ..." or "      --hook-timeout MS ...".
sed -n 's/^ *\(-[A-Za-z0-9], \)\{0,1\}--\([a-z][a-z0-9-]*\).*/\2/p' \
	"$tmp/help" >"$tmp/longopts"
n=$(wc -l <"$tmp/longopts")
if [ "$n" -lt 5 ]; then
	echo "FAIL: found only $n long options in --help; format changed?"
	cat "$tmp/help"
	exit 1
fi
while read -r opt; do
	# roff spells --hook-timeout as \-\-hook\-timeout
	roff=$(printf '%s\n' "--$opt" | sed 's/-/\\-/g')
	if ! grep -qF -- "$roff\\fR" "$man"; then
		echo "FAIL: --$opt is in --help but not in $man"
		fail=1
	fi
done <"$tmp/longopts"

if grep -q -- '--man-options' "$tmp/help"; then
	echo "FAIL: the hidden --man-options shows in --help"
	fail=1
fi

[ "$fail" = 0 ] && echo "PASS: man page OPTIONS match ($n long options)"
exit "$fail"
