#!/bin/sh
# -r's tables against golden files: every --by key, every --sort order,
# --top, the filters, JSON, a tcpdump capture (names from the packet
# bytes) and two captures of different days (dates in the rows).  The
# captures are fixed (tests/data/report/dig.pcapng: ptrap's own capture of
# dig, dnsmasq and ping, see make-fixture.sh there), TZ=UTC, so the output
# is too.  Needs no root.  UPDATE=1 rewrites the goldens (say why in the
# commit).
set -u
: "${TOP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PTRAP:=$TOP_SRCDIR/src/ptrap}"
D=$TOP_SRCDIR/tests/data/report
CAP=$D/dig.pcapng
TCPDUMP=$TOP_SRCDIR/tests/data/pcapng/tcpdump-lo-dns.pcap
[ -x "$PTRAP" ] || { echo "FAIL: no ptrap at $PTRAP"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ptrap-report.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

bad=0 n=0
# golden NAME ARGS...: TZ=UTC ptrap ARGS must print tests/data/report/NAME
golden() {
	_g=$1; shift
	n=$((n + 1))
	TZ=UTC LC_ALL=C "$PTRAP" "$@" >"$tmp/out" 2>"$tmp/err"
	echo "exit $?" >>"$tmp/out"
	if [ -n "${UPDATE:-}" ]; then
		cp "$tmp/out" "$D/$_g"
	elif ! diff -u "$D/$_g" "$tmp/out"; then
		echo "FAIL: ptrap $* differs from $_g (- golden, + now): $(cat "$tmp/err")"
		bad=$((bad + 1))
	fi
}

for by in process comm exe user unit destination flow name; do
	golden by-$by.txt -r "$CAP" --by $by
done
golden sort-first.txt -r "$CAP" --by comm --sort first
golden sort-last.txt -r "$CAP" --by destination --sort last
golden sort-bytes-top2.txt -r "$CAP" --by name --sort bytes --top 2
golden top1.txt -r "$CAP" --top 1
golden filter-udp.txt -u -r "$CAP" --by name
golden filter-tcp-connect.txt -t -c -r "$CAP" --by flow
golden filter-comm.txt --comm dig -r "$CAP" --by name
golden json-comm.json -j -r "$CAP" --by comm
golden json-name.json -j -r "$CAP" --by name --top 2
golden tcpdump-name.txt -r "$TCPDUMP" --by name
golden two-days.txt -r "$CAP" "$TCPDUMP" --by comm

# The examples of the man page and README marked "EXAMPLE" (a command
# line "$ TZ=UTC ptrap ..." then its output; "..." stands for anything;
# a line indented by one space continues the one before) must be what
# ptrap prints.
cd "$D" || exit 1
python3 - "$PTRAP" "$TOP_SRCDIR/man/ptrap.8" "$TOP_SRCDIR/README" <<'PY' || bad=$((bad + 1))
import os, re, shlex, subprocess, sys
ptrap, man, readme = sys.argv[1:4]
def examples():
    lines = open(man).read().split("\n")
    for i, l in enumerate(lines):
        if l.startswith('.\\" EXAMPLE'):
            j = lines.index(".EE", i)
            yield "man", [x.replace("\\-", "-").replace("\\e", "\\")
                          for x in lines[i + 2:j]]
    lines = open(readme).read().split("\n")
    for i, l in enumerate(lines):
        if l.strip().startswith("(EXAMPLE"):
            block = []
            for x in lines[i + 2:]:
                if not x.startswith("    "):
                    break
                block.append(x[4:])
            yield "README", block
n = bad = 0
for where, block in examples():
    n += 1
    cmd, want = block[0], []
    for x in block[1:]:
        if x.startswith(" ") and not x.startswith("  ") and want:
            want[-1] += x.strip()
        else:
            want.append(x)
    argv = shlex.split(cmd.lstrip("$ "))
    env = dict(os.environ, LC_ALL="C")
    while "=" in argv[0]:
        k, v = argv.pop(0).split("=", 1)
        env[k] = v
    assert argv[0] == "ptrap", cmd
    got = subprocess.run([ptrap] + argv[1:], env=env, capture_output=True,
                         text=True).stdout.rstrip("\n").split("\n")
    ok = len(got) == len(want) and all(
        re.fullmatch(".*".join(re.escape(p) for p in w.split("...")), g)
        for w, g in zip(want, got))
    if not ok:
        bad += 1
        print("FAIL: %s example '%s' prints:\n%s\nnot:\n%s" %
              (where, cmd, "\n".join(got), "\n".join(want)))
print("# %d documented -r examples as they say" % n)
sys.exit(1 if bad or n < 3 else 0)
PY
[ "$bad" -eq 0 ] || exit 1
echo "# $n tables as in tests/data/report"
exit 0
