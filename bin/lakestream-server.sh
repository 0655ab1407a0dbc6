#!/usr/bin/env bash
# Starts a Lakestream node: bin/lakestream-server.sh [config/server.properties] [--override key=value]...
# Needs the build the README names (mvn -B -DskipTests package), which makes broker/target/lakestream-server.jar.
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$home/broker/target/lakestream-server.jar"
if [[ ! -f "$jar" ]]; then
  echo "lakestream: $jar is missing; build it first with: mvn -B -DskipTests package" >&2
  exit 1
fi
config="$home/config/server.properties"
if [[ $# -gt 0 && "$1" != --* ]]; then
  config="$1"
  shift
fi
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# C2 compiles a method after a hundred times the JVM's default count of calls and loop
# iterations: methods that are hot only for a while (startup, the metadata path, one consumer's
# first reads) stay with C1, and what stays hot (a table writer's per-row converters, the
# per-batch paths of a long-running broker) still gets C2. With the defaults, C2 took about half
# the broker's CPU through the first several GiB a consumer read on a machine of two cores;
# with ten times the defaults, still a third (docs/benchmarks.md, sessions 14 and 17).
default_performance_opts="-XX:+UseG1GC -XX:Tier4InvocationThreshold=500000 -XX:Tier4MinInvocationThreshold=60000
  -XX:Tier4CompileThreshold=1500000 -XX:Tier4BackEdgeThreshold=4000000"
# LAKESTREAM_HEAP_OPTS and LAKESTREAM_JVM_PERFORMANCE_OPTS replace these defaults; LAKESTREAM_OPTS adds flags.
# LAKESTREAM_CLASSPATH adds jars, e.g. a JDBC driver for table.catalog.type=jdbc other than the shipped H2.
exec "$java_cmd" ${LAKESTREAM_HEAP_OPTS:--Xms1g -Xmx2g} ${LAKESTREAM_JVM_PERFORMANCE_OPTS:-$default_performance_opts} \
  -Dlog4j2.configurationFile="$home/config/log4j2.xml" \
  ${LAKESTREAM_OPTS:-} -cp "$jar${LAKESTREAM_CLASSPATH:+:$LAKESTREAM_CLASSPATH}" \
  io.lakestream.broker.server.LakestreamServer "$config" "$@"
