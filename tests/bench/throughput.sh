#!/usr/bin/env bash
# Throughput benchmark (prints a table; not a CI test). Measures, on this machine:
#  - the engine alone (tokenize + NER + topics, bench_engine.c): tokens/s and articles/s per
#    core, as thread CPU time;
#  - end to end through `newsenrichd mock-cluster` (its own process, at nice 10): articles/s at
#    saturation (N articles pre-produced, from the first consumed to the last produced, read
#    from the daemon's /metrics) with a pass-through daemon (no models: Kafka + JSON decode +
#    Avro encode only) and the engine with 1 and 2 workers; the daemon's CPU time per article;
#    peak RSS (VmHWM); start to READY=1 (a NOTIFY_SOCKET this script listens on);
#  - latency at 50% of the 2-worker saturation rate: a paced producer (nice 10), event
#    timestamp to enriched event timestamp (kcat %T), p50/p99.
#
# usage: tests/bench/throughput.sh
#   env: N articles (default 3000), SEED, LAT_SECONDS (paced run, default 15), NICE (mock
#   cluster and load generator, default 10), COMPARE_PRODUCER=1 (extra pass-through rows with
#   compression none/lz4 and linger.ms 0/20)
#   NEWSENRICHD  binary (default build/release/newsenrichd, built with `cmake --preset release`)
# Needs kcat, curl, cc, /usr/bin/python3. The articles come from gen_articles.py (synthetic).
set -euo pipefail
cd "$(dirname "$0")/../.."
SRC=$PWD
BIN=${NEWSENRICHD:-$SRC/build/release/newsenrichd}
LIB=$(dirname "$BIN")/libnewsenrich.a
N=${N:-3000}
SEED=${SEED:-7}
LAT_SECONDS=${LAT_SECONDS:-15}
NER=$SRC/models/ner.model
TOPICS=$SRC/models/topics.model
PY=/usr/bin/python3
NICE=${NICE:-10} # mock cluster and load generator
if [[ ! -x $BIN || ! -f $LIB ]]; then
        cmake --preset release >/dev/null && cmake --build --preset release -j2 >/dev/null
fi
TMP=$(mktemp -d /tmp/ne-bench.XXXXXX)
PIDS=()
cleanup() {
        local i
        for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
                kill -TERM "${PIDS[i]}" 2>/dev/null || true
                wait "${PIDS[i]}" 2>/dev/null || true
        done
        rm -rf "$TMP"
}
trap cleanup EXIT
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%s\", $1 }" 2>/dev/null || echo 0; }

echo "== articles (gen_articles.py, seed $SEED)"
$PY tests/bench/gen_articles.py --n "$N" --seed "$SEED" --bodies "$TMP/bodies.txt" \
        --kcat "$TMP/in.kcat"

echo "== engine (one thread, thread CPU time)"
cc -O2 -std=c17 -D_POSIX_C_SOURCE=200809L -Iinclude tests/bench/bench_engine.c "$LIB" -lz -lm \
        -lpthread -o "$TMP/bench_engine"
ENGINE=$(nice "$TMP/bench_engine" "$TMP/bodies.txt" "$NER" "$TOPICS" 3 2>"$TMP/engine.err")
cat "$TMP/engine.err" >&2
echo "$ENGINE"
kv() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }

echo "== mock cluster"
nice -n "$NICE" "$BIN" mock-cluster --brokers 1 --topic in:8 --topic in_lat:8 --topic in_lat2:8 --topic dlq:1 \
        --topic out_pt:8 --topic out_c1:8 --topic out_c2:8 --topic out_c3:8 --topic out_c4:8 \
        --topic out_w1:8 --topic out_w2:8 --topic out_lat:8 --topic out_lat2:8 \
        --bootstrap-file "$TMP/bootstrap" >/dev/null 2>"$TMP/cluster.log" &
PIDS+=($!)
for _ in $(seq 100); do [[ -s $TMP/bootstrap ]] && break; sleep 0.1; done
BS=$(cat "$TMP/bootstrap")
nice -n "$NICE" kcat -P -b "$BS" -t in -D '\n<<ne-msg-3f9c1b>>\n' -K '<<ne-key-3f9c1b>>' \
        -X linger.ms=50 -l "$TMP/in.kcat"
echo "pre-produced $N articles to 'in' ($(du -k "$TMP/in.kcat" | cut -f1) KiB)"

# config NAME OUTPUT INPUT WORKERS MODELS(yes/no) [EXTRA...]
config() {
        local f=$TMP/$1.conf
        {
                echo "input.topics = $3"
                echo "output.topic = $2"
                echo "output.format = avro"
                echo "output.schema_id = 2"
                echo "dead_letter.topic = dlq"
                echo "schema.1 = $SRC/schemas/article_published.avsc"
                echo "schema.2 = $SRC/schemas/article_enriched.avsc"
                echo "pipeline.workers = $4"
                echo "log.stats_interval_s = 0"
                echo "http.port = $PORT"
                echo "kafka.bootstrap.servers = $BS"
                echo "kafka.consumer.group.id = bench-$1-$$"
                if [[ $5 == yes ]]; then
                        echo "models.ner = $NER"
                        echo "models.topics = $TOPICS"
                fi
                shift 5
                for l in "$@"; do echo "$l"; done
        } >"$f"
        echo "$f"
}

