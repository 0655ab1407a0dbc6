package io.lakestream.table.write;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;

class WriterClassLoaderTest {

    /** Hadoop's core-default.xml sets fs.defaultFS; a Configuration that did not parse it has none. */
    private static String defaultFsSeenWith(ClassLoader contextLoader) throws InterruptedException {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread thread = new Thread(() -> seen.set(new Configuration().get("fs.defaultFS", "<unset>")));
        thread.setContextClassLoader(contextLoader);
        thread.start();
        thread.join();
        return seen.get();
    }

    @Test
    void aConfigurationMadeOnAWriterThreadParsesNoHadoopDefaults() throws Exception {
        ClassLoader parent = getClass().getClassLoader();

        assertThat(defaultFsSeenWith(parent)).isEqualTo("file:///");
        assertThat(defaultFsSeenWith(new WriterClassLoader(parent))).isEqualTo("<unset>");
    }

    @Test
    void everyOtherResourceAndClassComesFromTheParent() throws Exception {
        ClassLoader parent = getClass().getClassLoader();
        WriterClassLoader loader = new WriterClassLoader(parent);

        assertThat(loader.getResource("core-default.xml")).isNull();
        assertThat(loader.getResource("mapred-default.xml")).isNull();
        assertThat(parent.getResource("core-default.xml")).isNotNull();
        assertThat(loader.getResource("META-INF/MANIFEST.MF")).isEqualTo(parent.getResource("META-INF/MANIFEST.MF"));
        assertThat(loader.loadClass(Configuration.class.getName())).isSameAs(Configuration.class);
    }
}
