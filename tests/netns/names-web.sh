#!/bin/sh
# The server name of a TLS ClientHello (curl https:// to openssl s_server)
# and the Host of an HTTP request (curl http:// to python3 -m http.server)
# in the reports and the hook's environment; HTTP on a port of its own and
# TLS on a non-standard port: recognised by their bytes, not the port.
. "${TOP_SRCDIR:-$(dirname "$0")/../..}/tests/lib.sh"
netns_enter "$@"
need_python
command -v curl >/dev/null || fail "curl missing"
command -v openssl >/dev/null || fail "openssl missing"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=api.example.test \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" >/dev/null 2>&1 ||
	fail "openssl cannot make a certificate"
openssl s_server -accept 192.0.2.53:4443 -cert "$WORK/cert.pem" \
	-key "$WORK/key.pem" -www -quiet </dev/null >/dev/null 2>&1 &
PIDS_TO_KILL="$PIDS_TO_KILL $!"
(cd "$WORK" && exec python3 -m http.server --bind 192.0.2.53 8080 >/dev/null 2>&1) &
PIDS_TO_KILL="$PIDS_TO_KILL $!"
for _ in $(seq 1 50); do
	curl -s -o /dev/null http://192.0.2.53:8080/ &&
		curl -sk -o /dev/null https://192.0.2.53:4443/ && break
	sleep 0.1
done

# --every-packet: SNI and Host come after the SYN (a connection's one report)
start_ptrap web -t -i 192.0.2.53 -p 4443,8080 -j --every-packet \
	-e 'printf "%s\n" "sni=$PTRAP_SNI host=$PTRAP_HOST"; :'
curl -sk -o /dev/null --resolve api.example.test:4443:192.0.2.53 \
	https://api.example.test:4443/ || fail "curl https failed"
curl -s -o /dev/null --resolve web.example.test:8080:192.0.2.53 \
	http://web.example.test:8080/ || fail "curl http failed"
sleep 0.5
stop_ptrap INT

python3 - "$WORK/web.out" <<'PY' || fail "JSON reports (see above)"
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1], "rb").read().decode().splitlines()]
pk = [e for e in ev if e["type"] == "packet"]
hooks = [e["output"] for e in ev if e["type"] == "hook"]
tls = [e for e in pk if "tls" in e]
http = [e for e in pk if "http" in e]
bad = 0
if len(tls) != 1 or tls[0]["tls"]["sni"] != "api.example.test" or tls[0]["comm"] != "curl" \
        or tls[0]["dport"] != 4443 or tls[0]["tls"]["problem"] is not None:
    print("tls: %r" % tls); bad = 1
if len(http) != 1 or http[0]["http"]["host"] != "web.example.test" or \
        http[0]["http"]["port"] != 8080 or http[0]["http"]["method"] != "GET" or http[0]["comm"] != "curl":
    print("http: %r" % http); bad = 1
for h in ("sni=api.example.test host=\n", "sni= host=web.example.test\n"):
    if h not in hooks:
        print("no hook output %r in %r" % (h, hooks)); bad = 1
sys.exit(bad)
PY

start_ptrap text -t --every-packet -i 192.0.2.53 -p 4443,8080
curl -sk -o /dev/null --resolve api.example.test:4443:192.0.2.53 \
	https://api.example.test:4443/ || fail "curl https failed"
curl -s -o /dev/null --resolve web.example.test:8080:192.0.2.53 \
	http://web.example.test:8080/ || fail "curl http failed"
sleep 0.3
stop_ptrap INT
grep -E "comm=curl .*:4443 .*tls sni=api\.example\.test$" "$WORK/text.out" >/dev/null ||
	fail "no tls sni= line: $(cat "$WORK/text.out")"
grep -E "comm=curl .*:8080 .*http host=web\.example\.test$" "$WORK/text.out" >/dev/null ||
	fail "no http host= line: $(cat "$WORK/text.out")"
exit 0
