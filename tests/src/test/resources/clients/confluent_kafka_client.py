"""confluent-kafka-python driven by ConfluentKafkaPythonClientTest, one command per run.

Prints one line per result, in a plain format the test compares exactly; exits 1 if the
client reported an error. Run with Debian's /usr/bin/python3 and python3-confluent-kafka.
Consumers use assign() with explicit offsets: Lakestream has no consumer groups yet, and the
group.id that confluent-kafka requires is never used to join or commit.
"""
import argparse
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic


def create_topics(args):
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    specs = [spec.split(":") for spec in args.topics]
    futures = admin.create_topics(
        [NewTopic(s[0], int(s[1]), int(s[2]) if len(s) > 2 else 1) for s in specs],
        operation_timeout=30, request_timeout=30)
    for name, future in futures.items():
        try:
            future.result()
            print("created", name)
        except KafkaException as e:
            print("failed", name, e.args[0].name())


def list_topics(args):
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    metadata = admin.list_topics(topic=args.topic, timeout=30)
    for broker in sorted(metadata.brokers.values(), key=lambda b: b.id):
        print("broker", broker.id, "%s:%d" % (broker.host, broker.port))
    for name in sorted(metadata.topics):
        topic = metadata.topics[name]
        print("topic", name, len(topic.partitions), topic.error.name() if topic.error else "NONE")
        if args.topic:
            for p in sorted(topic.partitions.values(), key=lambda p: p.id):
                print("partition", p.id, "leader", p.leader, "replicas", p.replicas, "isrs", p.isrs)


def produce(args):
    config = {
        "bootstrap.servers": args.bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "compression.type": args.compression,
        "linger.ms": 50,
        "debug": "eos",
    }
    producer = Producer(config)
    failures = []

    def delivered(error, message):
        key = message.key().decode()
        if error is not None:
            failures.append(key)
            print("failed", key, error.name())
        else:
            print("delivered %d:%d:%s" % (message.partition(), message.offset(), key))

    for i in range(args.count):
        extra = {}
        if args.timestamp_base is not None:
            extra["timestamp"] = args.timestamp_base + 1000 * i
        producer.produce(args.topic, key=b"k%d" % i, value=(b"v%d" % i) + b"z" * args.padding,
                         partition=i % args.partitions, headers=[("seq", str(i).encode())],
                         on_delivery=delivered, **extra)
        producer.poll(0)
    left = producer.flush(60)
    if left or failures:
        print("undelivered", left, "failed", len(failures), file=sys.stderr)
        sys.exit(1)


def assigned_consumer(bootstrap):
    return Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "unused-no-groups-yet",
        "enable.auto.commit": False,
        "enable.partition.eof": False,
    })


def consume(args):
    consumer = assigned_consumer(args.bootstrap)
    starts = [s.split(":") for s in args.starts]
    consumer.assign([TopicPartition(args.topic, int(p), int(o)) for p, o in starts])
    received = 0
    deadline = time.monotonic() + 30
    while received < args.count and time.monotonic() < deadline:
        message = consumer.poll(1.0)
        if message is None:
            continue
        if message.error():
            print("error", message.error().name(), message.error().str(), file=sys.stderr)
            sys.exit(1)
        headers = ",".join("%s=%s" % (k, v.decode()) for k, v in (message.headers() or []))
        value = message.value().decode()
        # The value without the padding that made it compressible.
        print("%d:%d:%s:%s:%s" % (message.partition(), message.offset(), message.key().decode(),
                                  value.rstrip("z"), headers))
        received += 1
    consumer.close()
    if received < args.count:
        print("received", received, "of", args.count, "in 30 s", file=sys.stderr)
        sys.exit(1)


def offsets(args):
    consumer = assigned_consumer(args.bootstrap)
    low, high = consumer.get_watermark_offsets(TopicPartition(args.topic, args.partition), timeout=30)
    print("watermarks", low, high)
    for ts in args.timestamps:
        found = consumer.offsets_for_times([TopicPartition(args.topic, args.partition, ts)], timeout=30)
        print("time", ts, found[0].offset, found[0].error.name() if found[0].error else "NONE")
    consumer.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap")
    commands = parser.add_subparsers(dest="command", required=True)
    c = commands.add_parser("create-topics")
    c.add_argument("topics", nargs="+", help="name:partitions[:replication]")
    c.set_defaults(run=create_topics)
    c = commands.add_parser("list-topics")
    c.add_argument("topic", nargs="?")
    c.set_defaults(run=list_topics)
    c = commands.add_parser("produce")
    c.add_argument("topic")
    c.add_argument("count", type=int)
    c.add_argument("partitions", type=int)
    c.add_argument("--compression", default="none")
    c.add_argument("--padding", type=int, default=0, help="compressible bytes after each value")
    c.add_argument("--timestamp-base", type=int)
    c.set_defaults(run=produce)
    c = commands.add_parser("consume")
    c.add_argument("topic")
    c.add_argument("count", type=int)
    c.add_argument("starts", nargs="+", help="partition:offset")
    c.set_defaults(run=consume)
    c = commands.add_parser("offsets")
    c.add_argument("topic")
    c.add_argument("partition", type=int)
    c.add_argument("timestamps", nargs="*", type=int)
    c.set_defaults(run=offsets)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
