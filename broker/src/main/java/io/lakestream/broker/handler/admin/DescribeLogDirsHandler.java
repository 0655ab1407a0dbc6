package io.lakestream.broker.handler.admin;

import io.lakestream.broker.network.KafkaRequest;
import io.lakestream.broker.network.RequestHandler;
import io.lakestream.broker.partition.LeaderPartitions;
import io.lakestream.broker.partition.PartitionLog;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;
import org.apache.kafka.common.requests.DescribeLogDirsResponse;

/**
 * DescribeLogDirs: this broker has one log dir, {@code log.dir}, and in it every partition it
 * leads, sized by the bytes of its stream from the log start offset (the data itself lives in
 * the object store; the dir holds the write-ahead log and caches). There are no follower or
 * future replicas, so every offset lag is 0 and no log is a future one. The dir's total and
 * usable bytes are those of its file system. A partition not led here is left out, as Kafka
 * leaves out one it does not host.
 */
public final class DescribeLogDirsHandler implements RequestHandler {
    private final LeaderPartitions partitions;
    private final Path logDir;

    public DescribeLogDirsHandler(LeaderPartitions partitions, Path logDir) {
        this.partitions = partitions;
        this.logDir = logDir.toAbsolutePath().normalize();
    }

    @Override
    public CompletableFuture<AbstractResponse> handle(KafkaRequest request) {
        DescribeLogDirsRequestData describe = request.body(DescribeLogDirsRequest.class).data();
        DescribeLogDirsResult result = new DescribeLogDirsResult().setLogDir(logDir.toString());
        try {
            FileStore store = Files.getFileStore(logDir);
            result.setTotalBytes(nonNegative(store.getTotalSpace())).setUsableBytes(nonNegative(store.getUsableSpace()))
                .setErrorCode(Errors.NONE.code());
        } catch (IOException e) {
            result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
        }
        Set<TopicPartition> requested = requested(describe);
        Map<String, DescribeLogDirsTopic> topics = new TreeMap<>();
        for (PartitionLog log : partitions.openLogs()) {
            TopicPartition topicPartition = log.topicPartition();
            if (requested != null && !requested.contains(topicPartition)) {
                continue;
            }
            topics.computeIfAbsent(topicPartition.topic(), name -> new DescribeLogDirsTopic().setName(name))
                .partitions().add(new DescribeLogDirsPartition()
                    .setPartitionIndex(topicPartition.partition())
                    .setPartitionSize(log.sizeInBytes())
                    .setOffsetLag(0)
                    .setIsFutureKey(false));
        }
        result.setTopics(List.copyOf(topics.values()));
        DescribeLogDirsResponseData data = new DescribeLogDirsResponseData().setErrorCode(Errors.NONE.code());
        data.results().add(result);
        return CompletableFuture.completedFuture(new DescribeLogDirsResponse(data));
    }

    /** The partitions asked for, or null for all. */
    private static Set<TopicPartition> requested(DescribeLogDirsRequestData describe) {
        if (describe.topics() == null) {
            return null;
        }
        Set<TopicPartition> requested = new HashSet<>();
        for (DescribableLogDirTopic topic : describe.topics()) {
            topic.partitions().forEach(partition -> requested.add(new TopicPartition(topic.topic(), partition)));
        }
        return requested;
    }

    /** As Kafka: a file system too large for a long reports a negative size, read as unbounded. */
    private static long nonNegative(long bytes) {
        return bytes < 0 ? Long.MAX_VALUE : bytes;
    }
}
