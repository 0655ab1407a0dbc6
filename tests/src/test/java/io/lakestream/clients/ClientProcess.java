package io.lakestream.clients;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a client program that is not Java (kcat, a Python or a node script) as a subprocess
 * and collects what it printed. Its standard output and error go to files, so a chatty
 * client can never block on a full pipe.
 */
final class ClientProcess {
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private ClientProcess() {
    }

    /** What a finished client printed, and how it exited. */
    record Output(List<String> command, int exitCode, String stdout, String stderr) {

        List<String> lines() {
            return stdout.isEmpty() ? List.of() : List.of(stdout.split("\n"));
        }

        /** The command and everything it printed, for a failure message. */
        String describe() {
            return String.join(" ", command) + "\nexit " + exitCode + "\n--- stdout ---\n" + stdout
                + "\n--- stderr ---\n" + stderr;
        }

        /** This output, after failing the test if the client did not exit with 0. */
        Output succeeded() {
            if (exitCode != 0) {
                fail("Client failed:\n" + describe());
            }
            return this;
        }
    }

    static Output run(String... command) {
        return run(null, null, DEFAULT_TIMEOUT, List.of(command));
    }

    static Output runWithInput(String stdin, String... command) {
        return run(null, stdin, DEFAULT_TIMEOUT, List.of(command));
    }

    /**
     * Runs {@code command} in {@code workDir} (null: the current one) with {@code stdin} as its
     * input (null: none), failing the test if it is still running after {@code timeout}.
     */
    static Output run(Path workDir, String stdin, Duration timeout, List<String> command) {
        try {
            Path out = Files.createTempFile("client", ".out");
            Path err = Files.createTempFile("client", ".err");
            Path in = Files.createTempFile("client", ".in");
            try {
                Files.writeString(in, stdin == null ? "" : stdin);
                ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectInput(in.toFile())
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile());
                if (workDir != null) {
                    builder.directory(workDir.toFile());
                }
                Process process = builder.start();
                if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    fail("Client still running after " + timeout + ":\n"
                        + new Output(command, -1, read(out), read(err)).describe());
                }
                return new Output(command, process.exitValue(), read(out), read(err));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
                Files.deleteIfExists(in);
            }
        } catch (IOException e) {
            throw new AssertionError("Cannot run " + command + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while running " + command, e);
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    /**
     * Fails the test, naming the package that {@code .ci/run} installs, unless {@code probe}
     * runs and exits with 0: a missing client must never turn into a skipped test.
     */
    static void requireInstalled(String installedBy, String... probe) {
        Output output;
        try {
            Process process = new ProcessBuilder(probe).redirectErrorStream(true).start();
            String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            output = new Output(Arrays.asList(probe), process.isAlive() ? -1 : process.exitValue(), printed, "");
        } catch (IOException e) {
            output = new Output(Arrays.asList(probe), -1, "", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while probing " + Arrays.toString(probe), e);
        }
        if (output.exitCode() != 0) {
            fail("This test needs " + installedBy + ", which .ci/run installs; it is missing here.\n"
                + output.describe());
        }
    }

    /**
     * Node.js client {@code files} copied from the test resources' {@code resourceDir} to
     * {@code dir}, and {@code npm ci} there: exactly the locked packages, from the npm cache when
     * it is there. Fails the test, naming the client, if npm cannot install them.
     */
    static void npmCi(Path dir, String resourceDir, List<String> files) throws IOException {
        requireInstalled("Node.js (Debian package nodejs)", "node", "--version");
        requireInstalled("npm (Debian package npm)", "npm", "--version");
        Files.createDirectories(dir);
        for (String file : files) {
            Files.copy(resource(resourceDir + "/" + file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        Output install = run(dir, null, Duration.ofMinutes(5),
            List.of("npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"));
        if (install.exitCode() != 0) {
            fail("npm ci in " + dir + " failed (it needs the npm registry or a warm npm cache):\n" + install.describe());
        }
    }

    /** A file under src/test/resources, as it was copied to the test class path. */
    static Path resource(String name) {
        URL url = ClientProcess.class.getResource(name);
        if (url == null) {
            throw new AssertionError("No test resource " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError("Bad resource URL " + url, e);
        }
    }

    static List<String> concat(List<String> first, String... rest) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(rest));
        return all;
    }
}
