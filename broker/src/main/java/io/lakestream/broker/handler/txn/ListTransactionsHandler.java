package io.lakestream.broker.handler.txn;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.transaction.TransactionCoordinator;
import java.util.HashSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.PatternSyntaxException;
import org.apache.kafka.common.errors.InvalidRegularExpression;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListTransactionsRequest;
import org.apache.kafka.common.requests.ListTransactionsResponse;

/** ListTransactions (kafka-transactions.sh list): the transactions coordinated by this broker, filtered. */
public final class ListTransactionsHandler implements RequestHandler {
    private final TransactionCoordinator coordinator;

    public ListTransactionsHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        ListTransactionsRequest list = request.body(ListTransactionsRequest.class);
        ListTransactionsRequestData data = list.data();
        try {
            return CompletableFuture.completedFuture(new ListTransactionsResponse(coordinator.list(
                new HashSet<>(data.producerIdFilters()), new HashSet<>(data.stateFilters()), data.durationFilter(),
                data.transactionalIdPattern())));
        } catch (PatternSyntaxException e) {
            return CompletableFuture.completedFuture(list.getErrorResponse(0,
                new InvalidRegularExpression("Invalid transactional id pattern: " + e.getMessage())));
        }
    }
}
