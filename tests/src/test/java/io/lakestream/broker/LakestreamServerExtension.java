package io.lakestream.broker;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One {@link LakestreamProcess} for a test class ({@code @RegisterExtension static}): started
 * before its tests on a temporary data directory, with an Admin client on it; stopped after
 * them, when its exit status after SIGTERM must be clean, and its directory deleted.
 */
public final class LakestreamServerExtension implements BeforeAllCallback, AfterAllCallback {
    private final String[] overrides;
    private Path dir;
    private LakestreamProcess process;

    /** {@code overrides}: config key=value pairs passed as {@code --override}. */
    public LakestreamServerExtension(String... overrides) {
        this.overrides = overrides.clone();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("lakestream-" + context.getRequiredTestClass().getSimpleName());
        process = LakestreamProcess.start(dir.resolve("data"), 0, 0, overrides);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (process != null) {
                process.stopCleanly();
            }
        } finally {
            Utils.delete(dir.toFile());
        }
    }

    public LakestreamProcess process() {
        return process;
    }

    public Admin admin() {
        return process.admin();
    }

    public String bootstrap() {
        return process.bootstrap();
    }

    /** The server's log, for a failure message. */
    public String log() {
        return process.outputForFailure();
    }
}
