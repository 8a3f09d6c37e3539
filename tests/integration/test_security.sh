#!/usr/bin/env bash
# Security settings end to end, against the mock cluster (which speaks neither TLS nor SASL, so
# the proof that a setting reached librdkafka is librdkafka's own complaint on the wire):
# - kafka.security.protocol = SSL: the daemon's connections attempt a TLS handshake;
#   a CA file that does not exist is rejected at start with its key and line.
# - SASL_PLAINTEXT with PLAIN credentials: the daemon attempts a SASL handshake; with
#   librdkafka's debug logging on, the password appears in no log line, no /metrics output and
#   no `check-config --dump`.
# - The HTTP endpoint listens on 127.0.0.1 only unless http.listen says otherwise.
# - `run` without --allow-root is refused for root (test_demo_cli.sh covers the message).
source "$(dirname "$0")/lib/common.sh"

SECRET=ne-s3cret-$RANDOM$RANDOM
start_cluster in:1 out:1 dlq:1

# log_has NAME PATTERN SECONDS: waits (SECONDS scaled) until the daemon log matches an
# extended regex.
log_has() {
        local deadline=$((SECONDS + $3 * SCALE))
        until grep -qE -- "$2" "$WORK/daemon-$1.log"; do
                ((SECONDS >= deadline)) && { tail -n 20 "$WORK/daemon-$1.log"; return 1; }
                kill -0 "$DPID" 2>/dev/null || { tail -n 20 "$WORK/daemon-$1.log"; return 1; }
                sleep 0.5
        done
}

# 1. A missing CA file is librdkafka's error, reported against the key and line.
write_config "$WORK/badca.conf" "kafka.security.protocol = SSL" \
        "kafka.ssl.ca.location = $WORK/no-such-ca.pem"
line=$(grep -n '^kafka.ssl.ca.location' "$WORK/badca.conf" | cut -d: -f1)
if "$NEWSENRICHD" check-config "$WORK/badca.conf" >"$WORK/badca.out" 2>&1; then
        fail "check-config accepted a missing ssl.ca.location"
fi
grep -qF "$WORK/badca.conf:$line: kafka.ssl.ca.location" "$WORK/badca.out" ||
        fail "no key and line in: $(cat "$WORK/badca.out")"
if "$NEWSENRICHD" run --config "$WORK/badca.conf" --allow-root >"$WORK/badca-run.log" 2>&1; then
        fail "run started with a missing ssl.ca.location"
fi
grep -qF "kafka.ssl.ca.location" "$WORK/badca-run.log" || fail "run: $(cat "$WORK/badca-run.log")"
echo "ok   missing CA file rejected at $WORK/badca.conf:$line"

# 2. TLS is attempted on the wire.
write_config "$WORK/tls.conf" "kafka.security.protocol = SSL"
start_daemon tls "$WORK/tls.conf"
log_has tls 'SSL handshake failed|SSL_HANDSHAKE' 30 || fail "no TLS handshake attempted"
stop_daemon || true
echo "ok   TLS handshake attempted"

# 3. SASL is attempted, and the password leaks nowhere even with librdkafka debugging on.
PORT=$((20000 + RANDOM % 20000))
write_config "$WORK/sasl.conf" "kafka.security.protocol = SASL_PLAINTEXT" \
        "kafka.sasl.mechanisms = PLAIN" "kafka.sasl.username = newsroom" \
        "kafka.sasl.password = $SECRET" "kafka.debug = security,broker,conf" \
        "log.level = debug" "http.port = $PORT"
start_daemon sasl "$WORK/sasl.conf"
log_has sasl 'SASL' 30 || fail "no SASL handshake attempted"
# Enough debug output that the redaction check below means something.
deadline=$((SECONDS + 30 * SCALE))
until (($(wc -l <"$WORK/daemon-sasl.log") > 20)) || ((SECONDS >= deadline)); do sleep 0.5; done
curl -sf "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics" || fail "GET /metrics failed"
if curl -sf "http://127.0.0.1:$PORT/ready" >/dev/null; then
        fail "/ready is 200 although the broker refused authentication"
fi
# Listening sockets of the daemon: only the loopback address.
ss -Hltnp | grep "pid=$DPID," >"$WORK/listen" || fail "daemon listens nowhere: $(ss -Hltnp)"
if grep -vE '127\.0\.0\.1:[0-9]+ ' "$WORK/listen"; then
        fail "HTTP endpoint listens beyond 127.0.0.1"
fi
stop_daemon || true
"$NEWSENRICHD" check-config --dump "$WORK/sasl.conf" >"$WORK/dump.out" 2>&1 ||
        fail "check-config --dump: $(cat "$WORK/dump.out")"
grep -qx 'kafka.sasl.password = (redacted)' "$WORK/dump.out" || fail "dump lacks the redaction"
lines=$(wc -l <"$WORK/daemon-sasl.log")
((lines > 20)) || fail "debug logging produced only $lines lines"
if grep -l -- "$SECRET" "$WORK"/*.log "$WORK/metrics" "$WORK/dump.out"; then
        fail "the SASL password leaked"
fi
echo "ok   SASL attempted; password absent from $lines debug log lines, /metrics and --dump"
echo "PASS"
