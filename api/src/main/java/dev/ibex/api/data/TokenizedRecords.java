package dev.ibex.api.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ibex.spi.chat.EncodedExample;

/**
 * Pre-tokenized records {@code {"input_ids": [...], "labels": [...], "attention_mask": [...]}}, labels and mask
 * optional. Lengths must agree, ids be non-negative, labels ids or -100, mask values 0 or 1, and at least one
 * label must be trained. Without labels, the ids are the labels except where the mask is 0.
 */
final class TokenizedRecords implements RecordReader {
    @Override
    public Example read(JsonNode record, String location) throws RecordProblem {
        JsonNode idsNode = record.get("input_ids");
        if (idsNode == null) {
            throw new RecordProblem(ProblemKind.MISSING_FIELD, "no \"input_ids\" field");
        }
        int[] ids = ints(idsNode, "input_ids");
        if (ids.length == 0) {
            throw new RecordProblem(ProblemKind.EMPTY_OUTPUT, "\"input_ids\" is empty");
        }
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0) {
                throw new RecordProblem(ProblemKind.INVALID_TOKENS, "input_ids[" + i + "] is negative (" + ids[i] + ")");
            }
        }
        int[] mask = optional(record, "attention_mask", ids.length);
        if (mask == null) {
            mask = new int[ids.length];
            java.util.Arrays.fill(mask, 1);
        }
        for (int i = 0; i < mask.length; i++) {
            if (mask[i] != 0 && mask[i] != 1) {
                throw new RecordProblem(ProblemKind.INVALID_TOKENS, "attention_mask[" + i + "] is " + mask[i]
                        + "; mask values are 0 or 1");
            }
        }
        int[] labels = optional(record, "labels", ids.length);
        if (labels == null) {
            labels = new int[ids.length];
            for (int i = 0; i < ids.length; i++) {
                labels[i] = mask[i] == 1 ? ids[i] : EncodedExample.IGNORE;
            }
        }
        boolean anyTrained = false;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 && labels[i] != EncodedExample.IGNORE) {
                throw new RecordProblem(ProblemKind.INVALID_TOKENS, "labels[" + i + "] is " + labels[i]
                        + "; labels are token ids or -100");
            }
            anyTrained |= labels[i] != EncodedExample.IGNORE;
        }
        if (!anyTrained) {
            throw new RecordProblem(ProblemKind.EMPTY_OUTPUT, "every label is -100");
        }
        return new TokenizedExample(ids, labels, mask, location);
    }

    /** An optional int array that must match the ids' length; null when absent or JSON null. */
    private static int[] optional(JsonNode record, String field, int length) throws RecordProblem {
        JsonNode node = record.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        int[] values = ints(node, field);
        if (values.length != length) {
            throw new RecordProblem(ProblemKind.INVALID_TOKENS, "\"" + field + "\" has " + values.length
                    + " values for " + length + " input_ids");
        }
        return values;
    }

    private static int[] ints(JsonNode node, String field) throws RecordProblem {
        if (!node.isArray()) {
            throw new RecordProblem(ProblemKind.WRONG_TYPE, "\"" + field + "\" must be an array of integers, not "
                    + Fields.type(node));
        }
        int[] out = new int[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToInt()) {
                throw new RecordProblem(ProblemKind.WRONG_TYPE, field + "[" + i + "] must be a 32-bit integer, not "
                        + (v.isNumber() ? v.asText() : Fields.type(v)));
            }
            out[i] = v.intValue();
        }
        return out;
    }
}
