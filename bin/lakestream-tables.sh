#!/usr/bin/env bash
# Lists and describes table topics: bin/lakestream-tables.sh [--bootstrap-server host:port]
#   [--catalog http://host:port] list | describe <topic>
# --catalog is a broker's Iceberg REST endpoint (table.catalog.rest.port).
set -euo pipefail
home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$home/broker/target/lakestream-server.jar"
if [[ ! -f "$jar" ]]; then
  echo "lakestream-tables: $jar is missing; build it first with: mvn -B -DskipTests package" >&2
  exit 1
fi
java_cmd="${JAVA_HOME:+$JAVA_HOME/bin/}java"
exec "$java_cmd" -Xmx256m -Dlog4j2.configurationFile="$home/config/log4j2-tools.xml" \
  -cp "$jar" io.lakestream.broker.table.TablesCommand "$@"
