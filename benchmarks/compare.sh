#!/usr/bin/env bash
# Lakestream against Apache Kafka on this machine, one after the other with equivalent
# settings, measured with Kafka's own tools (ProducerPerformance, ConsumerPerformance,
# EndToEndLatency): 1 KiB records, acks=all, 1 and 16 partitions; transactional produce
# (ProducerPerformance --transactional-id, a commit every TXN_DURATION_MS); the time a group of 10
# consumers takes to rebalance (benchmarks/tools/GroupRebalanceTime.java, both group
# protocols, group.initial.rebalance.delay.ms=0 on both); then a catch-up read of
# the 16-partition topic after a restart with the OS page cache dropped, so Lakestream reads
# from its object store and Kafka from its disk. Prints both results and their ratio.
#
# Usage: benchmarks/compare.sh   (after `mvn -B -q -DskipTests package`; run as root so the
#        page cache can be dropped; on a quiet machine: the two runs share its cores)
# Environment: RECORDS_1 (records for 1 partition, default 300000), RECORDS_16 (default
# 1048576: 1 GiB, the catch-up read), E2E_RECORDS (default 10000), OUT (a copy of the table),
# SYSTEMS (default "kafka lakestream": run one alone to compare a change against an earlier run),
# CONSUME_RUNS (default 1: how many times each consume step runs; each run gets its own row,
# so a noisy machine shows its spread, and with more than one a row gives their median),
# SKIP_E2E (1 to leave out the end-to-end latency steps),
# SKIP_REBALANCE (1 to leave out the group rebalance steps), TXN_RECORDS (records per topic for the
# transactional produce, default 300000), TXN_DURATION_MS (how long each transaction stays open
# before its commit, default 100), SKIP_TXN (1 to leave out the transactional produce steps),
# CATCHUP_ONLY (1 with WORK set to the work directory of an earlier run: only the catch-up read
# again, over that run's data), ROUNDS (default 1: how many times the whole comparison runs; the
# rounds alternate which system goes first, each round's data is deleted after its catch-up read,
# and the table gives each system's median and the median of the rounds' ratios, with their range:
# single runs on a shared machine spread by a third).
# LAKESTREAM_OPTS reaches the Lakestream JVM (a profiler, say: -XX:StartFlightRecording=...).
set -euo pipefail
cd "$(dirname "$0")/.."
HOME_DIR=$(pwd)

RECORDS_1=${RECORDS_1:-300000}
RECORDS_16=${RECORDS_16:-1048576}
E2E_RECORDS=${E2E_RECORDS:-10000}
SYSTEMS=${SYSTEMS:-kafka lakestream}
CONSUME_RUNS=${CONSUME_RUNS:-1}
SKIP_E2E=${SKIP_E2E:-0}
TXN_RECORDS=${TXN_RECORDS:-300000}
TXN_DURATION_MS=${TXN_DURATION_MS:-100}
RECORD_SIZE=1024
CATCHUP_ONLY=${CATCHUP_ONLY:-0}
ROUNDS=${ROUNDS:-1}
ROUND=1
if [ "$CATCHUP_ONLY" = 1 ]; then
  [ -d "${WORK:-}" ] || { echo "[compare] CATCHUP_ONLY=1 needs WORK, the work directory of an earlier run" >&2; exit 1; }
  [ "$ROUNDS" = 1 ] || { echo "[compare] CATCHUP_ONLY=1 reads one round's data: leave ROUNDS at 1" >&2; exit 1; }
  rm -f "$WORK/results.tsv"
else
  WORK=$(mktemp -d /tmp/lakestream-compare.XXXXXX)
fi
RESULTS="$WORK/results.tsv"
HEAP="-Xms1g -Xmx1g"
SERVER_PID=""

log() { echo "[compare] $*" >&2; }

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID"
    for _ in $(seq 1 60); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 1; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
}
trap 'stop_server' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

await_line() { # file, text, seconds
  for _ in $(seq 1 "$3"); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -30 "$1" >&2; log "server exited"; exit 1; }
    sleep 1
  done
  tail -30 "$1" >&2; log "no '$2' in $1 after $3 s"; exit 1
}

