package io.iris.storage.tck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A small tmpfs mounted for a test: a real file system that fills up, for disk-full tests. Needs root:
 * where it cannot be mounted the test is skipped, except in CI ({@code CI} set), where it fails.
 *
 * <p>Usage: {@code try (Tmpfs fs = Tmpfs.mount(dir, 64)) { ... fs.path() ... }}
 */
public final class Tmpfs implements AutoCloseable {
    private final Path path;

    private Tmpfs(final Path path) {
        this.path = path;
    }

    /**
     * @param where     an empty directory to mount on (created if missing).
     * @param megabytes the file system's size.
     * @return the mounted file system.
     * @throws Exception if the directory cannot be created.
     */
    public static Tmpfs mount(final Path where, final int megabytes) throws Exception {
        Files.createDirectories(where);
        final boolean mounted = run("mount", "-t", "tmpfs", "-o", "size=" + megabytes + "m", "tmpfs", where.toString());
        if (!mounted && System.getenv("CI") != null) {
            throw new AssertionError("cannot mount a tmpfs in CI: the disk-full tests need root");
        }
        assumeTrue(mounted, "cannot mount a tmpfs here (needs root)");
        return new Tmpfs(where);
    }

    /** @return the mount point. */
    public Path path() {
        return path;
    }

    @Override
    public void close() throws Exception {
        // lazy: mappings of a closed store may still be released by a background thread
        run("umount", "-l", path.toString());
    }

    private static boolean run(final String... command) throws Exception {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (final IOException e) {
            return false;
        }
    }
}