metric() {
        curl -sf "http://127.0.0.1:$PORT/metrics" 2>/dev/null |
                awk -v m="$1" '$1 == m { print $2; f = 1 } END { if (!f) print 0 }'
}
# CPU nanoseconds of every thread of a process (schedstat: ns precision, unlike stat's ticks).
cpu_ns() { cat /proc/"$1"/task/*/schedstat | awk '{ s += $1 } END { printf "%d", s }'; }

# start NAME CONF: starts the daemon with a NOTIFY_SOCKET; sets DPID and READY_S.
start() {
        local sock=$TMP/notify-$1.sock
        $PY - "$sock" >"$TMP/notify-$1.out" <<'PYEOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(30)
print("bound", flush=True)
while True:
    msg = s.recv(4096).decode(errors="replace")
    if "READY=1" in msg.split("\n"):
        print("ready %.6f" % time.time(), flush=True)
        break
PYEOF
        local npid=$!
        for _ in $(seq 50); do grep -q bound "$TMP/notify-$1.out" 2>/dev/null && break; sleep 0.05; done
        local t0
        t0=$(now)
        NOTIFY_SOCKET=$sock "$BIN" run --config "$2" --allow-root >"$TMP/daemon-$1.log" 2>&1 &
        DPID=$!
        PIDS+=("$DPID")
        wait "$npid" || true
        local t_ready
        t_ready=$(awk '/ready/ { print $2 }' "$TMP/notify-$1.out")
        if [[ -z $t_ready ]]; then
                echo "$1: no READY=1; daemon log:" >&2
                tail -n 5 "$TMP/daemon-$1.log" >&2
                return 1
        fi
        READY_S=$(calc "$t_ready - $t0")
}

stop() {
        kill -TERM "$DPID"
        wait "$DPID" || echo "warning: daemon exited with $?" >&2
}

declare -A RATE CPUMS RSS READY
# saturate NAME OUTPUT WORKERS MODELS [EXTRA CONFIG LINES...]
saturate() {
        PORT=$((20000 + RANDOM % 20000))
        local conf
        conf=$(config "$1" "$2" in "$3" "$4" "${@:5}")
        RATE[$1]=0 CPUMS[$1]=0 RSS[$1]=0 READY[$1]=0
        start "$1" "$conf" || return 0
        local t_first="" c_first=0 deadline=$((SECONDS + 300)) consumed produced
        while :; do
                consumed=$(metric newsenrichd_messages_consumed_total)
                if [[ -z $t_first && ${consumed:-0} -gt 0 ]]; then
                        t_first=$(now)
                        c_first=$(cpu_ns "$DPID")
                fi
                produced=$(metric newsenrichd_messages_produced_total)
                ((${produced:-0} >= N)) && break
                ((SECONDS < deadline)) || { echo "$1: timed out at $produced" >&2; break; }
                kill -0 "$DPID" 2>/dev/null || { echo "$1: daemon exited" >&2; return 0; }
                sleep 0.05
        done
        local t_done c_done
        t_done=$(now)
        c_done=$(cpu_ns "$DPID")
        RSS[$1]=$(awk '/VmHWM/ { print $2 / 1024 }' "/proc/$DPID/status")
        RATE[$1]=$(calc "$N / ($t_done - $t_first)")
        CPUMS[$1]=$(calc "($c_done - $c_first) / 1e6 / $N")
        READY[$1]=$READY_S
        stop
        printf '%-12s workers=%s articles/s=%.0f cpu_ms/article=%.3f peak_rss_mb=%.1f ready_s=%.3f\n' \
                "$1" "$3" "${RATE[$1]}" "${CPUMS[$1]}" "${RSS[$1]}" "${READY[$1]}"
}

echo "== end to end at saturation ($N articles)"
saturate passthrough out_pt 1 no
if [[ -n ${COMPARE_PRODUCER:-} ]]; then
        # Producer batching settings, each against a pass-through run on its own output topic.
        saturate pt-none out_c1 1 no "kafka.producer.compression.type = none"
        saturate pt-lz4 out_c2 1 no "kafka.producer.compression.type = lz4"
        saturate pt-linger0 out_c3 1 no "kafka.producer.linger.ms = 0"
        saturate pt-linger20 out_c4 1 no "kafka.producer.linger.ms = 20"
fi
saturate engine-w1 out_w1 1 yes
saturate engine-w2 out_w2 2 yes

# latency LABEL INPUT OUTPUT [EXTRA CONFIG...]: a paced producer at half the 2-worker
# saturation rate; sets LAT.
latency() {
local label=$1 tin=$2 tout=$3
shift 3
echo "== latency at 50% of the 2-worker rate ($label)"
LAT_RATE=$(calc "int(${RATE[engine-w2]} / 2)")
LAT_N=$((LAT_RATE * LAT_SECONDS))
((LAT_N <= N)) || LAT_N=$N
PORT=$((20000 + RANDOM % 20000))
start "$label" "$(config "$label" "$tout" "$tin" 2 yes "$@")"
sleep 5 # the group join
$PY - "$TMP/in.kcat" "$LAT_RATE" "$LAT_N" <<'PYEOF' |
import sys, time
data = open(sys.argv[1], "rb").read().split(b"\n<<ne-msg-3f9c1b>>\n")
rate, n = float(sys.argv[2]), int(sys.argv[3])
t0 = time.monotonic()
out = sys.stdout.buffer
for i in range(n):
    delay = t0 + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    out.write(data[i] + b"\n<<ne-msg-3f9c1b>>\n")
    out.flush()
PYEOF
        nice -n "$NICE" kcat -P -b "$BS" -t "$tin" -D '\n<<ne-msg-3f9c1b>>\n' -K '<<ne-key-3f9c1b>>' \
                -X linger.ms=0
for _ in $(seq 100); do
        (($(metric newsenrichd_messages_produced_total) >= LAT_N)) && break
        sleep 0.2
done
stop
kcat -C -b "$BS" -t "$tin" -e -q -f '%k %T\n' >"$TMP/lat.in"
kcat -C -b "$BS" -t "$tout" -e -q -f '%k %T\n' >"$TMP/lat.out"
LAT=$($PY - "$TMP/lat.in" "$TMP/lat.out" <<'PYEOF'
import sys
def load(p):
    d = {}
    for line in open(p):
        k, t = line.split()
        d.setdefault(k, int(t))
    return d
a, b = load(sys.argv[1]), load(sys.argv[2])
lat = sorted(b[k] - a[k] for k in a if k in b)
pick = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"n={len(lat)} p50_ms={pick(0.5)} p99_ms={pick(0.99)} max_ms={lat[-1]}")
PYEOF
)
echo "rate=${LAT_RATE}/s $LAT"
}

LAT_DEFAULT="unavailable (no engine run)"
LAT_FAST=$LAT_DEFAULT
if [[ ${RATE[engine-w2]} != 0 ]]; then
        # The mock broker answers a fetch only when fetch.wait.max.ms (500 ms by default)
        # runs out, where a real broker answers as soon as data arrives: the second run
        # shortens the wait to show the daemon's own share.
        latency default in_lat out_lat
        LAT_DEFAULT=$LAT
        latency fetch-wait-10ms in_lat2 out_lat2 "kafka.consumer.fetch.wait.max.ms = 10"
        LAT_FAST=$LAT
fi
echo
echo "== summary"
ENG_CPU=$(kv "$ENGINE" cpu_ms_per_article)
printf '%-44s %12s  %s\n' "measure" "value" "target"
printf '%-44s %12.0f\n' "engine tokens/s per core" "$(kv "$ENGINE" tokens_per_s)"
printf '%-44s %12.1f\n' "engine articles/s per core" "$(kv "$ENGINE" articles_per_s)"
printf '%-44s %12.3f\n' "engine CPU ms/article (bench_engine)" "$ENG_CPU"
printf '%-44s %12.0f\n' "e2e articles/s pass-through (1 worker)" "${RATE[passthrough]}"
printf '%-44s %12.0f\n' "e2e articles/s engine, 1 worker" "${RATE[engine-w1]}"
printf '%-44s %12.0f  %s\n' "e2e articles/s engine, 2 workers" "${RATE[engine-w2]}" \
        "$(calc "${RATE[engine-w2]} / ${RATE[engine-w1]}")x (>= 1.5x)"
printf '%-44s %12.3f\n' "daemon CPU ms/article pass-through" "${CPUMS[passthrough]}"
printf '%-44s %12.3f  %s\n' "daemon CPU ms/article engine (1 worker)" "${CPUMS[engine-w1]}" \
        "pass-through = $(calc "100 * ${CPUMS[passthrough]} / ${CPUMS[engine-w1]}")% (<= 20%)"
lat_fmt() { sed 's/.*p50_ms=\([0-9]*\) p99_ms=\([0-9]*\).*/p50=\1 p99=\2 ms/' <<<"$1"; }
printf '%-44s %12s  %s\n' "latency at 50% saturation (mock defaults)" "$(lat_fmt "$LAT_DEFAULT")" \
        "(p99 <= 50 ms)"
printf '%-44s %12s  %s\n' "latency at 50% sat., fetch.wait.max.ms=10" "$(lat_fmt "$LAT_FAST")" \
        "(p99 <= 50 ms)"
printf '%-44s %12.1f  %s\n' "peak RSS MB (engine, 2 workers)" "${RSS[engine-w2]}" "(<= 256)"
printf '%-44s %12.3f  %s\n' "start to READY s (engine, 2 workers)" "${READY[engine-w2]}" "(<= 1)"