drop_page_cache() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then echo 3 > /proc/sys/vm/drop_caches; else log "cannot drop the page cache (not root): the catch-up read may be served from memory"; fi
}

[ -f broker/target/lakestream-server.jar ] || { log "build first: mvn -B -q -DskipTests package"; exit 1; }
log "resolving Apache Kafka's classpath (benchmarks/kafka-reference)"
mvn -B -q -f benchmarks/kafka-reference/pom.xml dependency:build-classpath -Dmdep.outputFile="$WORK/kafka.cp" >&2
KAFKA_CP=$(cat "$WORK/kafka.cp")
cat > "$WORK/log4j2.xml" <<'EOF'
<Configuration status="WARN">
  <Appenders><Console name="out" target="SYSTEM_OUT"><PatternLayout pattern="[%d] %-5level %c{1} - %msg%n"/></Console></Appenders>
  <Loggers><Logger name="kafka.server.KafkaServer" level="info"/><Logger name="kafka.server.KafkaRaftServer" level="info"/>
    <Logger name="kafka.server.BrokerServer" level="info"/><Root level="warn"><AppenderRef ref="out"/></Root></Loggers>
</Configuration>
EOF
# exec: started with &, the function's subshell becomes the JVM, so $! is the PID that stop_server kills.
kafka_java() { exec java $HEAP -XX:+UseG1GC -Dlog4j2.configurationFile="$WORK/log4j2.xml" -cp "$KAFKA_CP" "$@"; }
tool() { java -Xmx512m -Dlog4j2.configurationFile="$WORK/log4j2.xml" -cp "$KAFKA_CP" "$@"; }

start_kafka() { # dir (formats it the first time)
  local dir=$1
  if [ ! -f "$dir/server.properties" ]; then
    mkdir -p "$dir"
    local controller_port; controller_port=$(free_port)
    cat > "$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$controller_port
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$dir/logs
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
    (kafka_java kafka.tools.StorageTool format --config "$dir/server.properties" \
      --cluster-id "$(tool kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" >> "$dir/server.log" 2>&1)
  fi
  kafka_java kafka.Kafka "$dir/server.properties" >> "$dir/server.log" 2>&1 &
  SERVER_PID=$!
  await_line "$dir/server.log" "Kafka Server started" 120
}

start_lakestream() { # dir
  local dir=$1
  mkdir -p "$dir"
  [ -f "$dir/controller.port" ] || free_port > "$dir/controller.port"
  LAKESTREAM_HEAP_OPTS="$HEAP" bin/lakestream-server.sh config/server.properties \
    --override "listeners=PLAINTEXT://127.0.0.1:$PORT" \
    --override "controller.quorum.voters=1@127.0.0.1:$(cat "$dir/controller.port")" \
    --override "log.dir=$dir/data" --override "metrics.http.port=-1" \
    --override "group.initial.rebalance.delay.ms=0" >> "$dir/server.log" 2>&1 &
  SERVER_PID=$!
  await_line "$dir/server.log" "listening on PLAINTEXT://127.0.0.1:$PORT" 120
}

record() { # system metric value
  printf '%s\t%s\t%s\t%s\n' "$ROUND" "$1" "$2" "$3" >> "$RESULTS"
}

