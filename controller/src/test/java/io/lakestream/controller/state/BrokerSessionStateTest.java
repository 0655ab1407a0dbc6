package io.lakestream.controller.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.lakestream.controller.cluster.BrokerListener;
import io.lakestream.controller.cluster.BrokerRegistration;
import io.lakestream.controller.cluster.ClusterMetadataException;
import io.lakestream.controller.cluster.HeartbeatResult;
import io.lakestream.controller.cluster.PartitionState;
import io.lakestream.controller.cluster.ProducerIdBlock;
import io.lakestream.controller.cluster.TopicDescription;
import io.lakestream.controller.command.ControllerCommand;
import io.lakestream.controller.command.ControllerQuery;
import io.lakestream.stream.metadata.CommitStreamSetObjectRequest;
import io.lakestream.stream.metadata.StreamOffsetRange;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/** Broker registration, heartbeats, fencing, controlled shutdown and producer ids on a real RocksDB state. */
class BrokerSessionStateTest extends ClusterStateFixture {

    @Test
    void registrationEpochIsItsOffsetAndTheSameIncarnationGetsItAgain() {
        Uuid incarnation = Uuid.randomUuid();
        long epoch = register(1, incarnation);
        assertThat(epoch).isEqualTo(state.appliedOffset());

        assertThat(register(1, incarnation)).as("re-registration of the same process").isEqualTo(epoch);
        long restarted = register(1, Uuid.randomUuid());
        assertThat(restarted).as("a new incarnation's epoch").isEqualTo(state.appliedOffset()).isGreaterThan(epoch);

        List<BrokerRegistration> brokers = ask(new ControllerQuery.DescribeBrokers());
        assertThat(brokers).singleElement().satisfies(b -> {
            assertThat(b.brokerEpoch()).isEqualTo(restarted);
            assertThat(b.fenced()).isFalse();
            assertThat(b.listeners()).containsExactly(new BrokerListener("PLAINTEXT", "127.0.0.1", 9001));
        });
    }

    @Test
    void newIncarnationKeepsItsLeadershipsWithABumpedLeaderEpoch() {
        register(1);
        createTopic("orders", 2);
        register(1, Uuid.randomUuid());

        assertThat(topic("orders").partitions()).allSatisfy(p -> {
            assertThat(p.leader()).isEqualTo(1);
            assertThat(p.leaderEpoch()).isEqualTo(1);
        });
    }

    @Test
    void invalidRegistrationsAreRefused() {
        assertRefusedChangingNothing(new ControllerCommand.RegisterBroker(-1, Uuid.randomUuid(),
            List.of(new BrokerListener("PLAINTEXT", "h", 1)), null), Errors.INVALID_REGISTRATION);
        assertRefusedChangingNothing(new ControllerCommand.RegisterBroker(1, Uuid.randomUuid(), List.of(), null),
            Errors.INVALID_REGISTRATION);
        assertRefusedChangingNothing(new ControllerCommand.RegisterBroker(1, Uuid.ZERO_UUID,
            List.of(new BrokerListener("PLAINTEXT", "h", 1)), null), Errors.INVALID_REGISTRATION);
    }

    @Test
    void heartbeatWithAnOldEpochOrFromAnUnknownBrokerIsRefused() {
        long old = register(1);
        long current = register(1, Uuid.randomUuid());

        ClusterMetadataException stale = assertRefusedChangingNothing(
            new ControllerCommand.BrokerHeartbeat(1, old, false), Errors.STALE_BROKER_EPOCH);
        assertThat(stale).hasMessageContaining("epoch " + old).hasMessageContaining(String.valueOf(current));
        assertRefusedChangingNothing(new ControllerCommand.BrokerHeartbeat(7, current, false),
            Errors.BROKER_ID_NOT_REGISTERED);
    }

    @Test
    void brokerIsFencedOnceItsLastHeartbeatIsASessionOldAndItsPartitionsMove() {
        long epoch1 = register(1);
        long epoch2 = register(2);
        TopicDescription orders = createTopic("orders", 4);
        assertThat(orders.partitions()).extracting(PartitionState::leader).containsExactly(1, 2, 1, 2);

        clock.addAndGet(SESSION_MS - 1);
        heartbeat(2, epoch2);
        assertThat(fenceExpired()).as("one ms before broker 1's session ends").isEmpty();
        clock.addAndGet(1);
        assertThat(fenceExpired()).containsExactly(1);

        assertThat(ask(new ControllerQuery.DescribeBrokers())).extracting(BrokerRegistration::fenced)
            .containsExactly(true, false);
        assertThat(topic("orders").partitions()).extracting(PartitionState::leader, PartitionState::leaderEpoch)
            .containsExactly(tuple(2, 1), tuple(2, 0),
                tuple(2, 1), tuple(2, 0));
        assertThat(heartbeat(1, epoch1)).as("a fenced broker heartbeating with its current epoch")
            .isEqualTo(new HeartbeatResult(false, false));
    }

