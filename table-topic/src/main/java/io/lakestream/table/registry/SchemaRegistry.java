package io.lakestream.table.registry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Confluent-compatible schema registry: subjects with numbered versions of Avro or protobuf
 * schemas, global schema ids, compatibility levels and checks, soft and permanent deletes.
 * Its state is the replay of the entries of a {@link RegistryLog} shared by every broker; each
 * operation first reads the entries written since (by any broker), and a change is an entry
 * written to the next free slot, so ids are global, increase, and are never given to another
 * schema. The same schema text (canonical) keeps its id across subjects and re-registrations.
 *
 * <p>Thread-safe: every operation holds the registry's lock (the HTTP threads and the table
 * topic loop call it; changes are rare and reads are in memory after one look at the log's end).
 */
public final class SchemaRegistry implements SchemaLookup {
    private static final Logger LOG = LoggerFactory.getLogger(SchemaRegistry.class);
    /** Writers racing for slots: a loser reads the winner's entry and decides again. */
    private static final int MAX_ATTEMPTS = 32;

    private final RegistryLog log;
    private final Map<String, Subject> subjects = new TreeMap<>();
    private final Map<Integer, RegisteredSchema> schemas = new HashMap<>();
    private final Map<String, Integer> idsByText = new HashMap<>();
    private CompatibilityLevel globalLevel = CompatibilityLevel.BACKWARD;
    private int maxId;
    private long nextSlot;

    public SchemaRegistry(RegistryLog log) {
        this.log = log;
    }

    /** A version of a subject. */
    public record SubjectVersion(String subject, int version, int id, SchemaType type, String schema) {}

    private static final class Version {
        final int version;
        final int id;
        boolean deleted;

        Version(int version, int id) {
            this.version = version;
            this.id = id;
        }
    }

    private static final class Subject {
        final TreeMap<Integer, Version> versions = new TreeMap<>();
        CompatibilityLevel level;

        List<Version> live() {
            return versions.values().stream().filter(v -> !v.deleted).toList();
        }
    }

    // ---- reads ----

    public synchronized List<String> subjects(boolean includeDeleted) throws RegistryException {
        catchUp();
        List<String> names = new ArrayList<>();
        subjects.forEach((name, subject) -> {
            if (includeDeleted ? !subject.versions.isEmpty() : !subject.live().isEmpty()) {
                names.add(name);
            }
        });
        return names;
    }

    public synchronized List<Integer> versions(String subject, boolean includeDeleted) throws RegistryException {
        catchUp();
        List<Integer> versions = new ArrayList<>();
        for (Version version : subjectVersions(subject, includeDeleted)) {
            versions.add(version.version);
        }
        return versions;
    }

    /** A version by number, or "latest" (also -1). */
    public synchronized SubjectVersion version(String subject, String version, boolean includeDeleted)
        throws RegistryException {
        catchUp();
        return describe(subject, find(subject, version, includeDeleted));
    }

    @Override
    public synchronized RegisteredSchema byId(int id) throws RegistryException {
        RegisteredSchema schema = schemas.get(id);
        if (schema == null) {
            catchUp();
            schema = schemas.get(id);
        }
        return schema;
    }

    /** The subject-versions that use schema {@code id}. */
    public synchronized List<SubjectVersion> usesOf(int id) throws RegistryException {
        catchUp();
        List<SubjectVersion> uses = new ArrayList<>();
        subjects.forEach((name, subject) -> subject.live().forEach(version -> {
            if (version.id == id) {
                uses.add(describe(name, version));
            }
        }));
        return uses;
    }

    /** The version of {@code subject} whose schema is {@code schema}. */
    public synchronized SubjectVersion lookup(String subject, SchemaType type, String schema, boolean includeDeleted)
        throws RegistryException {
        catchUp();
        String canonical = type.canonical(schema);
        Subject known = subjects.get(subject);
        if (known == null || (includeDeleted ? known.versions.isEmpty() : known.live().isEmpty())) {
            throw RegistryException.subjectNotFound(subject);
        }
        for (Version version : known.versions.descendingMap().values()) {
            RegisteredSchema registered = schemas.get(version.id);
            if ((includeDeleted || !version.deleted) && registered.type() == type
                && registered.schema().equals(canonical)) {
                return describe(subject, version);
            }
        }
        throw RegistryException.schemaNotFound("for subject '" + subject + "'");
    }

    public synchronized CompatibilityLevel globalLevel() throws RegistryException {
        catchUp();
        return globalLevel;
    }

