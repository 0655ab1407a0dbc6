package io.lakestream.broker.handler.txn;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.transaction.TransactionCoordinator;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.DescribeTransactionsResponse;

/** DescribeTransactions (kafka-transactions.sh describe): the state of each transactional id coordinated here. */
public final class DescribeTransactionsHandler implements RequestHandler {
    private final TransactionCoordinator coordinator;

    public DescribeTransactionsHandler(TransactionCoordinator coordinator) {
        this.coordinator = coordinator;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        DescribeTransactionsRequest describe = request.body(DescribeTransactionsRequest.class);
        DescribeTransactionsResponseData response = new DescribeTransactionsResponseData();
        describe.data().transactionalIds().forEach(id -> response.transactionStates().add(coordinator.describe(id)));
        return CompletableFuture.completedFuture(new DescribeTransactionsResponse(response));
    }
}
