#!/usr/bin/env bash
# Table topic ingest and freshness (issue 7): a real Lakestream on an S3 server (s3proxy) and a
# real Trino on its Iceberg REST catalog, driven by io.lakestream.table.TableIngestBenchmark
# (tests module). Prints rows/s and MB/s of a backfill into Iceberg, and how long a record takes
# from the producer to a Trino query with a 1 s and with the default 60 s commit interval.
#
# Usage: benchmarks/table-ingest.sh   (after `mvn -B -q -DskipTests package`, which also unpacks
#        Trino into tests/target; Trino runs on /usr/lib/jvm/temurin-25-jdk-amd64)
# Environment: RECORDS (default 500000) per backfill, BACKFILLS (2: the first on a fresh broker, the
# next on a warm one), FRESHNESS_SAMPLES_1S (10), FRESHNESS_SAMPLES_DEFAULT (3),
# BACKGROUND_RATE (records/s on each freshness topic, 1000). A sample count of 0 skips that
# freshness part (FRESHNESS_SAMPLES_1S=0 FRESHNESS_SAMPLES_DEFAULT=0: the backfill only).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d tests/target/trino ] || { echo "build first: mvn -B -q -DskipTests package" >&2; exit 1; }
cp_file=$(mktemp /tmp/lakestream-table-bench.XXXXXX.cp)
trap 'rm -f "$cp_file"' EXIT
# In one session with test-compile, the sibling modules resolve to their target/classes.
mvn -B -q -pl tests -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile="$cp_file" >&2
trino_version=$(ls tests/target/trino | sed -n 's/^trino-server-core-//p' | head -1)
exec java -Xmx6g -Dlakestream.home=. \
  -Dtrino.home="tests/target/trino/trino-server-core-$trino_version" -Dtrino.plugins=tests/target/trino-plugins \
  -Dlog4j2.configurationFile=config/log4j2-tools.xml \
  -cp "tests/target/test-classes:$(cat "$cp_file")" io.lakestream.table.TableIngestBenchmark
