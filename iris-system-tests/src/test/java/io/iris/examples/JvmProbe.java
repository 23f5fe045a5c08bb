package io.iris.examples;

import com.sun.tools.attach.VirtualMachine;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads the memory of another JVM (the reference server in its child process) through the JDK's
 * attach API and its local JMX agent: Java heap in use after a full GC, plus the JDK's direct buffers
 * (where the transport keeps unsent output), plus the process's resident set for the record.
 */
final class JvmProbe implements AutoCloseable {
    private final long pid;
    private final JMXConnector connector;
    private final MemoryMXBean memory;
    private final BufferPoolMXBean direct;

    private JvmProbe(final long pid) throws Exception {
        this.pid = pid;
        final VirtualMachine vm = VirtualMachine.attach(Long.toString(pid));
        final String address;
        try {
            address = vm.startLocalManagementAgent();
        } finally {
            vm.detach();
        }
        connector = JMXConnectorFactory.connect(new JMXServiceURL(address));
        final MBeanServerConnection c = connector.getMBeanServerConnection();
        memory = ManagementFactory.newPlatformMXBeanProxy(c, ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        direct = ManagementFactory.getPlatformMXBeans(c, BufferPoolMXBean.class).stream()
            .filter(b -> b.getName().equals("direct")).findFirst()
            .orElseThrow(() -> new IllegalStateException("no direct buffer pool MXBean in " + pid));
    }

    /**
     * @param pid a JVM's process id (same user).
     * @return a probe connected to it.
     * @throws Exception if the JVM cannot be attached to.
     */
    static JvmProbe attach(final long pid) throws Exception {
        return new JvmProbe(pid);
    }

    /** Heap in use after full GCs, and direct buffer memory in use, in bytes. */
    record Snapshot(long heapAfterGc, long direct, long rss) {
        long retained() {
            return heapAfterGc + direct;
        }

        @Override
        public String toString() {
            return String.format("heap after GC %.1f MiB, direct %.1f MiB, RSS %.1f MiB",
                heapAfterGc / 1048576.0, direct / 1048576.0, rss / 1048576.0);
        }
    }

    /** @return a snapshot taken after two full GCs in the target. */
    Snapshot snapshot() throws IOException {
        memory.gc();
        memory.gc();
        return new Snapshot(memory.getHeapMemoryUsage().getUsed(), direct.getMemoryUsed(), rss());
    }

    private long rss() throws IOException {
        for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
