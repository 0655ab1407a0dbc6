package io.lakestream.broker.handler.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.table.TableTopicConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.apache.kafka.storage.internals.log.LogConfig;
import org.junit.jupiter.api.Test;

class ConfigDescriberTest {
    private static final BrokerConfig BROKER = new BrokerConfig(Map.of(
        BrokerConfig.LOG_RETENTION_MS, "3600000",
        BrokerConfig.S3_SECRET_KEY, "hunter2"));
    private final ConfigDescriber describer = new ConfigDescriber(BROKER);

    private static DescribeConfigsResourceResult entry(List<DescribeConfigsResourceResult> entries, String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst()
            .orElseThrow(() -> new AssertionError("no entry " + name + " in " + entries));
    }

    private static String synonyms(DescribeConfigsResourceResult entry) {
        return entry.synonyms().stream().map(ConfigDescriberTest::synonym).toList().toString();
    }

    private static String synonym(DescribeConfigsSynonym s) {
        return ConfigSource.forId(s.source()) + ":" + s.name() + "=" + s.value();
    }

    @Test
    void topicListsEveryLogConfigKeyWithTheValueInEffectAndWhereItComesFrom() {
        List<DescribeConfigsResourceResult> entries = describer.topic(
            Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "2000"), name -> true, true, true);

        List<String> expected = new java.util.ArrayList<>(LogConfig.nonInternalConfigNames());
        expected.addAll(TableTopicConfig.CONFIG_DEF.names());
        assertThat(entries).extracting(DescribeConfigsResourceResult::name)
            .containsExactlyInAnyOrderElementsOf(expected);

        DescribeConfigsResourceResult overridden = entry(entries, TopicConfig.MAX_MESSAGE_BYTES_CONFIG);
        assertThat(overridden.value()).isEqualTo("2000");
        assertThat(overridden.configSource()).isEqualTo(ConfigSource.TOPIC_CONFIG.id());
        assertThat(synonyms(overridden)).isEqualTo("[TOPIC_CONFIG:max.message.bytes=2000, "
            + "DEFAULT_CONFIG:message.max.bytes=1048588]");
        assertThat(overridden.configType()).isEqualTo(ConfigType.INT.id());
        assertThat(overridden.documentation()).contains("record batch size");

        DescribeConfigsResourceResult brokerSet = entry(entries, TopicConfig.RETENTION_MS_CONFIG);
        assertThat(brokerSet.value()).isEqualTo("3600000");
        assertThat(brokerSet.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
        assertThat(synonyms(brokerSet)).isEqualTo("[STATIC_BROKER_CONFIG:log.retention.ms=3600000, "
            + "DEFAULT_CONFIG:log.retention.ms=604800000]");

        DescribeConfigsResourceResult tableDefault = entry(entries, TableTopicConfig.COMMIT_INTERVAL_MS);
        assertThat(tableDefault.value()).isEqualTo("60000");
        assertThat(tableDefault.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(tableDefault.configType()).isEqualTo(ConfigType.LONG.id());
        assertThat(tableDefault.documentation()).contains("snapshot");

        DescribeConfigsResourceResult brokerDefault = entry(entries, TopicConfig.CLEANUP_POLICY_CONFIG);
        assertThat(brokerDefault.value()).isEqualTo("delete");
        assertThat(brokerDefault.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(brokerDefault.configType()).isEqualTo(ConfigType.LIST.id());

        DescribeConfigsResourceResult kafkaDefault = entry(entries, TopicConfig.SEGMENT_BYTES_CONFIG);
        assertThat(kafkaDefault.value()).isEqualTo(String.valueOf(LogConfig.DEFAULT_SEGMENT_BYTES));
        assertThat(kafkaDefault.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(kafkaDefault.synonyms()).isEmpty();
        assertThat(entries).allSatisfy(e -> {
            assertThat(e.readOnly()).as(e.name()).isFalse();
            assertThat(e.isSensitive()).as(e.name()).isFalse();
        });
    }

    @Test
    void topicEntriesLeaveOutSynonymsAndDocumentationUnlessAskedAndKeepOnlyRequestedKeys() {
        List<DescribeConfigsResourceResult> entries = describer.topic(Map.of(),
            Set.of(TopicConfig.RETENTION_MS_CONFIG, "no.such.key")::contains, false, false);

        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).name()).isEqualTo(TopicConfig.RETENTION_MS_CONFIG);
        assertThat(entries.get(0).synonyms()).isEmpty();
        assertThat(entries.get(0).documentation()).isNull();
        assertThat(entries.get(0).configSource()).as("the source does not depend on includeSynonyms")
            .isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());
    }

    @Test
    void brokerEntriesAreReadOnlyAndHidePasswords() {
        List<DescribeConfigsResourceResult> entries = describer.broker(name -> true, true, true);

        assertThat(entries).extracting(DescribeConfigsResourceResult::name)
            .containsAll(BrokerConfig.CONFIG_DEF.names().stream().filter(n -> BROKER.values().get(n) != null).toList());
        assertThat(entries).allSatisfy(e -> assertThat(e.readOnly()).as(e.name()).isTrue());

        DescribeConfigsResourceResult secret = entry(entries, BrokerConfig.S3_SECRET_KEY);
        assertThat(secret.isSensitive()).isTrue();
        assertThat(secret.value()).isNull();
        assertThat(secret.configType()).isEqualTo(ConfigType.PASSWORD.id());
        assertThat(secret.synonyms()).extracting(DescribeConfigsSynonym::value).containsOnlyNulls();

        DescribeConfigsResourceResult set = entry(entries, BrokerConfig.LOG_RETENTION_MS);
        assertThat(set.value()).isEqualTo("3600000");
        assertThat(set.configSource()).isEqualTo(ConfigSource.STATIC_BROKER_CONFIG.id());

        DescribeConfigsResourceResult unset = entry(entries, BrokerConfig.PROCESS_ROLES);
        assertThat(unset.value()).isEqualTo("broker,controller");
        assertThat(unset.configSource()).isEqualTo(ConfigSource.DEFAULT_CONFIG.id());
        assertThat(synonyms(unset)).isEqualTo("[DEFAULT_CONFIG:process.roles=broker,controller]");
        assertThat(unset.documentation()).isEqualTo(BrokerConfig.CONFIG_DEF.configKeys()
            .get(BrokerConfig.PROCESS_ROLES).documentation);
    }
}
