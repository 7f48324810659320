package dev.ibex.app.quant;

import static dev.ibex.app.quant.QuantModels.INT8;
import static dev.ibex.app.quant.QuantModels.NF4;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.api.generate.Forward;
import dev.ibex.api.internal.Json;
import dev.ibex.api.model.LoadOptions;
import dev.ibex.api.model.Merger;
import dev.ibex.api.model.Model;
import dev.ibex.api.model.ModelLoader;
import dev.ibex.api.model.ModelQuantizer;
import dev.ibex.api.model.QuantSettings;
import dev.ibex.api.plugin.Plugins;
import dev.ibex.app.Cli;
import dev.ibex.app.golden.Golden;
import dev.ibex.spi.IbexException;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.tensor.DType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ibex quantize}: a Hugging Face folder with bitsandbytes' tensors and transformers' {@code quantization_config}
 * that loads without quantizing again; {@code ibex inspect} on it; merging an adapter into such a base.
 */
class QuantizeCommandTest {
    private static final String Q_PROJ = "model.layers.0.self_attn.q_proj";

    @TempDir
    Path tmp;

    static String run(int expectedCode, String... args) {
        Cli r = Cli.run(args).expect(expectedCode);
        return r.out() + r.err();
    }

    @Test
    void progressIsReportedOncePerQuantizedLayerInOrder() {
        List<String> seen = new ArrayList<>();
        ModelQuantizer.Summary s = ModelQuantizer.quantize(Golden.dir("llama"),
                new QuantSettings(QuantOptions.int8(6f), Set.of("down_proj")), tmp.resolve("llama-int8"),
                Plugins.installed(), (module, done, total) -> seen.add(done + "/" + total + " " + module));
        assertEquals(12, s.modules(), "14 linears but the two down_proj");
        assertEquals(12, seen.size());
        for (int i = 0; i < seen.size(); i++) {
            assertTrue(seen.get(i).startsWith((i + 1) + "/12 model.layers."), seen.toString());
        }
        assertEquals(12, seen.stream().map(l -> l.substring(l.indexOf(' '))).distinct().count(), "each layer once");
        assertEquals("1/12 model.layers.0.self_attn.q_proj", seen.getFirst());
        assertTrue(seen.stream().noneMatch(l -> l.contains("down_proj") || l.contains("lm_head")), seen.toString());
    }

    @Test
    void nf4FolderHoldsBitsandbytesTensorsAndLoadsAsItWasQuantized() {
        Path out = tmp.resolve("llama-nf4");
        String printed = run(0, "quantize", "--model", Golden.dir("llama").toString(), "--to", "nf4",
                "--out", out.toString());
        assertTrue(printed.contains("quantized 14 linear layer(s) to nf4"), printed);

        JsonNode q = Json.read(out.resolve("config.json")).get("quantization_config");
        assertEquals("bitsandbytes", q.get("quant_method").asText());
        assertTrue(q.get("load_in_4bit").asBoolean());
        assertFalse(q.get("load_in_8bit").asBoolean());
        assertEquals("nf4", q.get("bnb_4bit_quant_type").asText());
        assertTrue(q.get("bnb_4bit_use_double_quant").asBoolean());
        assertEquals("bfloat16", q.get("bnb_4bit_compute_dtype").asText());

        Map<String, String> tensors = QuantModels.describeTensors(out);
        assertEquals("U8 [2048, 1]", tensors.get(Q_PROJ + ".weight"), "64 × 64 codes, two per byte");
        assertEquals("U8 [64]", tensors.get(Q_PROJ + ".weight.absmax"));
        assertEquals("F32 [16]", tensors.get(Q_PROJ + ".weight.quant_map"));
        assertEquals("F32 [1]", tensors.get(Q_PROJ + ".weight.nested_absmax"));
        assertEquals("F32 [256]", tensors.get(Q_PROJ + ".weight.nested_quant_map"));
        assertEquals(DType.U8, QuantModels.dtypeOf(tensors, Q_PROJ + ".weight.quant_state.bitsandbytes__nf4"));
        assertEquals("F32 [512, 64]", tensors.get("lm_head.weight"), "the head stays dense");
        assertEquals("F32 [64]", tensors.get("model.norm.weight"));

        // Loading the folder reads the stored codes (there is no dense weight left to quantize) and computes exactly
        // what quantizing at load computes.
        int[][] ids = Golden.ids(Golden.json("llama", "input_ids.json").get("input_ids"));
        try (Model stored = new ModelLoader(Plugins.installed(), m -> { }).load(out, LoadOptions.inference());
             Model atLoad = QuantModels.load(Golden.dir("llama"), NF4)) {
            assertEquals(atLoad.quantizedWeights().keySet(), stored.quantizedWeights().keySet());
            assertEquals(atLoad.quantizedBytes(), stored.quantizedBytes());
            assertArrayEquals(Forward.logits(atLoad, ids), Forward.logits(stored, ids));
        }
    }

