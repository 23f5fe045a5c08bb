package io.iris.engine.auth;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The revocation list file ({@code auth.jwt.revokedFile}): how revocations reach a server that has no
 * admin channel, and survive its restarts.
 *
 * <h2>Format</h2>
 * UTF-8 text, one revoked token per line: {@code JTI EXPIRES}, separated by spaces or tabs, where
 * {@code JTI} is the token's {@code jti} (1 to {@value #MAX_TOKEN_ID_LENGTH} chars, no whitespace or control
 * characters) and {@code EXPIRES} the token's {@code exp} in epoch seconds. Blank lines and lines starting
 * with {@code #} are ignored. Anything else makes the whole file invalid (the line number is reported), so a
 * half-understood file is never applied.
 *
 * <h2>Reading and writing</h2>
 * A server polls the file with {@link #readIfChanged()}: it compares size, modification time and file key
 * (inode) with the previous poll and reads the file only when one of them changed, so a poll of an
 * unchanged file is one {@code stat}. A missing file is an empty list. {@link #add} (the reference server's
 * {@code revoke-token} command) rewrites the file under an advisory lock on a sibling {@code .lock} file:
 * it keeps every line except entries whose token has expired beyond {@link JwtAuthenticator#MAX_LEEWAY},
 * adds the new entry, writes a temporary file and renames it over the old one, so a poll never sees a
 * half-written file.
 *
 * <p>Instances (the polling side) are not thread-safe: one poller thread owns one instance. The static
 * methods are thread-safe.
 */
public final class RevocationFile {
    /** Longest token id accepted in the file. */
    public static final int MAX_TOKEN_ID_LENGTH = 1024;

    /**
     * One line of the file.
     *
     * @param tokenId               the revoked token's {@code jti}.
     * @param expiresAtEpochSeconds the token's {@code exp}.
     */
    public record Entry(String tokenId, long expiresAtEpochSeconds) {
    }

    /** What a poll compares: a file that keeps all three is taken as unchanged. */
    private record Stamp(long size, FileTime modified, Object fileKey) {
    }

    private static final Stamp MISSING = new Stamp(-1, FileTime.fromMillis(0), null);

    private final Path path;
    private Stamp lastSeen;

    /** @param path the file; it need not exist yet. */
    public RevocationFile(final Path path) {
        this.path = Objects.requireNonNull(path, "path");
    }

    /** @return the file. */
    public Path path() {
        return path;
    }

    /**
     * @return every entry of the file if it changed (appeared, disappeared, was rewritten) since the last call
     * or this is the first call; {@code null} if it did not change. A missing file gives an empty list.
     * @throws IOException              if the file exists but cannot be read.
     * @throws IllegalArgumentException if its content is invalid (the message names the file and line). The
     *                                  next call reads it again.
     */
    public List<Entry> readIfChanged() throws IOException {
        Stamp seen;
        try {
            final BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            seen = new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
        } catch (final NoSuchFileException e) {
            seen = MISSING;
        }
        if (seen.equals(lastSeen)) {
            return null;
        }
        final List<Entry> entries = seen == MISSING ? List.of() : entriesOf(readLines(path), path);
        lastSeen = seen; // only once the content was valid: an invalid file is read again at the next poll
        return entries;
    }

    /**
     * Adds an entry, dropping entries whose token expired more than {@link JwtAuthenticator#MAX_LEEWAY} before
     * {@code nowMillis}; creates the file (and its directory) if needed. Safe against concurrent {@code add}s
     * from other processes (advisory lock) and against a concurrent reader (atomic rename).
     *
     * @param path                  the file.
     * @param tokenId               the token id.
     * @param expiresAtEpochSeconds the token's {@code exp}.
     * @param nowMillis             the current time, epoch millis.
     * @throws IOException              if the file cannot be read or written.
     * @throws IllegalArgumentException if the token id breaks the format, or the existing file is invalid.
     */
    public static void add(final Path path, final String tokenId, final long expiresAtEpochSeconds,
                           final long nowMillis) throws IOException {
        final String problem = tokenIdProblem(tokenId);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        if (expiresAtEpochSeconds < 0 || expiresAtEpochSeconds > JwtAuthenticator.MAX_NUMERIC_DATE_SECONDS) {
            throw new IllegalArgumentException("expiry " + expiresAtEpochSeconds + " is out of range");
        }
        final Path file = path.toAbsolutePath();
        Files.createDirectories(file.getParent());
        final Path lock = file.resolveSibling(file.getFileName() + ".lock");
        try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = channel.lock()) {
            final List<String> lines = Files.exists(file) ? readLines(file) : new ArrayList<>();
            entriesOf(lines, file); // refuse to rewrite a file we do not understand
            final long keepAfterSeconds = Math.floorDiv(nowMillis, 1000) - JwtAuthenticator.MAX_LEEWAY.toSeconds();
            final StringBuilder out = new StringBuilder();
            if (lines.isEmpty()) {
                out.append("# Revoked Iris tokens: JTI EXPIRES (the token's exp, epoch seconds). See docs/security.md.\n");
            }
            for (final String line : lines) {
                final Entry e = parse(line, file, 0); // valid: checked above
                if (e == null || e.expiresAtEpochSeconds() >= keepAfterSeconds) {
                    out.append(line).append('\n');
                }
            }
            out.append(tokenId).append(' ').append(expiresAtEpochSeconds).append('\n');
            final Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            try {
                Files.writeString(temp, out, StandardCharsets.UTF_8);
                keepReadable(file, temp);
                try {
                    Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (final AtomicMoveNotSupportedException e) {
                    Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * @param tokenId a candidate token id.
     * @return why it cannot be written to the file, or {@code null} if it can.
     */
    public static String tokenIdProblem(final String tokenId) {
        if (tokenId == null || tokenId.isEmpty()) {
            return "token id is empty";
        }
        if (tokenId.length() > MAX_TOKEN_ID_LENGTH) {
            return "token id is longer than " + MAX_TOKEN_ID_LENGTH + " chars";
        }
        for (int i = 0; i < tokenId.length(); i++) {
            final char c = tokenId.charAt(i);
            if (Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                return "token id contains whitespace or a control character";
            }
        }
        if (tokenId.charAt(0) == '#') {
            return "token id starts with '#' (a comment in the revocation file)";
        }
        return null;
    }

    /**
     * The temporary file is private to its creator (mode 600 on POSIX); give the new file the old one's
     * permissions, or rw-r--r-- for a new file, so the server (perhaps another user) can still read it.
     */
    private static void keepReadable(final Path file, final Path temp) throws IOException {
        if (!Files.getFileStore(temp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Files.setPosixFilePermissions(temp, Files.exists(file) ? Files.getPosixFilePermissions(file)
            : PosixFilePermissions.fromString("rw-r--r--"));
    }

    private static List<Entry> entriesOf(final List<String> lines, final Path file) {
        final Map<String, Entry> byId = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            final Entry e = parse(lines.get(i), file, i + 1);
            if (e != null) {
                byId.merge(e.tokenId(), e, (a, b) -> a.expiresAtEpochSeconds() >= b.expiresAtEpochSeconds() ? a : b);
            }
        }
        return List.copyOf(byId.values());
    }

    /** @return the entry on the line, {@code null} for a blank or comment line. */
    private static Entry parse(final String line, final Path file, final int lineNumber) {
        final String t = line.strip();
        if (t.isEmpty() || t.charAt(0) == '#') {
            return null;
        }
        final String[] fields = t.split("[ \t]+");
        final String where = "revocation file " + file + " line " + lineNumber;
        if (fields.length != 2) {
            throw new IllegalArgumentException(where + ": expected 'JTI EXPIRES_EPOCH_SECONDS'");
        }
        final String problem = tokenIdProblem(fields[0]);
        if (problem != null) {
            throw new IllegalArgumentException(where + ": " + problem);
        }
        final long expires;
        try {
            expires = Long.parseLong(fields[1]);
        } catch (final NumberFormatException e) {
            throw new IllegalArgumentException(where + ": expiry '" + fields[1] + "' is not epoch seconds");
        }
        if (expires < 0 || expires > JwtAuthenticator.MAX_NUMERIC_DATE_SECONDS) {
            throw new IllegalArgumentException(where + ": expiry " + expires + " is out of range");
        }
        return new Entry(fields[0], expires);
    }

    private static List<String> readLines(final Path file) throws IOException {
        final List<String> lines = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Override
    public String toString() {
        return "RevocationFile[" + path + "]";
    }
}