    /** A subject's own level; the global one if it has none and {@code defaultToGlobal}. */
    public synchronized CompatibilityLevel subjectLevel(String subject, boolean defaultToGlobal)
        throws RegistryException {
        catchUp();
        Subject known = subjects.get(subject);
        if (known != null && known.level != null) {
            return known.level;
        }
        if (defaultToGlobal) {
            return globalLevel;
        }
        throw RegistryException.subjectLevelCompatibilityNotConfigured(subject);
    }

    /**
     * Why {@code schema} may not follow {@code version} of the subject ("latest": the versions the
     * subject's level checks against); empty if it may.
     */
    public synchronized List<String> testCompatibility(String subject, String version, SchemaType type, String schema)
        throws RegistryException {
        catchUp();
        String canonical = type.canonical(schema);
        Subject known = subjects.get(subject);
        boolean latest = isLatest(version);
        if (known == null || known.live().isEmpty()) {
            if (latest) {
                return List.of();
            }
            throw RegistryException.subjectNotFound(subject);
        }
        List<Version> against = latest ? known.live() : List.of(find(subject, version, false));
        return incompatibilities(levelOf(known), type, canonical, against);
    }

    // ---- changes ----

    /** Registers {@code schema} under {@code subject}; the same schema again answers the version it has. */
    public SubjectVersion register(String subject, SchemaType type, String schema) throws RegistryException {
        requireSubjectName(subject);
        return change(() -> {
            String canonical = type.canonical(schema);
            Subject known = subjects.get(subject);
            List<Version> live = known == null ? List.of() : known.live();
            for (Version version : live) {
                RegisteredSchema registered = schemas.get(version.id);
                if (registered.type() == type && registered.schema().equals(canonical)) {
                    return new Proposal<>(null, describe(subject, version));
                }
            }
            List<String> problems = incompatibilities(known == null ? globalLevel : levelOf(known), type, canonical, live);
            if (!problems.isEmpty()) {
                throw RegistryException.incompatible("Schema being registered is incompatible with an earlier schema "
                    + "for subject \"" + subject + "\", details: " + problems);
            }
            int version = known == null || known.versions.isEmpty() ? 1 : known.versions.lastKey() + 1;
            Integer id = idsByText.get(key(type, canonical));
            int assigned = id != null ? id : maxId + 1;
            return new Proposal<>(RegistryEntry.register(subject, version, assigned, type, canonical),
                new SubjectVersion(subject, version, assigned, type, canonical));
        });
    }

    /** Deletes a version (soft, or permanently one that was soft-deleted); returns its number. */
    public int deleteVersion(String subject, String version, boolean permanent) throws RegistryException {
        return change(() -> {
            Version found = find(subject, version, permanent);
            if (permanent && !found.deleted) {
                throw RegistryException.versionNotSoftDeleted(subject, found.version);
            }
            return new Proposal<>(RegistryEntry.deleteVersion(subject, found.version, permanent), found.version);
        });
    }

    /** Deletes every version of a subject (soft, or permanently once soft-deleted); returns their numbers. */
    public List<Integer> deleteSubject(String subject, boolean permanent) throws RegistryException {
        return change(() -> {
            Subject known = subjects.get(subject);
            if (known == null || known.versions.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            List<Version> affected = permanent ? List.copyOf(known.versions.values()) : known.live();
            if (permanent && !known.live().isEmpty()) {
                throw RegistryException.subjectNotSoftDeleted(subject);
            }
            if (affected.isEmpty()) {
                throw RegistryException.subjectNotFound(subject);
            }
            return new Proposal<>(RegistryEntry.deleteSubject(subject, permanent),
                affected.stream().map(v -> v.version).toList());
        });
    }

    /** Sets the global level ({@code subject} null) or a subject's; null clears a subject's. */
    public CompatibilityLevel setLevel(String subject, CompatibilityLevel level) throws RegistryException {
        if (subject != null) {
            requireSubjectName(subject);
        }
        return change(() -> new Proposal<>(RegistryEntry.config(subject, level), level));
    }

    /** Clears a subject's own level; returns the one it had. */
    public CompatibilityLevel clearLevel(String subject) throws RegistryException {
        return change(() -> {
            Subject known = subjects.get(subject);
            if (known == null || known.level == null) {
                throw RegistryException.subjectLevelCompatibilityNotConfigured(subject);
            }
            return new Proposal<>(RegistryEntry.config(subject, null), known.level);
        });
    }

    // ---- the log ----

    /** An entry to write, or null if nothing changes, and the answer once it is written. */
    private record Proposal<T>(RegistryEntry entry, T result) {}

    @FunctionalInterface
    private interface Change<T> {
        Proposal<T> propose() throws RegistryException;
    }

    private synchronized <T> T change(Change<T> change) throws RegistryException {
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            catchUp();
            Proposal<T> proposal = change.propose();
            if (proposal.entry() == null) {
                return proposal.result();
            }
            byte[] entry = proposal.entry().toBytes();
            byte[] held = log.putIfAbsent(nextSlot, entry);
            apply(RegistryEntry.fromBytes(held));
            nextSlot++;
            if (Arrays.equals(held, entry)) {
                return proposal.result();
            }
            LOG.debug("Schema registry slot {} was taken by another broker; deciding again", nextSlot - 1);
        }
        throw RegistryException.storeError("The schema registry could not write its entry: other brokers kept "
            + "taking the slots", null);
    }

