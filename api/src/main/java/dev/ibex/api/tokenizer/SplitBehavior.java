package dev.ibex.api.tokenizer;

import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a splitting pre-tokenizer does with the delimiters it finds ({@code SplitDelimiterBehavior} in the Rust crate),
 * and the matching itself. Spans are kept as (start, end, isMatch) triples that cover the whole string, and each
 * behaviour folds them exactly as {@code NormalizedString::split} does, including its corner cases (two adjacent
 * delimiters merge under CONTIGUOUS but not under MERGED_WITH_PREVIOUS).
 */
enum SplitBehavior {
    REMOVED, ISOLATED, MERGED_WITH_PREVIOUS, MERGED_WITH_NEXT, CONTIGUOUS;

    /** Receives the pieces of a split; {@code first} says whether the piece starts the original text. */
    interface PieceSink {
        void piece(String text, boolean first);
    }

    /** Parses the tokenizer.json spelling ("Isolated", "MergedWithPrevious"…), or returns null. */
    static SplitBehavior parse(String name) {
        return switch (name) {
            case "Removed" -> REMOVED;
            case "Isolated" -> ISOLATED;
            case "MergedWithPrevious" -> MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> MERGED_WITH_NEXT;
            case "Contiguous" -> CONTIGUOUS;
            default -> null;
        };
    }

    /** Splits {@code s} on the matches of {@code regex} (non-overlapping, left to right). */
    void split(String s, Pattern regex, boolean invert, boolean first, PieceSink out) {
        if (s.isEmpty()) {
            return;
        }
        IntList spans = new IntList(16);
        Matcher m = regex.matcher(s);
        int prev = 0;
        while (m.find()) {
            if (prev != m.start()) {
                addSpan(spans, prev, m.start(), false);
            }
            addSpan(spans, m.start(), m.end(), true);
            prev = m.end();
        }
        if (prev != s.length()) {
            addSpan(spans, prev, s.length(), false);
        }
        apply(s, spans, invert, first, out);
    }

    /** Splits {@code s} on single characters that satisfy {@code delimiter}; each such character is one match. */
    void split(String s, IntPredicate delimiter, boolean first, PieceSink out) {
        if (s.isEmpty()) {
            return;
        }
        IntList spans = new IntList(16);
        int last = 0;
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            int end = i + Character.charCount(c);
            if (delimiter.test(c)) {
                if (last < i) {
                    addSpan(spans, last, i, false);
                }
                addSpan(spans, i, end, true);
                last = end;
            }
            i = end;
        }
        if (last < s.length()) {
            addSpan(spans, last, s.length(), false);
        }
        apply(s, spans, false, first, out);
    }

    private static void addSpan(IntList spans, int start, int end, boolean match) {
        spans.add(start);
        spans.add(end);
        spans.add(match ? 1 : 0);
    }

    private void apply(String s, IntList spans, boolean invert, boolean first, PieceSink out) {
        int n = spans.size() / 3;
        int[] start = new int[n];
        int[] end = new int[n];
        boolean[] match = new boolean[n];
        for (int i = 0; i < n; i++) {
            start[i] = spans.get(3 * i);
            end[i] = spans.get(3 * i + 1);
            match[i] = (spans.get(3 * i + 2) == 1) != invert;
        }
        // Kept spans, as (start, end) pairs, in order.
        int[] keptStart = new int[n];
        int[] keptEnd = new int[n];
        int kept = 0;
        switch (this) {
            case ISOLATED -> {
                System.arraycopy(start, 0, keptStart, 0, n);
                System.arraycopy(end, 0, keptEnd, 0, n);
                kept = n;
            }
            case REMOVED -> {
                for (int i = 0; i < n; i++) {
                    if (!match[i]) {
                        keptStart[kept] = start[i];
                        keptEnd[kept++] = end[i];
                    }
                }
            }
            case CONTIGUOUS -> {
                boolean previous = false;
                for (int i = 0; i < n; i++) {
                    if (match[i] == previous && kept > 0) {
                        keptEnd[kept - 1] = end[i];
                    } else {
                        keptStart[kept] = start[i];
                        keptEnd[kept++] = end[i];
                    }
                    previous = match[i];
                }
            }
            case MERGED_WITH_PREVIOUS -> {
                boolean previous = false;
                for (int i = 0; i < n; i++) {
                    if (match[i] && !previous && kept > 0) {
                        keptEnd[kept - 1] = end[i];
                    } else {
                        keptStart[kept] = start[i];
                        keptEnd[kept++] = end[i];
                    }
                    previous = match[i];
                }
            }
            case MERGED_WITH_NEXT -> {
                // Folded right to left: a delimiter joins the piece after it.
                boolean previous = false;
                for (int i = n - 1; i >= 0; i--) {
                    if (match[i] && !previous && kept > 0) {
                        keptStart[kept - 1] = start[i];
                    } else {
                        keptStart[kept] = start[i];
                        keptEnd[kept++] = end[i];
                    }
                    previous = match[i];
                }
                reverse(keptStart, kept);
                reverse(keptEnd, kept);
            }
        }
        for (int i = 0; i < kept; i++) {
            if (keptEnd[i] > keptStart[i]) {
                out.piece(s.substring(keptStart[i], keptEnd[i]), first && keptStart[i] == 0);
            }
        }
    }

    private static void reverse(int[] a, int n) {
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
