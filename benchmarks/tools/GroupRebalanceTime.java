import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * How long a consumer group takes to rebalance, with Kafka's own consumer against any broker:
 * a group of {@code members} consumers starts at once (join), one member leaves (leave), and
 * a new one joins the running group (add). Each time is from the change until every partition
 * of the topic is owned by exactly one live member and every member owns one. Members poll
 * every 10 ms, so times are good to about that. One member joins and leaves first, unmeasured.
 *
 * <p>Run with the Kafka classpath as a single-file program:
 * {@code java -cp "$KAFKA_CP" benchmarks/tools/GroupRebalanceTime.java host:port topic members classic|consumer [rounds]}
 * It creates the topic with 2 partitions per member, runs {@code rounds} (default 3) rounds on
 * fresh groups, prints each to stderr and the medians as one line on stdout:
 * {@code join_ms=N leave_ms=N add_ms=N}.
 */
public final class GroupRebalanceTime {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final String bootstrap;
    private final String topic;
    private final String protocol;
    private String group;
    private final Set<TopicPartition> partitions = new HashSet<>();
    private final Map<Member, Set<TopicPartition>> owned = new ConcurrentHashMap<>();

    private GroupRebalanceTime(String bootstrap, String topic, String protocol, int partitionCount) {
        this.bootstrap = bootstrap;
        this.topic = topic;
        this.protocol = protocol;
        for (int p = 0; p < partitionCount; p++) {
            partitions.add(new TopicPartition(topic, p));
        }
    }

    /** One consumer on its own thread, publishing what it owns after every poll. */
    private final class Member implements Runnable {
        private final Thread thread;
        private volatile boolean running = true;

        Member(int id) {
            thread = new Thread(this, "member-" + id);
        }

        @Override
        public void run() {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                consumer.subscribe(List.of(topic));
                while (running) {
                    consumer.poll(Duration.ofMillis(10));
                    owned.put(this, Set.copyOf(consumer.assignment()));
                }
                owned.remove(this);
            }
        }

        void stop() throws InterruptedException {
            running = false;
            thread.join(TIMEOUT.toMillis());
        }
    }

    /** Every partition owned by exactly one of {@code live}, and each of them owning one. */
    private boolean balanced(List<Member> live) {
        Set<TopicPartition> seen = new HashSet<>();
        int total = 0;
        for (Member member : live) {
            Set<TopicPartition> mine = owned.getOrDefault(member, Set.of());
            if (mine.isEmpty()) {
                return false;
            }
            seen.addAll(mine);
            total += mine.size();
        }
        return total == partitions.size() && seen.equals(partitions) && owned.keySet().containsAll(live)
            && live.containsAll(owned.keySet());
    }

    private static long awaitMillis(long startNanos, BooleanSupplier done, String what) throws InterruptedException {
        long deadline = startNanos + TIMEOUT.toNanos();
        while (!done.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("No balanced group " + TIMEOUT.toSeconds() + " s after " + what);
            }
            Thread.sleep(2);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Join, leave and add times of one round, on a group of its own. */
    private long[] round(String groupId, int members) throws Exception {
        group = groupId;
        // Unmeasured: the group's first member creates it (and the broker's first group its offsets topic).
        List<Member> warmUp = List.of(new Member(-1));
        warmUp.get(0).thread.start();
        awaitMillis(System.nanoTime(), () -> !owned.getOrDefault(warmUp.get(0), Set.of()).isEmpty(), "warm-up");
        warmUp.get(0).stop();
        owned.clear();

        List<Member> live = new ArrayList<>();
        for (int i = 0; i < members; i++) {
            live.add(new Member(i));
        }
        long start = System.nanoTime();
        live.forEach(member -> member.thread.start());
        long join = awaitMillis(start, () -> balanced(live), "the members started");

        Member leaving = live.remove(0);
        start = System.nanoTime();
        leaving.running = false;
        long leave = awaitMillis(start, () -> balanced(live), "a member left");
        leaving.stop();

        Member added = new Member(members);
        live.add(added);
        start = System.nanoTime();
        added.thread.start();
        long add = awaitMillis(start, () -> balanced(live), "a member joined");
        for (Member member : live) {
            member.stop();
        }
        owned.clear();
        return new long[] {join, leave, add};
    }

    /** Medians over {@code rounds} rounds: a join's time depends on which heartbeat it lands between. */
    private String run(int members, int rounds) throws Exception {
        List<long[]> results = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long[] one = round(topic + "-group-" + r, members);
            System.err.println("round " + r + ": join_ms=" + one[0] + " leave_ms=" + one[1] + " add_ms=" + one[2]);
            results.add(one);
        }
        String[] names = {"join_ms", "leave_ms", "add_ms"};
        StringBuilder line = new StringBuilder();
        for (int step = 0; step < names.length; step++) {
            int s = step;
            long[] sorted = results.stream().mapToLong(result -> result[s]).sorted().toArray();
            line.append(step == 0 ? "" : " ").append(names[step]).append('=').append(sorted[sorted.length / 2]);
        }
        return line.toString();
    }

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String topic = args[1];
        int members = Integer.parseInt(args[2]);
        String protocol = args[3];
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 2 * members, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
        System.out.println(new GroupRebalanceTime(bootstrap, topic, protocol, 2 * members).run(members, rounds));
    }
}
