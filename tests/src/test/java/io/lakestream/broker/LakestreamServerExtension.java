package io.lakestream.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
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
    private Admin admin;

    /** {@code overrides}: config key=value pairs passed as {@code --override}. */
    public LakestreamServerExtension(String... overrides) {
        this.overrides = overrides.clone();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("lakestream-" + context.getRequiredTestClass().getSimpleName());
        process = LakestreamProcess.start(dir.resolve("data"), 0, 0, overrides);
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, process.bootstrap()));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            if (admin != null) {
                admin.close();
            }
            if (process != null) {
                assertThat(process.stop()).as("exit status after SIGTERM").isIn(0, 143);
            }
        } finally {
            Utils.delete(dir.toFile());
        }
    }

    public LakestreamProcess process() {
        return process;
    }

    public Admin admin() {
        return admin;
    }

    public String bootstrap() {
        return process.bootstrap();
    }

    /** The server's log, for a failure message: what it said explains most failures seen only in CI. */
    public String log() {
        try {
            return "\n--- server log ---\n" + process.output();
        } catch (IOException e) {
            return "\n(server log unreadable: " + e + ")";
        }
    }
}
