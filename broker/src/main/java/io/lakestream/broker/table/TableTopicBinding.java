package io.lakestream.broker.table;

import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import io.lakestream.table.LedPartition;
import io.lakestream.table.TableTopicConfig;
import io.lakestream.table.TableTopicService;
import io.lakestream.table.TableTopicSettings;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the {@link TableTopicService} which partitions of table topics this broker leads, with
 * each topic's table settings from its topic configs: the workers run beside the partition
 * leader. Called periodically and after metadata changes; a partition log opened anew (a new
 * leadership) gets a new source, so its worker starts again from the table's offsets.
 *
 * <p>Thread-safe: {@link #refresh} is synchronized.
 */
public final class TableTopicBinding {
    private static final Logger LOG = LoggerFactory.getLogger(TableTopicBinding.class);

    private final LeaderPartitions partitions;
    private final TableTopicService service;
    private final Map<PartitionLog, PartitionLogSource> sources = new IdentityHashMap<>();

    public TableTopicBinding(LeaderPartitions partitions, TableTopicService service) {
        this.partitions = partitions;
        this.service = service;
    }

    public synchronized void refresh() {
        List<LedPartition> led = new ArrayList<>();
        Map<PartitionLog, PartitionLogSource> current = new IdentityHashMap<>();
        for (PartitionLog log : partitions.openLogs()) {
            Optional<TableTopicSettings> settings = settings(log);
            if (settings.isEmpty()) {
                continue;
            }
            PartitionLogSource source = sources.computeIfAbsent(log, PartitionLogSource::new);
            current.put(log, source);
            led.add(new LedPartition(settings.get(), log.topicPartition().partition(), source));
        }
        sources.keySet().retainAll(current.keySet());
        service.update(led);
    }

    private Optional<TableTopicSettings> settings(PartitionLog log) {
        String topic = log.topicPartition().topic();
        try {
            TableTopicConfig config = TableTopicConfig.fromTopicConfigs(log.config().originals());
            if (!config.enabled()) {
                return Optional.empty();
            }
            Uuid topicId = partitions.topicId(topic);
            if (Uuid.ZERO_UUID.equals(topicId)) {
                return Optional.empty();
            }
            return config.settings(topic, topicId.toString());
        } catch (ConfigException e) {
            LOG.warn("Topic {} has invalid table configs; it is not written to a table: {}", topic, e.getMessage());
            return Optional.empty();
        }
    }
}
