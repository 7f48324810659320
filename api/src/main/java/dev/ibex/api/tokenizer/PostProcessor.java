package dev.ibex.api.tokenizer;

import java.util.List;

/**
 * The {@code post_processor} of a tokenizer.json, for a single sequence: adds the template's special tokens when asked
 * to, and otherwise leaves the ids alone. (Pairs of sequences are not part of Ibex's {@code Tokenizer}.)
 */
sealed interface PostProcessor {

    int[] process(int[] ids, boolean addSpecialTokens);

    /** A template such as {@code <s>:0 $A:0}: each item is either the sequence or the ids of a special token. */
    record Template(List<int[]> single) implements PostProcessor {
        /** Stands for the sequence in {@link #single}. */
        static final int[] SEQUENCE = new int[0];

        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            if (!addSpecialTokens) {
                return ids;
            }
            IntList out = new IntList(ids.length + 4);
            for (int[] item : single) {
                out.addAll(item == SEQUENCE ? ids : item);
            }
            return out.toArray();
        }
    }

    /** RoBERTa and BERT: {@code cls} before, {@code sep} after. */
    record Wrap(int cls, int sep) implements PostProcessor {
        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            if (!addSpecialTokens) {
                return ids;
            }
            int[] out = new int[ids.length + 2];
            out[0] = cls;
            System.arraycopy(ids, 0, out, 1, ids.length);
            out[ids.length + 1] = sep;
            return out;
        }
    }

    /** ByteLevel's post-processor only trims offsets; ids pass through. */
    record Identity() implements PostProcessor {
        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            return ids;
        }
    }

    record Sequence(List<PostProcessor> steps) implements PostProcessor {
        @Override
        public int[] process(int[] ids, boolean addSpecialTokens) {
            for (PostProcessor step : steps) {
                ids = step.process(ids, addSpecialTokens);
            }
            return ids;
        }
    }
}
