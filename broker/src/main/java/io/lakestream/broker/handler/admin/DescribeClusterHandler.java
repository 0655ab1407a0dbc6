package io.lakestream.broker.handler.admin;

import io.lakestream.broker.cluster.ClusterView;
import io.lakestream.broker.cluster.ClusterView.BrokerEndpoint;
import io.lakestream.broker.cluster.ClusterViewHolder;
import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterResponse;

/** DescribeCluster from the local metadata view: the cluster id and the live brokers. */
public final class DescribeClusterHandler implements RequestHandler {
    private final ClusterViewHolder views;
    private final int thisNodeId;

    public DescribeClusterHandler(ClusterViewHolder views, int thisNodeId) {
        this.views = views;
        this.thisNodeId = thisNodeId;
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        ClusterView view = views.current();
        DescribeClusterResponseData data = new DescribeClusterResponseData()
            .setErrorCode(Errors.NONE.code())
            .setClusterId(view.clusterId())
            .setControllerId(view.controllerId(thisNodeId));
        for (BrokerEndpoint broker : view.liveBrokers()) {
            data.brokers().add(new DescribeClusterBroker().setBrokerId(broker.nodeId()).setHost(broker.host())
                .setPort(broker.port()).setRack(broker.rack()));
        }
        return CompletableFuture.completedFuture(new DescribeClusterResponse(data));
    }
}
