package io.lakestream.table.partition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.table.TableTopicConfig;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class PartitionFieldTest {

    @Test
    void columnsAndTransformsParseAsInSparkAndTrinoDdl() {
        assertThat(PartitionField.parse("region")).isEqualTo(new PartitionField("identity", "region", 0));
        assertThat(PartitionField.parse(" identity(region) ")).isEqualTo(new PartitionField("identity", "region", 0));
        assertThat(PartitionField.parse("DAY(_kafka_timestamp)")).isEqualTo(
            new PartitionField("day", "_kafka_timestamp", 0));
        assertThat(PartitionField.parse("bucket(16, id)")).isEqualTo(new PartitionField("bucket", "id", 16));
        assertThat(PartitionField.parse("truncate(4,name)").icebergTransform()).isEqualTo("truncate[4]");
        assertThat(PartitionField.parse("bucket(16, id)")).hasToString("bucket(16, id)");
        assertThat(PartitionField.parseAll("day(_kafka_timestamp), bucket(16,id),region")).containsExactly(
            new PartitionField("day", "_kafka_timestamp", 0), new PartitionField("bucket", "id", 16),
            new PartitionField("identity", "region", 0));
        assertThat(PartitionField.parseAll(" ")).isEmpty();
        assertThat(new TableTopicConfig(Map.of(TableTopicConfig.ENABLE, "true", TableTopicConfig.PARTITION_BY,
            "bucket(4,id),day(_kafka_timestamp)")).settings("t", "id").orElseThrow().partitionBy()).hasSize(2);
    }

    @Test
    void malformedFieldsAreRefusedSayingWhy() {
        assertThatThrownBy(() -> PartitionField.parse("bucket(id)")).hasMessageContaining("needs a width");
        assertThatThrownBy(() -> PartitionField.parse("day(3, ts)")).hasMessageContaining("takes only a column");
        assertThatThrownBy(() -> PartitionField.parse("week(ts)")).hasMessageContaining("unknown transform week");
        assertThatThrownBy(() -> PartitionField.parse("bucket(0, id)")).hasMessageContaining("positive");
        assertThatThrownBy(() -> PartitionField.parse("a b")).hasMessageContaining("is not a column");
        assertThatThrownBy(() -> PartitionField.parseAll("a,,b")).hasMessageContaining("empty field");
        assertThatThrownBy(() -> new TableTopicConfig(Map.of(TableTopicConfig.PARTITION_BY, "day(ts),week(ts)")))
            .isInstanceOf(ConfigException.class).hasMessageContaining(TableTopicConfig.PARTITION_BY);
        assertThatThrownBy(() -> new TableTopicConfig(Map.of(TableTopicConfig.ENABLE, "true",
            TableTopicConfig.ID_COLUMNS, "id", TableTopicConfig.PARTITION_BY, "bucket(4,id),day(_kafka_timestamp)"))
            .settings("t", "id")).isInstanceOf(ConfigException.class).hasMessageContaining("_kafka_timestamp is not");
    }
}
