package dev.ibex.quant.nf4;

import dev.ibex.spi.IbexException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The scalar part of a bitsandbytes 4-bit quant state, stored as UTF-8 JSON in the U8 tensor
 * {@code <module>.weight.quant_state.bitsandbytes__<type>}. bitsandbytes writes it with Python's
 * {@code json.dumps}, keys in this order; this class writes the same text and reads any JSON object of these keys.
 *
 * @param quantType       {@code nf4} or {@code fp4}
 * @param blockSize       values per absmax block
 * @param dtype           the dtype the weight had, and dequantizes to ({@code bfloat16}, {@code float16}, {@code float32})
 * @param shape           the weight's shape
 * @param nested          whether the absmax values are quantized again (the fields below are meaningful only then)
 * @param nestedBlockSize absmax values per nested block (256)
 * @param nestedDtype     dtype of the nested absmax ({@code float32})
 * @param nestedOffset    the mean subtracted from the absmax values before quantizing them
 */
record QuantState(String quantType, int blockSize, String dtype, long[] shape, boolean nested, int nestedBlockSize,
                  String nestedDtype, float nestedOffset) {

    /** The JSON text as Python's {@code json.dumps} writes bitsandbytes' dict. */
    String toJson() {
        StringBuilder s = new StringBuilder("{\"quant_type\": \"").append(quantType).append("\", \"blocksize\": ")
                .append(blockSize).append(", \"dtype\": \"").append(dtype).append("\", \"shape\": [");
        for (int i = 0; i < shape.length; i++) {
            s.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        s.append(']');
        if (nested) {
            s.append(", \"nested_blocksize\": ").append(nestedBlockSize).append(", \"nested_dtype\": \"")
                    .append(nestedDtype).append("\", \"nested_offset\": ").append(pythonRepr(nestedOffset));
        }
        return s.append('}').toString();
    }

    /** Reads the JSON of a quant state; {@code where} names the tensor for messages. */
    static QuantState parse(String json, String where) {
        Object parsed;
        try {
            parsed = new Parser(json).document();
        } catch (RuntimeException e) {
            throw new IbexException(where + " does not hold a bitsandbytes quant state (JSON): " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new IbexException(where + " does not hold a JSON object");
        }
        String type = string(map, "quant_type", where);
        int blockSize = (int) number(map, "blocksize", where);
        String dtype = string(map, "dtype", where);
        if (!(map.get("shape") instanceof List<?> dims)) {
            throw new IbexException(where + ": quant state has no \"shape\" list");
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof BigDecimal d)) {
                throw new IbexException(where + ": quant state shape " + dims + " is not a list of numbers");
            }
            shape[i] = d.longValueExact();
        }
        boolean nested = map.containsKey("nested_blocksize") || map.containsKey("nested_offset");
        if (!nested) {
            return new QuantState(type, blockSize, dtype, shape, false, 0, null, 0f);
        }
        return new QuantState(type, blockSize, dtype, shape, true, (int) number(map, "nested_blocksize", where),
                string(map, "nested_dtype", where), (float) number(map, "nested_offset", where));
    }

    private static String string(Map<?, ?> map, String key, String where) {
        if (map.get(key) instanceof String s) {
            return s;
        }
        throw new IbexException(where + ": quant state has no string \"" + key + "\"");
    }

    private static double number(Map<?, ?> map, String key, String where) {
        if (map.get(key) instanceof BigDecimal d) {
            return d.doubleValue();
        }
        throw new IbexException(where + ": quant state has no number \"" + key + "\"");
    }

    /**
     * A float as Python prints the double bitsandbytes gets from {@code tensor.item()}: the shortest repr of that
     * double, with Python's exponent style ({@code 1e-05}, not {@code 1.0E-5}).
     */
    static String pythonRepr(float value) {
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("quant state offset " + value + " is not finite");
        }
        String sign = value < 0 || (value == 0 && 1 / value < 0) ? "-" : "";
        if (value == 0) {
            return sign + "0.0";
        }
        // Java's Double.toString gives the same shortest digits as Python's repr; only the layout differs.
        BigDecimal d = new BigDecimal(Double.toString(Math.abs((double) value))).stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int point = digits.length() - d.scale(); // value = 0.<digits> × 10^point
        if (point <= -4 || point > 16) {
            String mantissa = digits.length() == 1 ? digits : digits.charAt(0) + "." + digits.substring(1);
            int exponent = point - 1;
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
        }
        if (point <= 0) {
            return sign + "0." + "0".repeat(-point) + digits;
        }
        if (point >= digits.length()) {
            return sign + digits + "0".repeat(point - digits.length()) + ".0";
        }
        return sign + digits.substring(0, point) + "." + digits.substring(point);
    }

    /** A small JSON reader: objects, arrays, strings, numbers (as BigDecimal), true, false, null. */
    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        Object document() {
            Object v = value();
            skip();
            if (i != s.length()) {
                throw new IllegalArgumentException("unexpected text at offset " + i);
            }
            return v;
        }

        private Object value() {
            skip();
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            char c = s.charAt(i);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> out = new LinkedHashMap<>();
            i++;
            skip();
            if (peek() == '}') {
                i++;
                return out;
            }
            while (true) {
                skip();
                String key = string();
                skip();
                expect(':');
                out.put(key, value());
                skip();
                if (peek() == ',') {
                    i++;
                } else {
                    expect('}');
                    return out;
                }
            }
        }

        private List<Object> array() {
            List<Object> out = new ArrayList<>();
            i++;
            skip();
            if (peek() == ']') {
                i++;
                return out;
            }
            while (true) {
                out.add(value());
                skip();
                if (peek() == ',') {
                    i++;
                } else {
                    expect(']');
                    return out;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(i++);
                    switch (e) {
                        case 'n' -> b.append('\n');
                        case 't' -> b.append('\t');
                        case 'r' -> b.append('\r');
                        case 'b' -> b.append('\b');
                        case 'f' -> b.append('\f');
                        case 'u' -> {
                            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                            i += 4;
                        }
                        default -> b.append(e);
                    }
                } else {
                    b.append(c);
                }
            }
        }

        private BigDecimal number() {
            int start = i;
            while (i < s.length() && "+-0123456789.eE".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
            if (start == i) {
                throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "' at offset " + i);
            }
            return new BigDecimal(s.substring(start, i));
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, i)) {
                throw new IllegalArgumentException("unexpected text at offset " + i);
            }
            i += word.length();
            return value;
        }

        private char peek() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at offset " + i);
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