    /** Replays the entries written since the last look (by any broker). */
    private void catchUp() throws RegistryException {
        byte[] entry;
        while ((entry = log.read(nextSlot)) != null) {
            apply(RegistryEntry.fromBytes(entry));
            nextSlot++;
        }
    }

    private void apply(RegistryEntry entry) {
        switch (entry.op()) {
            case REGISTER -> {
                Subject subject = subjects.computeIfAbsent(entry.subject(), s -> new Subject());
                subject.versions.put(entry.version(), new Version(entry.version(), entry.id()));
                schemas.putIfAbsent(entry.id(), new RegisteredSchema(entry.id(), entry.schemaType(), entry.schema()));
                idsByText.putIfAbsent(key(entry.schemaType(), entry.schema()), entry.id());
                maxId = Math.max(maxId, entry.id());
            }
            case DELETE_VERSION -> {
                Subject subject = subjects.get(entry.subject());
                if (subject != null) {
                    if (entry.isPermanent()) {
                        subject.versions.remove(entry.version());
                    } else if (subject.versions.containsKey(entry.version())) {
                        subject.versions.get(entry.version()).deleted = true;
                    }
                }
            }
            case DELETE_SUBJECT -> {
                Subject subject = subjects.get(entry.subject());
                if (subject != null) {
                    if (entry.isPermanent()) {
                        subject.versions.clear();
                    } else {
                        subject.versions.values().forEach(v -> v.deleted = true);
                    }
                }
            }
            case CONFIG -> {
                if (entry.subject() == null) {
                    globalLevel = entry.compatibility();
                } else {
                    subjects.computeIfAbsent(entry.subject(), s -> new Subject()).level = entry.compatibility();
                }
            }
        }
    }

    // ---- helpers ----

    private List<String> incompatibilities(CompatibilityLevel level, SchemaType type, String canonical,
                                           List<Version> against) throws RegistryException {
        List<String> earlier = new ArrayList<>();
        for (Version version : against) {
            RegisteredSchema registered = schemas.get(version.id);
            if (registered.type() != type) {
                if (level != CompatibilityLevel.NONE) {
                    return List.of("Incompatible because of different schema type: " + registered.type() + " -> " + type);
                }
                continue;
            }
            earlier.add(registered.schema());
        }
        return CompatibilityChecker.check(type, level, canonical, earlier);
    }

    private CompatibilityLevel levelOf(Subject subject) {
        return subject.level != null ? subject.level : globalLevel;
    }

    private List<Version> subjectVersions(String subject, boolean includeDeleted) throws RegistryException {
        Subject known = subjects.get(subject);
        List<Version> versions = known == null ? List.of()
            : includeDeleted ? List.copyOf(known.versions.values()) : known.live();
        if (versions.isEmpty()) {
            throw RegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    private Version find(String subject, String version, boolean includeDeleted) throws RegistryException {
        List<Version> versions = subjectVersions(subject, includeDeleted);
        if (isLatest(version)) {
            return versions.get(versions.size() - 1);
        }
        int number;
        try {
            number = Integer.parseInt(version);
        } catch (NumberFormatException e) {
            throw RegistryException.invalidVersion(version);
        }
        if (number < 1) {
            throw RegistryException.invalidVersion(version);
        }
        for (Version candidate : versions) {
            if (candidate.version == number) {
                return candidate;
            }
        }
        throw RegistryException.versionNotFound(subject, number);
    }

    private static boolean isLatest(String version) {
        return "latest".equals(version) || "-1".equals(version);
    }

    private SubjectVersion describe(String subject, Version version) {
        RegisteredSchema schema = schemas.get(version.id);
        return new SubjectVersion(subject, version.version, version.id, schema.type(), schema.schema());
    }

    private static String key(SchemaType type, String canonical) {
        return type + "\n" + canonical;
    }

    private static void requireSubjectName(String subject) throws RegistryException {
        if (subject == null || subject.isEmpty() || subject.chars().anyMatch(Character::isISOControl)) {
            throw new RegistryException(422, 42208, "Invalid subject name: " + subject);
        }
    }
}