    @Test
    void partitionsWithoutALeaderGetOneWhenABrokerIsUnfenced() {
        long epoch = register(1);
        createTopic("orders", 2);
        clock.addAndGet(SESSION_MS);
        fenceExpired();
        assertThat(topic("orders").partitions()).extracting(PartitionState::leader).containsOnly(-1);

        assertThat(heartbeat(1, epoch).fenced()).isFalse();

        assertThat(topic("orders").partitions()).allSatisfy(p -> {
            assertThat(p.leader()).isEqualTo(1);
            assertThat(p.leaderEpoch()).as("moved away, then back").isEqualTo(2);
        });
    }

    @Test
    void topicCreatedWithNoLiveBrokerHasNoLeaderUntilOneRegisters() {
        assertThat(createTopic("orders", 3).partitions()).extracting(PartitionState::leader).containsOnly(-1);

        register(5);

        assertThat(topic("orders").partitions()).allSatisfy(p -> {
            assertThat(p.leader()).isEqualTo(5);
            assertThat(p.leaderEpoch()).isEqualTo(1);
        });
    }

    @Test
    void controlledShutdownMovesLeadershipsAwayThenSaysShutDown() {
        long epoch1 = register(1);
        register(2);
        createTopic("orders", 4);

        HeartbeatResult result = run(new ControllerCommand.BrokerHeartbeat(1, epoch1, true));

        assertThat(result).isEqualTo(new HeartbeatResult(false, true));
        assertThat(topic("orders").partitions()).extracting(PartitionState::leader).containsOnly(2);
        assertThat(ask(new ControllerQuery.DescribeBrokers()).get(0).inControlledShutdown()).isTrue();
        createTopic("payments", 2);
        assertThat(topic("payments").partitions()).as("no new leaderships for a broker shutting down")
            .extracting(PartitionState::leader).containsOnly(2);
    }

    @Test
    void fencedBrokerCannotOpenStreamsNorCommitObjects() {
        register(1);
        long epoch2 = register(2);
        TopicDescription orders = createTopic("orders", 1);
        long stream = orders.partition(0).streamId();
        long streamEpoch = streams.openStream(stream, 1).join().epoch();
        long prepared = streams.prepareObjects(1, 60_000).join();
        clock.addAndGet(SESSION_MS);
        heartbeat(2, epoch2);
        fenceExpired();

        assertRefusedChangingNothing(new ControllerCommand.OpenStream(stream, 1), Errors.BROKER_NOT_AVAILABLE);
        assertRefusedChangingNothing(new ControllerCommand.CommitStreamSetObject(new CommitStreamSetObjectRequest(
            prepared, 1, 10, List.of(new StreamOffsetRange(stream, streamEpoch, 0, 10)), List.of(), List.of())),
            Errors.BROKER_NOT_AVAILABLE);
        assertThat(streams.openStream(stream, 2).join().nodeId()).as("the new leader opens it").isEqualTo(2);
    }

    @Test
    void producerIdBlocksNeverOverlapAndSurviveReopening() {
        long epoch = register(1);
        ProducerIdBlock first = run(new ControllerCommand.AllocateProducerIds(1, epoch));
        ProducerIdBlock second = run(new ControllerCommand.AllocateProducerIds(1, epoch));
        state.close();
        openState();
        ProducerIdBlock third = run(new ControllerCommand.AllocateProducerIds(1, epoch));

        assertThat(List.of(first, second, third)).extracting(ProducerIdBlock::firstId).containsExactly(0L, 1000L,
            2000L);
        assertThat(first.size()).isEqualTo(ProducerIdBlock.SIZE);
    }

    @Test
    void producerIdsAreRefusedToStaleOrFencedBrokers() {
        long old = register(1);
        long current = register(1, Uuid.randomUuid());
        assertRefusedChangingNothing(new ControllerCommand.AllocateProducerIds(1, old), Errors.STALE_BROKER_EPOCH);
        clock.addAndGet(SESSION_MS);
        fenceExpired();
        assertRefusedChangingNothing(new ControllerCommand.AllocateProducerIds(1, current),
            Errors.BROKER_NOT_AVAILABLE);
    }

    @Test
    void producerIdsAndSessionTicksRefuseWhatMakesNoSense() {
        assertRefusedChangingNothing(new ControllerCommand.AllocateProducerIds(9, 1), Errors.BROKER_ID_NOT_REGISTERED);
        register(1);
        assertRefusedChangingNothing(new ControllerCommand.FenceExpiredBrokers(0), Errors.INVALID_REQUEST);
    }

    @Test
    void refusalTravelsToTheCallerWithItsCode() {
        assertThatThrownBy(() -> heartbeat(3, 1)).isInstanceOf(CompletionException.class)
            .cause().isInstanceOfSatisfying(ClusterMetadataException.class,
                e -> assertThat(e.error()).isEqualTo(Errors.BROKER_ID_NOT_REGISTERED));
    }
}
