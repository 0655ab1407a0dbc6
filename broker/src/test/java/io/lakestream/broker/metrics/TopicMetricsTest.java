package io.lakestream.broker.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** {@link TopicMetrics} as the Prometheus endpoint renders them. */
class TopicMetricsTest {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final TopicMetrics metrics = new TopicMetrics(registry);

    @Test
    void trafficAndRetentionAreCountedPerTopicOnThePrometheusPage() {
        metrics.topic("orders").onAppended(1200, 3);
        metrics.topic("orders").onAppended(300, 1);
        metrics.topic("orders").onFetched(800);
        metrics.topic("orders").onRetentionTrim(2, 500);
        metrics.topic("clicks").onAppended(10, 1);

        String page = registry.scrape();

        assertThat(page).contains(
            "lakestream_broker_topic_bytes_in_total{topic=\"orders\"} 1500.0",
            "lakestream_broker_topic_messages_in_total{topic=\"orders\"} 4.0",
            "lakestream_broker_topic_bytes_out_total{topic=\"orders\"} 800.0",
            "lakestream_broker_retention_trimmed_records_total{topic=\"orders\"} 2.0",
            "lakestream_broker_retention_trimmed_bytes_total{topic=\"orders\"} 500.0",
            "lakestream_broker_topic_bytes_in_total{topic=\"clicks\"} 10.0");
    }

    @Test
    void onlyUnexpectedErrorsCountAsFailedRequests() {
        TopicMetrics.Topic orders = metrics.topic("orders");
        orders.onProduceError(Errors.NOT_LEADER_OR_FOLLOWER);
        orders.onProduceError(Errors.MESSAGE_TOO_LARGE);
        orders.onProduceError(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        orders.onProduceError(Errors.INVALID_TIMESTAMP);
        orders.onFetchError(Errors.OFFSET_OUT_OF_RANGE);
        orders.onFetchError(Errors.FENCED_LEADER_EPOCH);
        orders.onFetchError(Errors.UNKNOWN_SERVER_ERROR);

        assertThat(registry.get(TopicMetrics.FAILED_PRODUCE).tag("topic", "orders").counter().count())
            .as("failed produce requests").isEqualTo(2);
        assertThat(registry.get(TopicMetrics.FAILED_FETCH).tag("topic", "orders").counter().count())
            .as("failed fetch requests").isEqualTo(1);
    }

    @Test
    void metersOfADeletedTopicAreRemoved() {
        metrics.topic("kept").onAppended(1, 1);
        metrics.topic("deleted").onAppended(1, 1);

        metrics.retainTopics("kept"::equals);

        assertThat(registry.find(TopicMetrics.BYTES_IN).tag("topic", "deleted").counter()).isNull();
        assertThat(registry.find(TopicMetrics.BYTES_IN).tag("topic", "kept").counter()).isNotNull();
        metrics.topic("deleted").onAppended(5, 1);
        assertThat(registry.get(TopicMetrics.BYTES_IN).tag("topic", "deleted").counter().count())
            .as("bytes in of a topic created again under the same name").isEqualTo(5);
    }
}