    @Test
    void int8FolderRecordsTheThresholdAndLoadsWithIt() {
        Path out = tmp.resolve("opt-int8");
        run(0, "quantize", "-m", Golden.dir("opt").toString(), "--to", "int8", "--int8-threshold", "6", "-o", out.toString());
        JsonNode q = Json.read(out.resolve("config.json")).get("quantization_config");
        assertTrue(q.get("load_in_8bit").asBoolean());
        assertEquals(6.0, q.get("llm_int8_threshold").asDouble());
        Map<String, String> tensors = QuantModels.describeTensors(out);
        String fc1 = "model.decoder.layers.0.fc1";
        assertEquals("I8 [128, 64]", tensors.get(fc1 + ".weight"));
        assertEquals("F32 [128]", tensors.get(fc1 + ".SCB"));
        assertEquals("U8 []", tensors.get(fc1 + ".weight_format"));
        assertEquals("F32 [128]", tensors.get(fc1 + ".bias"), "biases stay dense");
        int[][] ids = Golden.ids(Golden.json("opt", "input_ids.json").get("input_ids"));
        try (Model stored = new ModelLoader(Plugins.installed(), m -> { }).load(out, LoadOptions.inference());
             Model atLoad = QuantModels.load(Golden.dir("opt"), INT8)) {
            assertEquals(12, stored.quantizedWeights().size());
            assertArrayEquals(Forward.logits(atLoad, ids), Forward.logits(stored, ids));
        }
    }

    @Test
    void inspectShowsTheQuantizedFormatAndBitsPerWeight() {
        Path out = tmp.resolve("mistral-nf4");
        run(0, "quantize", "-m", Golden.dir("mistral").toString(), "--to", "nf4", "-o", out.toString());
        String printed = run(0, "inspect", out.toString());
        // per layer q, o 64×64, k, v 32×64 (two KV heads), gate, up 176×64, down 64×176: 46,080 weights, two layers;
        // each tensor's 1.3 KB of tables is a large share of layers this small (4.127 bits/weight without them)
        assertTrue(printed.contains("quantized     nf4 (double quant): 14 linear(s), 92,160 weights in 65,155 bytes, "
                + "5.656 bits/weight"), printed);
        // logical weights, not packed bytes: the linears plus 65,856 dense (embeddings, head, norms)
        assertTrue(printed.contains("parameters    158,016"), printed);
    }

    @Test
    void quantizingTwiceOrLoadingAsAnotherFormatIsAClearError() {
        Path out = tmp.resolve("llama-int8");
        run(0, "quantize", "-m", Golden.dir("llama").toString(), "--to", "int8", "-o", out.toString());
        String again = run(1, "quantize", "-m", out.toString(), "--to", "nf4", "-o", tmp.resolve("x").toString());
        assertTrue(again.contains("is already quantized"), again);
        IbexException asNf4 = assertThrows(IbexException.class, () -> QuantModels.load(out, NF4));
        assertTrue(asNf4.getMessage().contains("is saved quantized to int8 (config.json quantization_config); it cannot "
                + "be loaded as nf4"), asNf4.getMessage());
    }

    /** {@code --quantize} on the model commands quantizes at load, as the YAML keys do. */
    @Test
    void forwardWithQuantizeComputesTheQuantizedModel() {
        Path input = Golden.dir("llama").resolve("input_ids.json");
        Path logits = tmp.resolve("logits.safetensors");
        run(0, "forward", "-m", Golden.dir("llama").toString(), "--quantize", "nf4", "--input-ids", input.toString(),
                "--out", logits.toString());
        int[][] ids = Golden.ids(Golden.json("llama", "input_ids.json").get("input_ids"));
        try (Model atLoad = QuantModels.load(Golden.dir("llama"), NF4);
             org.apache.arrow.memory.RootAllocator allocator = new org.apache.arrow.memory.RootAllocator();
             dev.ibex.api.io.SafetensorsFile written = dev.ibex.api.io.SafetensorsFile.open(logits, allocator)) {
            assertArrayEquals(Forward.logits(atLoad, ids), written.get("logits").toFloatArray());
        }
        String wrong = run(1, "forward", "-m", Golden.dir("llama").toString(), "--quantize", "int4",
                "--input-ids", input.toString(), "--out", logits.toString());
        assertTrue(wrong.contains("ibex: error: --quantize must be nf4, fp4 or int8, not \"int4\""), wrong);
    }

    /** A merged adapter goes into a dense copy of the quantized base: the result is a plain model. */
    @Test
    void mergingIntoAQuantizedBaseWritesADenseModel() {
        Path quantized = tmp.resolve("llama-nf4");
        run(0, "quantize", "-m", Golden.dir("llama").toString(), "--to", "nf4", "-o", quantized.toString());
        Path merged = tmp.resolve("merged");
        int[][] ids = Golden.ids(Golden.json("llama", "input_ids.json").get("input_ids"));
        float[] withAdapter;
        try (Model m = new ModelLoader(Plugins.installed(), s -> { }).load(quantized,
                LoadOptions.inference().withAdapter(Golden.dir("llama_lora")))) {
            withAdapter = Forward.logits(m, ids);
            Merger.merge(m, merged);
        }
        assertNull(Json.read(merged.resolve("config.json")).get("quantization_config"));
        Map<String, String> tensors = QuantModels.describeTensors(merged);
        assertEquals("F32 [64, 64]", tensors.get(Q_PROJ + ".weight"));
        assertFalse(tensors.keySet().stream().anyMatch(k -> k.contains("absmax") || k.contains("quant_state")));
        try (Model m = new ModelLoader(Plugins.installed(), s -> { }).load(merged, LoadOptions.inference())) {
            assertTrue(m.quantizedWeights().isEmpty());
            Golden.assertMaxAbs(withAdapter, Forward.logits(m, ids), 1e-4, "merged vs base + adapter");
        }
    }
}
