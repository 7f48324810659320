package dev.ibex.app;

import dev.ibex.spi.IbexException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import picocli.CommandLine.Option;

/**
 * {@code --out DIR} of the commands that write a whole model folder ({@code merge}, {@code quantize}). Writing
 * replaces the folder, so a folder that already holds something is refused unless {@code --force} says so, and
 * the folder a command reads from, or one holding it, is refused always.
 */
final class OutputFolder {
    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Folder to write.")
    Path out;

    @Option(names = "--force", description = "Replace --out if it already holds files.")
    boolean force;

    /** {@link #out}, once it is safe to replace given that the command reads {@code source}. */
    Path checked(Path source) {
        Path target = out.toAbsolutePath().normalize();
        Path from = source.toAbsolutePath().normalize();
        if (from.startsWith(target)) {
            throw new IbexException("--out " + out + " is the model folder " + source
                    + " (or holds it); writing would replace it: choose another folder");
        }
        if (Files.isDirectory(target) && !force) {
            try (Stream<Path> entries = Files.list(target)) {
                if (entries.findAny().isPresent()) {
                    throw new IbexException("--out " + out + " already holds files; choose an empty or new folder, "
                            + "or add --force to replace it");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        } else if (Files.exists(target) && !Files.isDirectory(target)) {
            throw new IbexException("--out " + out + " is a file, not a folder");
        }
        return out;
    }
}
