package io.lakestream.broker.table;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lakestream.table.TableTopicConfig;
import io.lakestream.table.TableTopicSettings;
import io.lakestream.table.commit.CommittedOffsets;
import io.lakestream.table.rest.RestCatalogServer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import joptsimple.OptionException;
import joptsimple.OptionParser;
import joptsimple.OptionSet;
import joptsimple.OptionSpec;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.types.Types;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;

/**
 * {@code bin/lakestream-tables.sh}: lists the table topics of a cluster with their commit lag
 * and last commit, and describes one (schema, dead-letter table, every partition's end and
 * committed offsets, and why a partition stopped). Topic configs and end offsets come from
 * the Kafka Admin API; committed offsets and snapshots from the Iceberg REST catalog; the
 * writers' own status (stopped partitions, last error) from the broker's
 * {@value RestCatalogServer#STATUS_PATH}.
 */
public final class TablesCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Admin admin;
    private final RESTCatalog catalog;
    private final String catalogUrl;
    private final PrintStream out;

    private TablesCommand(Admin admin, RESTCatalog catalog, String catalogUrl, PrintStream out) {
        this.admin = admin;
        this.catalog = catalog;
        this.catalogUrl = catalogUrl;
        this.out = out;
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the command; returns the exit status. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        OptionParser parser = new OptionParser(false);
        OptionSpec<String> bootstrap = parser.accepts("bootstrap-server", "a broker, host:port").withRequiredArg()
            .defaultsTo("127.0.0.1:9092");
        OptionSpec<String> catalogUrl = parser.accepts("catalog", "the Iceberg REST catalog endpoint of a broker")
            .withRequiredArg().defaultsTo("http://127.0.0.1:9181");
        List<?> positional;
        OptionSet options;
        try {
            options = parser.parse(args);
            positional = options.nonOptionArguments();
        } catch (OptionException e) {
            err.println("lakestream-tables: " + e.getMessage());
            return 2;
        }
        boolean list = positional.size() == 1 && "list".equals(positional.get(0));
        boolean describe = positional.size() == 2 && "describe".equals(positional.get(0));
        if (!list && !describe) {
            err.println("usage: lakestream-tables.sh [--bootstrap-server host:port] [--catalog http://host:port] "
                + "list | describe <topic>");
            return 2;
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.valueOf(bootstrap),
                 AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
             RESTCatalog catalog = new RESTCatalog()) {
            catalog.initialize("lakestream", Map.of("uri", options.valueOf(catalogUrl)));
            TablesCommand command = new TablesCommand(admin, catalog, options.valueOf(catalogUrl), out);
            return list ? command.list() : command.describe(positional.get(1).toString());
        } catch (Exception e) {
            err.println("lakestream-tables: " + (e.getMessage() != null ? e.getMessage() : e));
            return 1;
        }
    }

    private int list() throws Exception {
        List<TableTopic> topics = tableTopics(null);
        out.printf("%-24s %-32s %10s %12s %12s  %-24s %s%n", "TOPIC", "TABLE", "PARTITIONS", "LAG", "ROWS",
            "LAST COMMIT", "STATUS");
        for (TableTopic topic : topics) {
            Optional<Table> table = load(topic.settings().table());
            Map<Integer, Long> committed = committed(table, topic);
            long lag = 0;
            for (Map.Entry<Integer, Long> end : topic.endOffsets().entrySet()) {
                lag += Math.max(0, end.getValue() - committed.getOrDefault(end.getKey(), 0L));
            }
            Optional<Snapshot> last = table.map(Table::currentSnapshot);
            out.printf("%-24s %-32s %10d %12d %12s  %-24s %s%n", topic.settings().topic(), topic.settings().table(),
                topic.endOffsets().size(), lag,
                last.map(s -> s.summary().getOrDefault("total-records", "?")).orElse("0"),
                last.map(s -> Instant.ofEpochMilli(s.timestampMillis()).toString()).orElse("never"),
                status(topic.settings().topic()));
        }
        return 0;
    }

    private int describe(String name) throws Exception {
        List<TableTopic> topics = tableTopics(name);
        if (topics.isEmpty()) {
            out.println("Topic " + name + " does not exist or is not a table topic (lakestream.table.enable=false)");
            return 1;
        }
        TableTopic topic = topics.get(0);
        TableTopicSettings settings = topic.settings();
        Optional<Table> table = load(settings.table());
        out.println("Topic:            " + settings.topic() + " (" + settings.topicId() + ")");
        out.println("Table:            " + settings.table() + table.map(t -> " at " + t.location()).orElse(" (not created yet)"));
        out.println("Format:           " + settings.format().name().toLowerCase());
        out.println("Commit interval:  " + settings.commitInterval().toMillis() + " ms");
        out.println("Dead letters:     " + settings.deadLetterTable().map(id -> id + ", " + load(id)
            .map(t -> t.currentSnapshot() == null ? "0" : t.currentSnapshot().summary().getOrDefault("total-records", "?"))
            .orElse("0") + " rows").orElse("none (errors.tolerance=none)"));
        table.ifPresent(t -> {
            Snapshot last = t.currentSnapshot();
            out.println("Snapshots:        " + count(t.snapshots()) + (last == null ? ""
                : ", last " + last.snapshotId() + " at " + Instant.ofEpochMilli(last.timestampMillis())));
            out.println("Rows:             " + (last == null ? "0" : last.summary().getOrDefault("total-records", "?")));
            out.println("Columns:");
            for (Types.NestedField field : t.schema().columns()) {
                out.println("  " + field.name() + " " + field.type());
            }
        });
        JsonNode writers = statusOf(settings.topic());
        out.println("Maintenance:      every " + settings.maintenance().interval().toMillis() + " ms, snapshots kept "
            + settings.maintenance().snapshotRetention().toMillis() + " ms (at least "
            + settings.maintenance().minSnapshots() + "); last: " + (writers != null
            && writers.path("lastMaintenance").isTextual() ? writers.path("lastMaintenance").asText() : "not yet"));
        Map<Integer, Long> committed = committed(table, topic);
        Map<Integer, String> stopped = stoppedPartitions(settings.topic());
        out.printf("%-10s %14s %14s %12s  %s%n", "PARTITION", "END OFFSET", "COMMITTED", "LAG", "STATUS");
        for (Map.Entry<Integer, Long> end : topic.endOffsets().entrySet()) {
            long at = committed.getOrDefault(end.getKey(), 0L);
            out.printf("%-10d %14d %14d %12d  %s%n", end.getKey(), end.getValue(), at, Math.max(0, end.getValue() - at),
                stopped.getOrDefault(end.getKey(), "ok"));
        }
        return 0;
    }

    private static int count(Iterable<?> items) {
        int count = 0;
        for (Object ignored : items) {
            count++;
        }
        return count;
    }

    private Optional<Table> load(TableIdentifier id) {
        try {
            return Optional.of(catalog.loadTable(id));
        } catch (NoSuchTableException e) {
            return Optional.empty();
        }
    }

    private static Map<Integer, Long> committed(Optional<Table> table, TableTopic topic) {
        return table.map(t -> CommittedOffsets.of(t).offsets()).filter(offsets -> !offsets.isEmpty())
            .filter(offsets -> table.map(t -> topic.settings().topicId().equals(CommittedOffsets.of(t).topicId()))
                .orElse(false))
            .orElse(Map.of());
    }

    /** A table topic, its settings and the end offset of each partition. */
    private record TableTopic(TableTopicSettings settings, Map<Integer, Long> endOffsets) {}

    /** The table topics of the cluster (only {@code only}, if not null), by name. */
    private List<TableTopic> tableTopics(String only) throws Exception {
        List<String> names = only != null ? List.of(only)
            : new ArrayList<>(new TreeMap<>(admin.listTopics().namesToListings().get(30, TimeUnit.SECONDS)).keySet());
        if (only != null && !admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(only)) {
            return List.of();
        }
        Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames()
            .get(30, TimeUnit.SECONDS);
        List<ConfigResource> resources = names.stream()
            .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
        List<TableTopic> topics = new ArrayList<>();
        for (String name : names) {
            Map<String, String> values = new HashMap<>();
            for (ConfigEntry entry : configs.get(new ConfigResource(ConfigResource.Type.TOPIC, name)).entries()) {
                if (entry.name().startsWith(TableTopicConfig.PREFIX) && entry.value() != null) {
                    values.put(entry.name(), entry.value());
                }
            }
            TopicDescription description = descriptions.get(name);
            Optional<TableTopicSettings> settings = TableTopicConfig.fromTopicConfigs(values)
                .settings(name, description.topicId().toString());
            if (settings.isEmpty()) {
                continue;
            }
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            description.partitions().forEach(p -> latest.put(new TopicPartition(name, p.partition()), OffsetSpec.latest()));
            Map<Integer, Long> ends = new TreeMap<>();
            for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : admin.listOffsets(latest).all()
                .get(30, TimeUnit.SECONDS).entrySet()) {
                ends.put(end.getKey().partition(), end.getValue().offset());
            }
            topics.add(new TableTopic(settings.get(), ends));
        }
        return topics;
    }

    /** "ok", or what the broker says is wrong with the topic's table writes. */
    private String status(String topic) {
        JsonNode status = statusOf(topic);
        if (status == null) {
            return "ok";
        }
        if (status.path("stopped").size() > 0) {
            return "stopped: partitions " + fieldNames(status.path("stopped"));
        }
        return status.path("lastError").isTextual() ? "error: " + status.path("lastError").asText() : "ok";
    }

    private Map<Integer, String> stoppedPartitions(String topic) {
        Map<Integer, String> stopped = new TreeMap<>();
        JsonNode status = statusOf(topic);
        if (status != null) {
            status.path("stopped").fields().forEachRemaining(e ->
                stopped.put(Integer.parseInt(e.getKey()), "stopped: " + e.getValue().asText()));
        }
        return stopped;
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The status the broker behind the catalog endpoint reports for {@code topic}, or null. */
    private JsonNode statusOf(String topic) {
        try {
            HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(catalogUrl + RestCatalogServer.STATUS_PATH)).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
            for (JsonNode status : JSON.readTree(response.body())) {
                if (topic.equals(status.path("topic").asText())) {
                    return status;
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
