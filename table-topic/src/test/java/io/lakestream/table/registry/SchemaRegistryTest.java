package io.lakestream.table.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** Registries over one shared log, as every broker's registry shares the controller's. */
class SchemaRegistryTest {
    private static String schema(String name) {
        // A doc of its own makes each schema distinct while every one stays compatible with the others.
        return "{\"type\":\"record\",\"name\":\"Order\",\"doc\":\"" + name
            + "\",\"fields\":[{\"name\":\"id\",\"type\":\"long\"}]}";
    }

    @Test
    void brokersRegisteringAtOnceGetDistinctIdsAndSeeEachOthersSchemas() throws Exception {
        InMemoryRegistryLog log = new InMemoryRegistryLog();
        SchemaRegistry first = new SchemaRegistry(log);
        SchemaRegistry second = new SchemaRegistry(log);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<SchemaRegistry.SubjectVersion>> registered = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                SchemaRegistry registry = i % 2 == 0 ? first : second;
                String subject = "s" + (i % 4);
                String name = "R" + i;
                registered.add(pool.submit(() -> registry.register(subject, SchemaType.AVRO, schema(name))));
            }
            Set<Integer> ids = new HashSet<>();
            for (Future<SchemaRegistry.SubjectVersion> future : registered) {
                ids.add(future.get().id());
            }
            assertThat(ids).as("one id per distinct schema, 1 to 40").hasSize(40).allMatch(id -> id >= 1 && id <= 40);
        } finally {
            pool.shutdownNow();
        }
        for (SchemaRegistry registry : List.of(first, second)) {
            assertThat(registry.subjects(false)).containsExactly("s0", "s1", "s2", "s3");
            assertThat(registry.versions("s0", false)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        }
        assertThat(new SchemaRegistry(log).byId(40)).as("a new broker replays the log").isNotNull();
    }

    @Test
    void theSameSchemaKeepsItsIdAcrossSubjectsAndWhitespace() throws Exception {
        SchemaRegistry registry = new SchemaRegistry(new InMemoryRegistryLog());
        int id = registry.register("a", SchemaType.AVRO, schema("R")).id();
        assertThat(registry.register("a", SchemaType.AVRO, " " + schema("R").replace(",", " , ")).version())
            .as("idempotent").isEqualTo(1);
        assertThat(registry.register("b", SchemaType.AVRO, schema("R")).id()).isEqualTo(id);
        assertThat(registry.register("b", SchemaType.AVRO, schema("Other")).id()).isEqualTo(id + 1);
    }

    @Test
    void permanentDeleteNeedsASoftDeleteFirstAndIdsAreNotReused() throws Exception {
        SchemaRegistry registry = new SchemaRegistry(new InMemoryRegistryLog());
        registry.register("a", SchemaType.AVRO, schema("R1"));
        assertThatThrownBy(() -> registry.deleteSubject("a", true))
            .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40405));
        assertThat(registry.deleteSubject("a", false)).containsExactly(1);
        assertThat(registry.deleteSubject("a", true)).containsExactly(1);
        assertThatThrownBy(() -> registry.versions("a", true))
            .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.errorCode()).isEqualTo(40401));
        assertThat(registry.register("a", SchemaType.AVRO, schema("R2")).id()).isEqualTo(2);
    }
}
