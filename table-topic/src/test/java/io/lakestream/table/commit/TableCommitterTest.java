package io.lakestream.table.commit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lakestream.table.catalog.ObjectStoreCatalog;
import io.lakestream.table.testing.TableStores;
import io.lakestream.table.write.PartitionFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.iceberg.BaseTable;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableMetadata;
import org.apache.iceberg.TableOperations;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.encryption.EncryptionManager;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ServiceUnavailableException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.LocationProvider;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TableCommitter} against a catalog that fails the way a remote one does: a commit that
 * lands but whose answer is lost, and a catalog that is then out of reach for a while. Runs on
 * Lakestream's own catalog over a local directory.
 */
class TableCommitterTest {
    private static final String TOPIC_ID = "topic-id-1";
    private static final Schema SCHEMA = new Schema(Types.NestedField.required(1, "id", Types.LongType.get()));

    @TempDir
    Path dir;

    private TableStores.Store store;
    private Table table;
    private FlakyOperations operations;

    @BeforeEach
    void setUp() {
        store = TableStores.open(TableStores.Kind.LOCAL, dir, null);
        ObjectStoreCatalog catalog = store.catalog("");
        catalog.createNamespace(Namespace.of("default"));
        Table created = catalog.createTable(TableIdentifier.of("default", "events"), SCHEMA, PartitionSpec.unpartitioned());
        operations = new FlakyOperations(((HasTableOperations) created).operations());
        table = new BaseTable(operations, created.name());
    }

    @AfterEach
    void tearDown() {
        store.close();
    }

    @Test
    void commitWhoseAnswerIsLostIsRecognizedByItsCommitIdOnTheRetry() {
        TableCommitter committer = new TableCommitter(table, null, "events", TOPIC_ID);
        PartitionFiles files = files(0, 0, 10);
        operations.loseAnswers = 1;

        CommitOutcome outcome = committer.commit(List.of(files));

        assertThat(outcome.committed()).containsEntry(0, 10L);
        assertThat(table.snapshots()).as("one snapshot, not one per try").hasSize(1);
        assertThat(offset(0)).contains(10L);
        assertThat(exists(files)).isTrue();
    }

    @Test
    void filesOfACommitThatLandedAlthoughEveryTryFailedAreKeptWhenTheyAreRefusedLater() {
        TableCommitter committer = new TableCommitter(table, null, "events", TOPIC_ID);
        PartitionFiles first = files(0, 0, 10);
        // The first try lands but its answer is lost; the catalog is then out of reach for every retry.
        operations.loseAnswers = 1;
        operations.unreachableRefreshesAfterCommit = Integer.MAX_VALUE;
        assertThatThrownBy(() -> committer.commit(List.of(first))).isInstanceOf(ServiceUnavailableException.class);

        // The catalog is back; the table topic commits the files it kept, with the next ones.
        operations.unreachableRefreshesAfterCommit = 0;
        assertThat(offset(0)).as("the commit landed").contains(10L);
        PartitionFiles second = files(0, 10, 20);
        CommitOutcome outcome = committer.commit(List.of(first.followedBy(second)));

        assertThat(outcome.refused()).as("the table already holds [0, 10)").containsEntry(0, 10L);
        assertThat(exists(first)).as("files of the commit that landed, which the table references").isTrue();
        assertThat(exists(second)).as("files of the refused range, written again from offset 10").isFalse();
        assertThat(table.currentSnapshot().addedDataFiles(table.io())).extracting(DataFile::location)
            .containsExactlyElementsOf(first.dataFiles().stream().map(DataFile::location).toList());
    }

    private Optional<Long> offset(int partition) {
        table.refresh();
        return CommittedOffsets.of(table).offset(TOPIC_ID, partition);
    }

    private boolean exists(PartitionFiles files) {
        return files.dataFiles().stream().allMatch(file -> table.io().newInputFile(file.location()).exists());
    }

    /** One small data file for {@code [start, end)} of {@code partition}, present in the store. */
    private PartitionFiles files(int partition, long start, long end) {
        String location = table.locationProvider().newDataLocation("p" + partition + "-" + start + ".parquet");
        try (PositionOutputStream out = table.io().newOutputFile(location).create()) {
            out.write(new byte[16]);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        DataFile file = DataFiles.builder(PartitionSpec.unpartitioned())
            .withPath(location).withFormat(FileFormat.PARQUET).withFileSizeInBytes(16).withRecordCount(end - start)
            .build();
        return new PartitionFiles(partition, start, end, List.of(file), List.of(), List.of());
    }

    /** The catalog's own operations, with a lost answer after a landed commit and refreshes that fail. */
    private static final class FlakyOperations implements TableOperations {
        private final TableOperations delegate;
        int loseAnswers;
        int unreachableRefreshesAfterCommit;
        private int unreachable;

        FlakyOperations(TableOperations delegate) {
            this.delegate = delegate;
        }

        @Override
        public TableMetadata current() {
            return delegate.current();
        }

        @Override
        public TableMetadata refresh() {
            if (unreachable > 0 && unreachableRefreshesAfterCommit > 0) {
                unreachable--;
                throw new ServiceUnavailableException("catalog out of reach");
            }
            return delegate.refresh();
        }

        @Override
        public void commit(TableMetadata base, TableMetadata metadata) {
            delegate.commit(base, metadata);
            if (loseAnswers > 0) {
                loseAnswers--;
                unreachable = unreachableRefreshesAfterCommit;
                throw new CommitStateUnknownException(new IOException("connection reset after the commit was sent"));
            }
        }

        @Override
        public FileIO io() {
            return delegate.io();
        }

        @Override
        public EncryptionManager encryption() {
            return delegate.encryption();
        }

        @Override
        public String metadataFileLocation(String fileName) {
            return delegate.metadataFileLocation(fileName);
        }

        @Override
        public LocationProvider locationProvider() {
            return delegate.locationProvider();
        }

        @Override
        public long newSnapshotId() {
            return delegate.newSnapshotId();
        }
    }
}
