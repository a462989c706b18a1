#!/bin/sh
# What DNS queries ask, in every report: real dig queries (A, AAAA, TXT,
# over TCP, a name with odd bytes), a query with two questions and
# malformed payloads crafted by python3.  Checked in the JSON, the text
# line, the hook's environment, the pcapng comment (and the Lua plugin's
# fields when tshark has Lua): each packet one record, names escaped.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
start_dnsmasq

queries() {
	dig @$DNS4 www.example.test +short +time=3 +tries=1 >/dev/null
	dig @$DNS4 www.example.test AAAA +short +time=3 +tries=1 >/dev/null
	dig @$DNS4 txt.example.test TXT +short +time=3 +tries=1 >/dev/null
	dig @$DNS4 tcp.example.test +tcp +short +time=3 +tries=1 >/dev/null
	# a dot inside a label, a NUL byte and a newline: one escaped token
	dig @$DNS4 'odd\.la\000bel\010x.example.test' +short +time=3 +tries=1 >/dev/null
	python3 - "$DNS4" <<'PY'
import socket, struct, sys, time
def name(*labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"
socks = []
def send(payload):
    # kept open until the end, so that ptrap finds the sender
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(payload, (sys.argv[1], 53))
    socks.append(s)
hdr = lambda qd: struct.pack(">HHHHHH", 0x1234, 0x0100, qd, 0, 0, 0)
# two questions in one query
send(hdr(2) + name(b"q1", b"example", b"test") + struct.pack(">HH", 1, 1)
     + name(b"q2", b"example", b"test") + struct.pack(">HH", 28, 1))
# the name runs past the end of the datagram
send(hdr(1) + b"\x07exa")
# shorter than a header
send(b"xy")
time.sleep(0.5)
PY
}

# --every-packet: a TCP query's name is in a later segment than the SYN,
# which is all a connection's one report would show by default
start_ptrap json -u -t -i $DNS4 -p 53 -j --every-packet -w "$WORK/names.pcapng" \
	-e 'printf "%s\n" "qname=$PTRAP_QNAME qtype=$PTRAP_QTYPE"; :'
queries
sleep 0.5
stop_ptrap INT

python3 - "$WORK/json.out" <<'PY' || fail "JSON reports (see above)"
import json, sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")			# valid UTF-8 throughout
ev = [json.loads(l) for l in raw.splitlines()]	# one object per line
pk = [e for e in ev if e["type"] == "packet"]
hooks = [e["output"] for e in ev if e["type"] == "hook"]
qs = [(e["dns"]["qtype"], e["dns"]["qname"], e["proto"]) for e in pk
      if "dns" in e and e["dns"]["qname"]]
want = [("A", "www.example.test", "udp"), ("AAAA", "www.example.test", "udp"),
        ("TXT", "txt.example.test", "udp"), ("A", "tcp.example.test", "tcp"),
        ("A", "odd\\.la\\000bel\\010x.example.test", "udp"),
        ("A", "q1.example.test", "udp")]
bad = 0
if qs != want:
    print("questions: %r\nexpected:  %r" % (qs, want)); bad = 1
two = [e["dns"] for e in pk if "dns" in e and e["dns"]["qdcount"] == 2]
if len(two) != 1 or [(q["qtype"], q["qname"]) for q in two[0]["questions"]] != \
        [("A", "q1.example.test"), ("AAAA", "q2.example.test")] or two[0]["id"] != 0x1234:
    print("two questions: %r" % two); bad = 1
tcp = [e["dns"] for e in pk if "dns" in e and e["dns"]["tcp"]]
if len(tcp) != 1 or tcp[0]["opcode"] != "QUERY" or tcp[0]["qclass"] != "IN":
    print("tcp query: %r" % tcp); bad = 1
probs = sorted(e["dns"]["problem"] for e in pk if "dns" in e and e["dns"]["problem"])
if probs != ["malformed dns: label past end", "malformed dns: shorter than its header"]:
    print("problems: %r" % probs); bad = 1
for want_h in ("qname=www.example.test qtype=A\n", "qname=www.example.test qtype=AAAA\n",
               "qname=odd\\.la\\000bel\\010x.example.test qtype=A\n"):
    if want_h not in hooks:
        print("no hook output %r in %r" % (want_h, hooks)); bad = 1
print("# %d packet reports, %d with a name" % (len(pk), len(qs)))
sys.exit(bad)
PY

# Text: the question ends the line; malformed payloads say so.
start_ptrap text -u -i $DNS4 -p 53
queries
sleep 0.3
stop_ptrap INT
for re in ' dns A\? www\.example\.test$' ' dns AAAA\? www\.example\.test$' \
	  ' dns TXT\? txt\.example\.test$' \
	  ' dns A\? odd\\\.la\\000bel\\010x\.example\.test$' \
	  ' dns A\? q1\.example\.test AAAA\? q2\.example\.test$' \
	  ' dns payload_problem="malformed dns: label past end"$' \
	  ' dns payload_problem="malformed dns: shorter than its header"$'; do
	grep -E "Matching PID: [0-9]+ comm=(dig|python3) .*$re" "$WORK/text.out" >/dev/null ||
		fail "no text line matching '$re': $(cat "$WORK/text.out")"
done
# one line per packet: 7 datagrams (the TCP query is not trapped: -u only)
[ "$(wc -l <"$WORK/text.out")" -eq 7 ] || fail "expected 7 lines: $(cat "$WORK/text.out")"

# The capture: a Query line per question in the packet comment.
command -v tshark >/dev/null || fail "tshark missing"
tshark -r "$WORK/names.pcapng" -T fields -e frame.comment 2>/dev/null >"$WORK/comments"
for want in 'Query: A www.example.test' 'Query: AAAA www.example.test' \
	    'Query: A tcp.example.test' 'Query: A q1.example.test\nQuery: AAAA q2.example.test' \
	    'Query: A odd\.la\000bel\010x.example.test' \
	    'PayloadProblem: malformed dns: label past end'; do
	grep -qF "Comm: " "$WORK/comments" && grep -qF -- "$want" "$WORK/comments" ||
		fail "no comment with '$want': $(cat "$WORK/comments")"
done
LUA="$TOP_SRCDIR/contrib/wireshark/ptrap.lua"
if tshark -X lua_script:"$LUA" -r "$WORK/names.pcapng" -c 1 -Y ptrap.pid >/dev/null 2>"$WORK/lua.err"; then
	n=$(tshark -X lua_script:"$LUA" -r "$WORK/names.pcapng" -Y 'ptrap.query == "www.example.test" && ptrap.qtype == "AAAA"' 2>/dev/null | wc -l)
	[ "$n" -eq 1 ] || fail "Lua plugin: $n packets with ptrap.query www.example.test AAAA, expected 1"
else
	info "tshark has no Lua here, Lua plugin not checked: $(cat "$WORK/lua.err")"
fi
[ -z "$(ptrap_rules)" ] || fail "rules left behind: $(ptrap_rules)"
exit 0
