#!/bin/sh
# One list, one truth: fails when the build or a test needs a Debian package
# that tests/install-deps does not install.
#  1. configure.ac finds libraries only through PTRAP_NEED, and each
#     PTRAP_NEED package really ships the pkg-config module it is named for.
#  2. Every program a script of ours calls (every word of tests/, bench/run
#     and configure.ac that is an installed executable) belongs to a package
#     that install-deps installs, or that one of those depends on, or to the
#     base system (Priority: required, what mmdebstrap --variant=minbase has).
# 77 without dpkg/apt (not Debian).
set -u
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
skip() { echo "SKIP: $*"; exit 77; }
command -v dpkg-query >/dev/null 2>&1 || skip "not a Debian system (no dpkg-query)"
command -v apt-cache >/dev/null 2>&1 || skip "no apt-cache"
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
rc=0
bad() { echo "FAIL: $*"; rc=1; }

# --- 1. configure.ac ---
ac=$top/configure.ac
n=$(grep -c 'PKG_CHECK_MODULES' "$ac")
[ "$n" -eq 1 ] || bad "configure.ac: PKG_CHECK_MODULES used $n times; find libraries with PTRAP_NEED only"
grep -n -E 'AC_(CHECK|SEARCH)_LIBS?\(' "$ac" && bad "configure.ac: AC_CHECK_LIB/AC_SEARCH_LIBS bypass PTRAP_NEED"
sed -n 's/^PTRAP_NEED(\[[^]]*\], *\[\([^] >=]*\)[^]]*\], *\[\([^]]*\)\]).*/\1 \2/p' "$ac" >"$work/need"
[ -s "$work/need" ] || bad "configure.ac: no PTRAP_NEED lines found"
while read -r module pkg; do
	# The package, or one it depends on (libpcap-dev -> libpcap0.8-dev).
	ships=0
	for p in $pkg $(apt-cache depends --no-recommends --no-suggests "$pkg" 2>/dev/null |
			sed -n 's/^ *Depends: \([a-z0-9.+-]*\).*/\1/p'); do
		dpkg-query -L "$p" 2>/dev/null | grep -q "/$module\.pc\$" && { ships=1; break; }
	done
	[ $ships = 1 ] || bad "PTRAP_NEED $module names $pkg, which is not installed or ships no $module.pc"
done <"$work/need"

# --- 2. programs the scripts call ---
"$top/tests/install-deps" --list | sort -u >"$work/listed"
# Everything installing those pulls in, and the base system.
# shellcheck disable=SC2046
apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances $(cat "$work/listed") 2>/dev/null |
	sed -n -e 's/^\([a-z0-9][a-z0-9.+-]*\)$/\1/p' \
		-e 's/^ *\(Pre\)\{0,1\}Depends: \([a-z0-9][a-z0-9.+-]*\).*/\2/p' |
	sed 's/:any$//' >"$work/closure"
dpkg-query -W -f '${Priority} ${Package}\n' | awk '$1 == "required" { print $2 }' >>"$work/closure"
sort -u "$work/listed" "$work/closure" >"$work/allowed"

scripts=$(find "$top/tests" "$top/bench" -type f \( -name '*.sh' -o -name run -o -name run-all \
	-o -name demo -o -name build -o -name install-deps \) \
	! -path '*/vm/init' ! -path '*/corpus/*')
# Words in command position: at the start of a command in shell, and the
# first element of an argument list in Python (subprocess.run(["ip", ...])).
# shellcheck disable=SC2086
python3 - "$ac" $scripts >"$work/words" <<'PY'
import re, sys
sep = re.compile(r"""(?:^|[|;&(`]|\$\(|\b(?:then|do|else|elif|if|while|until|exec|command|nohup|xargs(?:\s+-\S+)*|timeout(?:\s+-\S+)*\s+[\d.]+[smh]?|env(?:\s+\w+=\S*)*|!)\s)\s*([A-Za-z_][A-Za-z0-9_.+-]*)(?![=A-Za-z0-9_.+-])""")
pylist = re.compile(r"""\[\s*["']([A-Za-z_][A-Za-z0-9_.+-]*)["']\s*,""")
words = set()
for path in sys.argv[1:]:
    for line in open(path, errors="replace"):
        if line.lstrip().startswith("#"):
            continue
        words.update(m.group(1) for m in sep.finditer(line))
        words.update(m.group(1) for m in pylist.finditer(line))
print("\n".join(sorted(words)))
PY
# The package owning each word that is an executable (usrmerge: try both halves).
owner() {
	for p in "$@"; do
		dpkg-query -S "$p" 2>/dev/null | grep -v '^diversion by' |
			sed -n '1s/^\([^:,]*\)[:,].*/\1/p' | grep . && return 0
	done
	return 1
}
while read -r w; do
	found=""
	for d in /usr/sbin /usr/bin /sbin /bin; do
		[ -x "$d/$w" ] && [ ! -d "$d/$w" ] && { found=$d/$w; break; }
	done
	[ -n "$found" ] || continue
	real=$(readlink -f "$found")
	pkg=$(owner "$found" "$real" "/usr${found#/usr}" "${found#/usr}" \
		"/usr${real#/usr}" "${real#/usr}") || {
		# alternatives (/etc/alternatives/...) resolve to another name
		bad "'$w' ($found) belongs to no Debian package"
		continue
	}
	grep -q -x -F "$pkg" "$work/allowed" ||
		bad "'$w' comes from $pkg, which tests/install-deps does not install (add it to tests/packages)"
done <"$work/words"
[ "$rc" -eq 0 ] && echo "deps-lint: $(wc -l <"$work/need") libraries and $(wc -l <"$work/listed") packages cover every program the scripts call"
exit $rc
