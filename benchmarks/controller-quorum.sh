#!/usr/bin/env bash
# Object commits per second and commit latency on a quorum of controller PROCESSES: three
# (VOTERS) Lakestream nodes with process.roles=controller, each its own JVM, and
# ControllerCommitRate as the client in a fourth. ControllerCommitRate alone runs all voters
# in one JVM, where one GC pause stalls the leader and its followers at once.
#
# Usage: benchmarks/controller-quorum.sh   (after `mvn -B -q -DskipTests package`)
# Environment: VOTERS (default 3), WARMUP_SECONDS (default 60), SECONDS_MEASURED (default 15), WRITERS (default 32), RUNS
# (default 1), CONTROLLER_JVM (default "-Xms512m -Xmx512m -XX:+UseParallelGC"), CLIENT_JVM
# (default "-Xms512m -Xmx512m -XX:+UseParallelGC"); "{id}" in CONTROLLER_JVM becomes the node id
# (-XX:StartFlightRecording=filename=/tmp/node{id}.jfr profiles each voter).
set -euo pipefail
cd "$(dirname "$0")/.."
VOTERS=${VOTERS:-3}
SECONDS_MEASURED=${SECONDS_MEASURED:-15}
WRITERS=${WRITERS:-32}
RUNS=${RUNS:-1}
CONTROLLER_JVM=${CONTROLLER_JVM:--Xms512m -Xmx512m -XX:+UseParallelGC}
CLIENT_JVM=${CLIENT_JVM:--Xms512m -Xmx512m -XX:+UseParallelGC}
# Four JVMs compile the same hot paths on two cores: C2 alone took ~4 s of CPU per voter in
# the first 25 s, so the unmeasured warm-up is longer than the in-JVM benchmark's 5 s.
WARMUP_SECONDS=${WARMUP_SECONDS:-60}
SERVER_JAR=broker/target/lakestream-server.jar
BENCH_JAR=benchmarks/target/benchmarks.jar
for jar in "$SERVER_JAR" "$BENCH_JAR"; do
  [ -f "$jar" ] || { echo "missing $jar: run mvn -B -q -DskipTests package first" >&2; exit 1; }
done
WORK=$(mktemp -d /tmp/lakestream-controller-quorum.XXXXXX)
PIDS=()
stop_voters() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && wait "$pid" 2>/dev/null || true
  done
  PIDS=()
}
trap 'stop_voters; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

for run in $(seq 1 "$RUNS"); do
  voters=""
  for id in $(seq 1 "$VOTERS"); do voters="${voters:+$voters,}$id@127.0.0.1:$(free_port)"; done
  for id in $(seq 1 "$VOTERS"); do
    mkdir -p "$WORK/run$run/node$id"
    # shellcheck disable=SC2086
    java ${CONTROLLER_JVM//\{id\}/$id} -Dlog4j2.configurationFile="$PWD/config/log4j2.xml" -jar "$SERVER_JAR" config/server.properties \
      --override node.id="$id" --override process.roles=controller --override controller.quorum.voters="$voters" \
      --override log.dir="$WORK/run$run/node$id" --override metrics.http.port=-1 \
      > "$WORK/run$run/node$id.log" 2>&1 &
    PIDS+=($!)
  done
  # shellcheck disable=SC2086
  java $CLIENT_JVM -Dbench.warmupSeconds="$WARMUP_SECONDS" -Dbench.quorum="$voters" -cp "$BENCH_JAR" io.lakestream.benchmarks.ControllerCommitRate \
    "$SECONDS_MEASURED" "$WRITERS" 2> "$WORK/run$run/client.log" | { [ "$run" -gt 1 ] && tail -n +2 || cat; }
  stop_voters
done
