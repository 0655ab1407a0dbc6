package io.lakestream.broker.handler.admin;

import io.lakestream.broker.config.BrokerConfig;
import io.lakestream.table.TableTopicConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.ConfigKey;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.apache.kafka.storage.internals.log.LogConfig;

/**
 * The config entries of DescribeConfigs, built as Apache Kafka's {@code ConfigHelper} builds
 * them. An entry's synonyms are the places its value may come from, most specific first, and
 * its source is that of the first: a topic override ({@link ConfigSource#TOPIC_CONFIG}), a key
 * set in this broker's server.properties ({@link ConfigSource#STATIC_BROKER_CONFIG}), or a
 * declared default ({@link ConfigSource#DEFAULT_CONFIG}). Lakestream has no dynamic broker
 * configs, so every broker entry is read-only, and a topic config names a broker synonym only
 * where this broker's config has one (Kafka's {@code log.segment.bytes} and the like do not
 * exist here).
 *
 * <p>Immutable and thread-safe.
 */
final class ConfigDescriber {
    private final BrokerConfig broker;
    /** What server.properties and the command line set, as given. */
    private final Map<String, Object> brokerOriginals;

    ConfigDescriber(BrokerConfig broker) {
        this.broker = broker;
        this.brokerOriginals = broker.originals();
    }

    /**
     * Every topic config Kafka's {@link LogConfig} defines and every table topic config
     * ({@link TableTopicConfig}), with the value in effect for these overrides.
     */
    List<DescribeConfigsResourceResult> topic(Map<String, String> overrides, Predicate<String> requested,
                                              boolean includeSynonyms, boolean includeDocumentation) {
        LogConfig config = broker.topicConfig(overrides);
        TableTopicConfig tableConfig = TableTopicConfig.fromTopicConfigs(overrides);
        Map<String, Object> values = allValues(config);
        values.putAll(tableConfig.values());
        List<DescribeConfigsResourceResult> entries = new ArrayList<>();
        values.forEach((name, value) -> {
            if (!requested.test(name)) {
                return;
            }
            boolean table = TableTopicConfig.CONFIG_DEF.names().contains(name);
            Optional<Type> type = table ? Optional.of(TableTopicConfig.CONFIG_DEF.configKeys().get(name).type)
                : LogConfig.configType(name);
            boolean sensitive = isSensitive(type);
            String shown = sensitive ? null : ConfigDef.convertToString(value, type.orElse(null));
            List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
            if (overrides.containsKey(name)) {
                synonyms.add(synonym(name, shown, ConfigSource.TOPIC_CONFIG));
            }
            BrokerConfig.topicDefaultKey(name).ifPresent(key -> synonyms.addAll(brokerSynonyms(key, sensitive)));
            String documentation = !includeDocumentation ? null
                : table ? tableConfig.documentationOf(name) : config.documentationOf(name);
            entries.add(entry(name, shown, synonyms, type, sensitive, false, includeSynonyms, documentation));
        });
        return entries;
    }

    /** Every key of this broker's config, with its value. */
    List<DescribeConfigsResourceResult> broker(Predicate<String> requested, boolean includeSynonyms,
                                               boolean includeDocumentation) {
        List<DescribeConfigsResourceResult> entries = new ArrayList<>();
        allValues(broker).forEach((name, value) -> {
            if (!requested.test(name)) {
                return;
            }
            Optional<Type> type = brokerType(name);
            boolean sensitive = isSensitive(type);
            String shown = sensitive ? null : asString(value, type);
            entries.add(entry(name, shown, brokerSynonyms(name, sensitive), type, sensitive, true, includeSynonyms,
                includeDocumentation ? broker.documentationOf(name) : null));
        });
        return entries;
    }

    /** Where a broker key's value comes from: server.properties, then the declared default. */
    private List<DescribeConfigsSynonym> brokerSynonyms(String key, boolean sensitive) {
        List<DescribeConfigsSynonym> synonyms = new ArrayList<>();
        Optional<Type> type = brokerType(key);
        Object set = brokerOriginals.get(key);
        if (set != null) {
            synonyms.add(synonym(key, sensitive ? null : asString(set, type), ConfigSource.STATIC_BROKER_CONFIG));
        }
        ConfigKey declared = BrokerConfig.CONFIG_DEF.configKeys().get(key);
        if (declared != null && declared.hasDefault() && declared.defaultValue != null) {
            synonyms.add(synonym(key, sensitive ? null : ConfigDef.convertToString(declared.defaultValue,
                declared.type), ConfigSource.DEFAULT_CONFIG));
        }
        return synonyms;
    }

    /** Kafka's view of a config's values: what was given, overridden by the parsed non-internal values; by name. */
    private static Map<String, Object> allValues(AbstractConfig config) {
        Map<String, Object> values = new TreeMap<>();
        config.originals().forEach((name, value) -> {
            if (value != null) {
                values.put(name, value);
            }
        });
        values.putAll(config.nonInternalValues());
        return values;
    }

    private static DescribeConfigsResourceResult entry(String name, String value, List<DescribeConfigsSynonym> synonyms,
                                                       Optional<Type> type, boolean sensitive, boolean readOnly,
                                                       boolean includeSynonyms, String documentation) {
        byte source = synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG.id() : synonyms.get(0).source();
        return new DescribeConfigsResourceResult()
            .setName(name)
            .setValue(value)
            .setConfigSource(source)
            .setIsSensitive(sensitive)
            .setReadOnly(readOnly)
            .setSynonyms(includeSynonyms ? synonyms : new ArrayList<>())
            .setConfigType(configType(type).id())
            .setDocumentation(documentation);
    }

    private static DescribeConfigsSynonym synonym(String name, String value, ConfigSource source) {
        return new DescribeConfigsSynonym().setName(name).setValue(value).setSource(source.id());
    }

    private static Optional<Type> brokerType(String name) {
        return Optional.ofNullable(BrokerConfig.CONFIG_DEF.configKeys().get(name)).map(key -> key.type);
    }

    /** As Kafka: a password, or a value of no declared type, is not shown. */
    private static boolean isSensitive(Optional<Type> type) {
        return type.isEmpty() || type.get() == Type.PASSWORD;
    }

    private static String asString(Object value, Optional<Type> type) {
        return value instanceof String string ? string : ConfigDef.convertToString(value, type.orElse(null));
    }

    private static ConfigType configType(Optional<Type> type) {
        if (type.isEmpty()) {
            return ConfigType.UNKNOWN;
        }
        return switch (type.get()) {
            case BOOLEAN -> ConfigType.BOOLEAN;
            case STRING -> ConfigType.STRING;
            case INT -> ConfigType.INT;
            case SHORT -> ConfigType.SHORT;
            case LONG -> ConfigType.LONG;
            case DOUBLE -> ConfigType.DOUBLE;
            case LIST -> ConfigType.LIST;
            case CLASS -> ConfigType.CLASS;
            case PASSWORD -> ConfigType.PASSWORD;
        };
    }
}
