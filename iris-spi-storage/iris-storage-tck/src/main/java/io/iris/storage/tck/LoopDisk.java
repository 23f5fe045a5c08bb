package io.iris.storage.tck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A small ext4 file system on a loop device, for power-loss tests: what a power loss leaves is what the
 * device had received, without the kernel's page cache. {@link #powerLoss()} takes that state — a copy
 * of the loop device's backing file, made while the file system is still mounted and its dirty pages
 * were never written — and mounts the copy in place of the original, so the file system replays its
 * journal exactly as after a power cut. Anything a store did not force (fsync, fdatasync, msync) and
 * the kernel had not written back on its own is gone.
 *
 * <p>Needs root and loop devices. Where they are missing the test is skipped, except in CI
 * ({@code CI} set in the environment), where it fails: a durability test that silently does not run
 * is worse than a red build.
 *
 * <p>Usage: {@code try (LoopDisk disk = LoopDisk.create(dir, 256)) { ... disk.mountPoint() ... disk.powerLoss(); }}
 * Processes writing to the file system must be dead (killed) before {@link #powerLoss()}.
 */
public final class LoopDisk implements AutoCloseable {
    private final Path work;
    private final Path mountPoint;
    private Path image;
    private String device;
    private int generation;

    private LoopDisk(final Path work) {
        this.work = work;
        this.mountPoint = work.resolve("mnt");
    }

    /**
     * Creates, formats and mounts a fresh ext4 image.
     *
     * @param work      a directory for the image files and the mount point.
     * @param megabytes the file system's size.
     * @return the mounted disk.
     * @throws Exception if a command fails where loop devices are available.
     */
    public static LoopDisk create(final Path work, final int megabytes) throws Exception {
        requireLoopDevices();
        final LoopDisk disk = new LoopDisk(work);
        Files.createDirectories(disk.mountPoint);
        disk.image = work.resolve("disk-0.img");
        run("truncate", "-s", megabytes + "M", disk.image.toString());
        run("mkfs.ext4", "-q", "-F", disk.image.toString());
        disk.attachAndMount();
        return disk;
    }

    /** Skips the calling test where loop devices cannot be used, and fails it in CI. */
    private static void requireLoopDevices() throws Exception {
        String why = null;
        if (!"root".equals(System.getProperty("user.name"))) {
            why = "not root";
        } else if (!Files.exists(Path.of("/dev/loop-control"))) {
            why = "no /dev/loop-control";
        } else if (!commandWorks("losetup", "--version") || !commandWorks("mkfs.ext4", "-V")) {
            why = "losetup or mkfs.ext4 missing";
        }
        if (why != null && System.getenv("CI") != null) {
            throw new AssertionError("the power-loss test cannot run in CI: " + why + " (it needs root and loop devices)");
        }
        assumeTrue(why == null, "power-loss test skipped: " + why);
    }

    /** @return where the file system is mounted (the same path across {@link #powerLoss()}). */
    public Path mountPoint() {
        return mountPoint;
    }

    /**
     * Simulates a power loss: copies what the device holds, discards the mounted file system with its page
     * cache, and mounts the copy (which replays the ext4 journal) at the same mount point.
     *
     * @throws Exception if a command fails.
     */
    public void powerLoss() throws Exception {
        final Path snapshot = work.resolve("disk-" + (++generation) + ".img");
        // the device's content as of now; the page cache of the mounted file system is not in it
        run("cp", "--sparse=always", image.toString(), snapshot.toString());
        detach();
        Files.delete(image);
        image = snapshot;
        attachAndMount();
    }

    private void attachAndMount() throws Exception {
        device = output("losetup", "-f", "--show", image.toString()).trim();
        run("mount", "-t", "ext4", device, mountPoint.toString());
    }

    private void detach() throws Exception {
        // lazy: mappings of a closed store may still be released by a background thread
        run("umount", "-l", mountPoint.toString());
        run("losetup", "-d", device);
        device = null;
    }

    @Override
    public void close() throws Exception {
        if (device != null) {
            detach();
        }
        if (image != null) {
            Files.deleteIfExists(image);
        }
    }

    private static boolean commandWorks(final String... command) {
        try {
            final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (final IOException | InterruptedException e) {
            return false;
        }
    }

    private static void run(final String... command) throws Exception {
        output(command);
    }

    private static String output(final String... command) throws Exception {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " timed out");
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.trim());
        }
        return out;
    }
}
