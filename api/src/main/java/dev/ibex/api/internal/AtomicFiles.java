package dev.ibex.api.internal;

import dev.ibex.spi.IbexException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Writes files and folders so that a reader (or a crash) never sees half of one: the content goes to a
 * temporary sibling, is flushed to disk, and is renamed over the target in one step.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** The content a {@link #write(Path, Writer)} callback writes into. */
    @FunctionalInterface
    public interface Writer {
        void write(FileChannel channel) throws IOException;
    }

    public static void write(Path target, byte[] content) {
        write(target, channel -> {
            var buf = java.nio.ByteBuffer.wrap(content);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
        });
    }

    public static void write(Path target, Writer writer) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writer.write(ch);
                ch.force(true);
            }
            readableByAll(tmp);
            move(tmp, target);
            tmp = null;
        } catch (IOException e) {
            throw new IbexException("cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file is only litter now
                }
            }
        }
    }

    /** Temporary files are owner-only; the results (weights, adapters, metrics) are ordinary files. */
    private static void readableByAll(Path file) throws IOException {
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /**
     * Replaces folder {@code target} with {@code staged} (a finished sibling folder): the old one, if any, is moved
     * aside first and deleted after, so the target is always either the old or the new complete folder.
     */
    public static void replaceDirectory(Path staged, Path target) {
        try {
            Path old = null;
            if (Files.exists(target)) {
                old = target.resolveSibling("." + target.getFileName() + ".old-" + System.nanoTime());
                move(target, old);
            }
            move(staged, target);
            if (old != null) {
                deleteRecursively(old);
            }
        } catch (IOException e) {
            throw new IbexException("cannot move " + staged + " to " + target + ": " + e.getMessage(), e);
        }
    }

    /** A fresh temporary folder next to {@code target}, for staging a {@link #replaceDirectory}. */
    public static Path stagingDirectory(Path target) {
        try {
            Path parent = target.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path dir = Files.createTempDirectory(parent, "." + target.getFileName() + ".staging-");
            if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            return dir;
        } catch (IOException e) {
            throw new IbexException("cannot create a folder next to " + target + ": " + e.getMessage(), e);
        }
    }

    public static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
