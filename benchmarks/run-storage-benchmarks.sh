#!/usr/bin/env bash
# Runs the storage engine benchmarks of issue 3 in one session and prints the figures that
# docs/benchmarks.md records:
#   - WAL appends (1 KiB and 64 KiB; 1, 8 and 64 appenders) against the raw disk
#     (write + fsync loop with the same payload, through the page cache or direct in whole
#     blocks, whichever is faster) measured in the same run;
#   - sequential stream reads, hot (log cache) and cold (s3proxy, block cache, read-ahead);
#   - S3 PUTs per GB written with 1, 100 and 1,000 streams.
# Usage: benchmarks/run-storage-benchmarks.sh [output-dir]   (from the repository root)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-benchmarks/target/results}
mkdir -p "$out"
jar=benchmarks/target/benchmarks.jar
[ -f "$jar" ] || mvn -B -q -pl benchmarks -am package -DskipTests

jmh() { java -jar "$jar" "$@" -rf json; }

echo "== raw disk baseline"
jmh 'RawDiskBaselineBenchmark' -t 1 -rff "$out/raw-disk.json" | tee "$out/raw-disk.txt" | tail -6
for threads in 1 8 64; do
  echo "== WAL append, $threads appenders"
  jmh 'WalAppendBenchmark' -t "$threads" -rff "$out/wal-$threads.json" | tee "$out/wal-$threads.txt" | tail -10
done
echo "== stream fetch"
jmh 'StreamFetchBenchmark' -rff "$out/fetch.json" | tee "$out/fetch.txt" | tail -8
echo "== upload PUT count"
java -Xmx4g -cp "$jar" io.lakestream.benchmarks.UploadPutCount 512 | tee "$out/upload.txt"

python3 - "$out" <<'PY'
import json, sys, os
out = sys.argv[1]
def load(name):
    return json.load(open(os.path.join(out, name)))
def score(results, bench, mode, payload):
    for r in results:
        if r["benchmark"].endswith(bench) and r["mode"] == mode and r["params"]["payloadBytes"] == str(payload):
            return r["primaryMetric"]
def disk_speed(payload):
    # The faster of writing through the page cache and writing directly in whole blocks.
    return max(r["primaryMetric"]["score"] for r in raw
               if r["mode"] == "thrpt" and r["params"]["payloadBytes"] == str(payload)) * 1000 * payload / 1e6
raw = load("raw-disk.json")
print("\nWAL append against the raw disk (same payload, same run)")
print(f"{'payload':>8} {'appenders':>9} {'WAL MB/s':>9} {'disk MB/s':>9} {'ratio':>6} {'WAL p99 ms':>10}")
for payload in (1024, 65536):
    disk = disk_speed(payload)
    for threads in (1, 8, 64):
        res = load(f"wal-{threads}.json")
        thr = score(res, "appendDurably", "thrpt", payload)["score"] * 1000 * payload / 1e6
        p99 = score(res, "appendDurably", "sample", payload)["scorePercentiles"]["99.0"]
        print(f"{payload:>8} {threads:>9} {thr:>9.1f} {disk:>9.1f} {thr / disk:>6.2f} {p99:>10.3f}")
print("\nSequential stream reads")
for r in load("fetch.json"):
    mb = r["secondaryMetrics"]["bytes"]["score"] / 1e6
    print(f"{r['params']['source']:>5}: {mb:.1f} MB/s")
PY
