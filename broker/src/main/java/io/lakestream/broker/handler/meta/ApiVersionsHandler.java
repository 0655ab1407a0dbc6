package io.lakestream.broker.handler.meta;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;

/**
 * ApiVersions: advertises exactly the APIs this broker implements, each at the versions
 * kafka-clients supports. A request of a version this broker does not know gets
 * UNSUPPORTED_VERSION with the list, so the client can retry with one it knows.
 */
public final class ApiVersionsHandler implements RequestHandler {
    private final ApiVersionCollection apis;

    public ApiVersionsHandler(Set<ApiKeys> implemented) {
        this.apis = new ApiVersionCollection();
        implemented.stream().sorted().forEach(key -> apis.add(new ApiVersion()
            .setApiKey(key.id)
            .setMinVersion(key.oldestVersion())
            .setMaxVersion(key.latestVersion(false))));
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
