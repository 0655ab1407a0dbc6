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
# LAKESTREAM_CLASSPATH adds jars, e.g. a JDBC driver for table.catalog.type=jdbc other than the shipped H2.
exec "$java_cmd" ${LAKESTREAM_HEAP_OPTS:--Xms1g -Xmx2g} -XX:+UseG1GC \
  -Dlog4j2.configurationFile="$home/config/log4j2.xml" \
  ${LAKESTREAM_OPTS:-} -cp "$jar${LAKESTREAM_CLASSPATH:+:$LAKESTREAM_CLASSPATH}" \
  io.lakestream.broker.server.LakestreamServer "$config" "$@"
