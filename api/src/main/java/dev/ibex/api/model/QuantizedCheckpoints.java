package dev.ibex.api.model;

import dev.ibex.spi.IbexException;
import dev.ibex.spi.quant.QuantOptions;
import dev.ibex.spi.quant.QuantizedTensor;
import dev.ibex.spi.quant.QuantizerProvider;
import dev.ibex.spi.tensor.HostTensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Checkpoints whose linear weights are stored quantized, as transformers saves a bitsandbytes model: a 4-bit
 * module {@code m} holds {@code m.weight} (packed codes) and {@code m.weight.absmax}, ...,
 * {@code m.weight.quant_state.bitsandbytes__nf4}; an 8-bit one {@code m.weight} (int8 codes), {@code m.SCB} and
 * {@code m.weight_format}. This class finds those modules and hands their tensors to the quantizer plugins.
 */
public final class QuantizedCheckpoints {
    private static final String STATE = ".weight.quant_state.bitsandbytes__";
    private static final String SCB = ".SCB";

    private QuantizedCheckpoints() {
    }

    /**
     * The quantized modules of a checkpoint, each with its tensors keyed by the suffix after the module name
     * ({@code weight}, {@code weight.absmax}, ..., {@code SCB}), in name order; the module's bias is not a part.
     */
    public static Map<String, Map<String, HostTensor>> modules(Map<String, HostTensor> tensors) {
        Map<String, Map<String, HostTensor>> modules = new TreeMap<>();
        for (String key : tensors.keySet()) {
            int state = key.indexOf(STATE);
            if (state > 0) {
                modules.put(key.substring(0, state), new LinkedHashMap<>());
            } else if (key.endsWith(SCB)) {
                modules.put(key.substring(0, key.length() - SCB.length()), new LinkedHashMap<>());
            }
        }
        for (var e : tensors.entrySet()) {
            String module = moduleOf(e.getKey());
            if (module != null && modules.containsKey(module)) {
                modules.get(module).put(e.getKey().substring(module.length() + 1), e.getValue());
            }
        }
        return modules;
    }

    /** The module a weight tensor belongs to: {@code m.weight}, {@code m.weight.<state>}, {@code m.SCB}, ... */
    private static String moduleOf(String key) {
        for (String suffix : new String[] {".weight", SCB, ".weight_format"}) {
            if (key.endsWith(suffix)) {
                return key.substring(0, key.length() - suffix.length());
            }
        }
        int state = key.lastIndexOf(".weight."); // the quant state's keys contain no ".weight." of their own
        return state > 0 ? key.substring(0, state) : null;
    }

    /**
     * Loads module {@code module}'s weight through the first quantizer that recognises its parts.
     *
     * @param requested the settings the user asked for (e.g. the LLM.int8 threshold), or null
     */
    public static QuantizedTensor load(String module, Map<String, HostTensor> parts, List<QuantizerProvider> quantizers,
                                       QuantOptions requested, org.apache.arrow.memory.BufferAllocator allocator) {
        for (QuantizerProvider q : quantizers) {
            QuantizedTensor t = q.load(parts, requested, allocator);
            if (t != null) {
                return t;
            }
        }
        throw new IbexException("module " + module + " is stored quantized (" + String.join(", ", parts.keySet())
                + "), but no installed quantizer reads it; installed: "
                + quantizers.stream().flatMap(q -> q.formats().stream()).sorted().toList());
    }
}