produce() { # system topic records label [more ProducerPerformance options]
  local system=$1 topic=$2 records=$3 label=$4; shift 4
  local out; out=$(tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" \
    --record-size $RECORD_SIZE --throughput -1 "$@" \
    --producer-props bootstrap.servers=127.0.0.1:$PORT acks=all 2>&1 | tail -1)
  log "$system $label $topic: $out"
  # "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, p50 ms 50th, p95 ms 95th, p99 ms 99th, ..."
  grep -q "^$records records sent" <<< "$out" || { log "$system $label $topic did not finish: $out"; exit 1; }
  record "$system" "$label MB/s, $topic" "$(sed -E 's/.*\(([0-9.]+) MB\/sec\).*/\1/' <<< "$out")"
  record "$system" "$label p99 ms, $topic" "$(sed -E 's/.* ([0-9]+) ms 99th.*/\1/' <<< "$out")"
}

transactional_produce() { # system topic: every record in a transaction, committed every TXN_DURATION_MS
  produce "$1" "$2" "$TXN_RECORDS" "txn produce" --transactional-id "perf-$2" \
    --transaction-duration-ms "$TXN_DURATION_MS"
}

consume() { # system topic records label
  local out; out=$(tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server 127.0.0.1:$PORT \
    --topic "$2" --num-records "$3" --timeout 120000 --hide-header 2>&1 | tail -1)
  log "$1 consume $2 ($4): $out"
  # start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  local consumed; consumed=$(awk -F', ' '{print $5}' <<< "$out")
  [ "$consumed" = "$3" ] || { log "$1 consumed $consumed of $3 records from $2"; exit 1; }
  record "$1" "$4 MB/s, $2" "$(awk -F', ' '{print $9}' <<< "$out")"
}

record_median() { # system metric-prefix topic: the median of the runs' rows "<prefix> (run N) MB/s, <topic>"
  local median; median=$(awk -F'\t' -v round="$ROUND" -v sys="$1" -v prefix="$2 (run " -v suffix=") MB/s, $3" '
    $1 == round && $2 == sys && index($3, prefix) == 1 && substr($3, length($3) - length(suffix) + 1) == suffix {
      print $4 }' "$RESULTS" | grep -v '^$' | sort -g \
    | awk '{ v[++n] = $1 } END { print (n == 0 ? "-" : n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2) }')
  record "$1" "$2 MB/s, median of $CONSUME_RUNS, $3" "$median"
}

end_to_end() { # system topic
  local out; out=$(tool org.apache.kafka.tools.EndToEndLatency --bootstrap-server 127.0.0.1:$PORT --topic "$2" \
    --num-records "$E2E_RECORDS" --producer-acks all --record-size $RECORD_SIZE 2>&1)
  log "$1 end-to-end $2: $(grep -E 'Avg latency|Percentiles' <<< "$out" | tr '\n' ' ')"
  record "$1" "end-to-end p99 ms, $2" "$(sed -nE 's/.*99th = ([0-9.]+).*/\1/p' <<< "$out")"
}

rebalance() { # system protocol: a group of 10 consumers joins, one leaves, one joins
  local out; out=$(tool benchmarks/tools/GroupRebalanceTime.java 127.0.0.1:$PORT "rebalance-$2" 10 "$2" 5 2>"$WORK/rebalance-$1-$2.log" | tail -1)
  log "$1 rebalance ($2): $out"
  for step in join leave add; do
    record "$1" "group of 10 $step ms, $2" "$(sed -nE "s/.*${step}_ms=([0-9]+).*/\1/p" <<< "$out")"
  done
}

create_topic() { # name partitions
  tool org.apache.kafka.tools.TopicCommand --bootstrap-server 127.0.0.1:$PORT --create --topic "$1" \
    --partitions "$2" --replication-factor 1 >/dev/null
}

run_system() { # system start-function
  local system=$1 start=$2 dir="$WORK/$1"
  [ "$ROUNDS" = 1 ] || dir="$WORK/round-$ROUND/$1"
  PORT=$(free_port)
  if [ "$CATCHUP_ONLY" = 1 ]; then
    # Kafka's listener port is in the server.properties its first run wrote.
    [ ! -f "$dir/server.properties" ] || PORT=$(sed -nE 's|^listeners=PLAINTEXT://127.0.0.1:([0-9]+).*|\1|p' "$dir/server.properties")
    catch_up "$system" "$start" "$dir"
    return
  fi
  log "starting $system on 127.0.0.1:$PORT, data in $dir"
  $start "$dir"
  create_topic perf-1 1
  create_topic perf-16 16
  create_topic e2e-1 1
  create_topic e2e-16 16
  produce "$system" perf-1 "$RECORDS_1" produce
  produce "$system" perf-16 "$RECORDS_16" produce
  local run label
  for run in $(seq 1 "$CONSUME_RUNS"); do
    label="consume"; [ "$CONSUME_RUNS" -eq 1 ] || label="consume (run $run)"
    consume "$system" perf-1 "$RECORDS_1" "$label"
    consume "$system" perf-16 "$RECORDS_16" "$label"
  done
  if [ "$CONSUME_RUNS" -gt 1 ]; then
    record_median "$system" consume perf-1
    record_median "$system" consume perf-16
  fi
  if [ "$SKIP_E2E" != 1 ]; then
    end_to_end "$system" e2e-1
    end_to_end "$system" e2e-16
  fi
  if [ "${SKIP_REBALANCE:-0}" != 1 ]; then
    rebalance "$system" classic
    rebalance "$system" consumer
  fi
  if [ "${SKIP_TXN:-0}" != 1 ]; then
    create_topic txn-1 1
    create_topic txn-16 16
    transactional_produce "$system" txn-1
    transactional_produce "$system" txn-16
  fi
  log "restarting $system with the page cache dropped, for the catch-up read"
  stop_server
  catch_up "$system" "$start" "$dir"
  # Three rounds of both systems' data would take about 10 GB; the logs stay.
  [ "$ROUNDS" = 1 ] || rm -rf "$dir/data" "$dir/logs"
}

catch_up() { # system start-function dir (with the server stopped)
  drop_page_cache
  $2 "$3"
  consume "$1" perf-16 "$RECORDS_16" "catch-up read"
  stop_server
  du -sh "$3" >&2
}

for ROUND in $(seq 1 "$ROUNDS"); do
  # Even rounds reverse the order, so neither system always runs on a machine the other just left.
  order=$SYSTEMS
  [ $((ROUND % 2)) = 1 ] || order=$(tr ' ' '\n' <<< "$SYSTEMS" | grep . | tac | tr '\n' ' ')
  [ "$ROUNDS" = 1 ] || log "round $ROUND of $ROUNDS: $order"
  for system in $order; do
    run_system "$system" "start_$system"
  done
done

echo
if [ "$ROUNDS" = 1 ]; then
  printf '%-40s %12s %12s %8s\n' "metric" "Kafka" "Lakestream" "ratio"
else
  printf '%-40s %12s %12s %8s  %s\n' "metric (medians of $ROUNDS rounds)" "Kafka" "Lakestream" "ratio" \
    "ratio in each round"
fi
awk -F'\t' -v nrounds="$ROUNDS" '
  function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n == 0 ? "" : n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  {
    round = $1; m = $3; value[round FS $2 FS m] = $4; rounds[round] = 1
    if (!(m in seen)) { seen[m] = 1; order[n++] = m }
  }
  END {
    for (i = 0; i < n; i++) {
      m = order[i]; ks = ""; ls = ""; rs = ""; each = ""
      for (r = 1; r in rounds; r++) {
        k = value[r FS "kafka" FS m]; l = value[r FS "lakestream" FS m]
        if (k != "" && k != "-") ks = ks " " k
        if (l != "" && l != "-") ls = ls " " l
        ratio = k + 0 > 0 && l != "" && l != "-" ? sprintf("%.2f", l / k) : "-"
        if (ratio != "-") rs = rs " " ratio
        each = each (r > 1 ? " " : "") ratio
      }
      k = median(ks); l = median(ls); ratio = median(rs)
      if (nrounds == 1) printf "%-40s %12s %12s %8s\n", m, k == "" ? "-" : k, l == "" ? "-" : l, ratio == "" ? "-" : sprintf("%.2f", ratio)
      else printf "%-40s %12s %12s %8s  %s\n", m, k == "" ? "-" : k, l == "" ? "-" : l, ratio == "" ? "-" : sprintf("%.2f", ratio), each
    }
  }' "$RESULTS" | tee "${OUT:-$WORK/compare.txt}"
log "ratio is Lakestream / Kafka: above 1 is better for MB/s, below 1 is better for latency; logs in $WORK"
