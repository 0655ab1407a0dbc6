package io.lakestream.broker.handler.meta;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiMessageType.ListenerType;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * ApiVersions: advertises exactly the APIs this broker implements, each at the versions a
 * Kafka broker of our kafka-clients release advertises. That is the versions kafka-clients
 * supports, except that Produce is listed from v0 although v0-v2 are refused: librdkafka
 * (kcat, confluent-kafka-python; 2.0 and releases well after it) sends gzip and snappy batches
 * uncompressed unless v0 is listed (KAFKA-18659). A request of a version this broker does not
 * know gets UNSUPPORTED_VERSION with the list, so the client can retry with one it knows.
 */
public final class ApiVersionsHandler implements RequestHandler {
    private final ApiVersionCollection apis;

    public ApiVersionsHandler(Set<ApiKeys> implemented) {
        this.apis = new ApiVersionCollection();
        implemented.stream().sorted().forEach(key -> key.toApiVersionForApiResponse(false, ListenerType.BROKER)
            .ifPresent(apis::add));
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        ApiVersionsRequest apiVersions = request.body(ApiVersionsRequest.class);
        ApiVersionsResponseData data = new ApiVersionsResponseData().setApiKeys(apis.duplicate());
        if (apiVersions.hasUnsupportedRequestVersion()) {
            data.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
        } else if (!apiVersions.isValid()) {
            data.setErrorCode(Errors.INVALID_REQUEST.code());
        } else {
            data.setErrorCode(Errors.NONE.code());
        }
        return CompletableFuture.completedFuture(new ApiVersionsResponse(data));
    }
}
