package dev.ibex.api.tokenizer;

import dev.ibex.spi.IbexException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The BPE model of a tokenizer.json, merging exactly as the Rust {@code tokenizers} crate does: characters (or their
 * byte-fallback tokens, or a fused unknown token) become symbols, then the lowest-ranked adjacent pair is merged
 * first, leftmost on ties, until no pair has a merge. Immutable apart from its cache, so one instance serves all
 * threads.
 */
final class Bpe {
    /** SentencePiece's word-boundary character. */
    private static final char META = '\u2581';
    /** Words this long or longer are not cached, as in the Rust crate (which counts bytes). */
    private static final int MAX_CACHED_LENGTH = 256;
    static final int DEFAULT_CACHE_CAPACITY = 32_768;

    /** A merge: the pair (left, right) of ids, its rank (position in the merges list) and the id it makes. */
    record Merge(String left, String right) {
    }

    private final Map<String, Integer> vocab;
    private final String[] tokens;
    private final PairRanks ranks;
    private final int[] mergedId;
    /** The id of each single BMP character, for the common case of no prefix/suffix; -1 where absent. */
    private final int[] charIds;
    private final int[] byteFallbackIds;
    private final String unkToken;
    private final int unkId;
    private final boolean fuseUnk;
    private final String continuingSubwordPrefix;
    private final String endOfWordSuffix;
    private final boolean ignoreMerges;
    /**
     * Whether a word may be cut before every run of "▁" and each part merged on its own. Exact when no vocabulary
     * token has "▁" after another character, because then no merge can join across such a cut; it turns
     * SentencePiece-style input (a whole prompt is one BPE word) from one huge merge into cached per-word merges.
     */
    private final boolean cutAtMeta;
    private final Map<String, int[]> cache = new ConcurrentHashMap<>();
    private final int cacheCapacity;

    /**
     * @param vocab  token to id; kept as given, so the caller must not change it afterwards
     * @param merges in rank order
     * @param source the file, for messages
     */
    Bpe(Map<String, Integer> vocab, List<Merge> merges, String unkToken, boolean fuseUnk, boolean byteFallback,
        String continuingSubwordPrefix, String endOfWordSuffix, boolean ignoreMerges, int cacheCapacity, String source) {
        // Owned, not copied: the loader builds it for this model alone, and at 50k entries a copy costs real time.
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.unkId = unkToken == null ? -1 : vocab.getOrDefault(unkToken, -1);
        this.fuseUnk = fuseUnk;
        this.continuingSubwordPrefix = continuingSubwordPrefix == null || continuingSubwordPrefix.isEmpty()
                ? null : continuingSubwordPrefix;
        this.endOfWordSuffix = endOfWordSuffix == null || endOfWordSuffix.isEmpty() ? null : endOfWordSuffix;
        this.ignoreMerges = ignoreMerges;
        this.cacheCapacity = cacheCapacity;

        int maxId = -1;
        for (int id : vocab.values()) {
            if (id < 0) {
                throw new IbexException(source + ": vocabulary id " + id + " is negative");
            }
            maxId = Math.max(maxId, id);
        }
        tokens = new String[maxId + 1];
        vocab.forEach((token, id) -> tokens[id] = token);

        ranks = new PairRanks(merges.size());
        mergedId = new int[merges.size()];
        int prefixLength = this.continuingSubwordPrefix == null ? 0 : this.continuingSubwordPrefix.length();
        for (int rank = 0; rank < merges.size(); rank++) {
            Merge m = merges.get(rank);
            int a = idOf(m.left(), rank, source);
            int b = idOf(m.right(), rank, source);
            String right = m.right().length() >= prefixLength ? m.right().substring(prefixLength) : m.right();
            mergedId[rank] = idOf(m.left() + right, rank, source);
            // A later duplicate of a pair replaces the earlier one, as when Rust collects the merges into a map.
            ranks.put(a, b, rank);
        }

        charIds = new int[0x10000];
        Arrays.fill(charIds, -1);
        if (this.continuingSubwordPrefix == null && this.endOfWordSuffix == null) {
            vocab.forEach((token, id) -> {
                if (token.length() == 1) {
                    charIds[token.charAt(0)] = id;
                }
            });
        }
        if (byteFallback) {
            byteFallbackIds = new int[256];
            for (int b = 0; b < 256; b++) {
                byteFallbackIds[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);
            }
        } else {
            byteFallbackIds = null;
        }
        cutAtMeta = vocab.containsKey(String.valueOf(META)) && this.continuingSubwordPrefix == null
                && this.endOfWordSuffix == null && vocab.keySet().stream().noneMatch(Bpe::hasMetaAfterOtherChar);
    }

    private static boolean hasMetaAfterOtherChar(String token) {
        for (int i = 1; i < token.length(); i++) {
            if (token.charAt(i) == META && token.charAt(i - 1) != META) {
                return true;
            }
        }
        return false;
    }

    private int idOf(String token, int rank, String source) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IbexException(source + ": merge " + rank + " uses '" + token
                    + "', which is not in the vocabulary");
        }
        return id;
    }

    /** One more than the largest id in the model vocabulary (not counting added tokens). */
    int size() {
        return tokens.length;
    }

    /** The number of entries in the model vocabulary. */
    int count() {
        return vocab.size();
    }

    /** The token of an id, or null where the vocabulary has a hole or the id is out of range. */
    String token(int id) {
        return id >= 0 && id < tokens.length ? tokens[id] : null;
    }

    Integer id(String token) {
        return vocab.get(token);
    }

    /** Appends the ids of one pre-tokenized piece. */
    void tokenize(String piece, IntList out) {
        if (piece.isEmpty()) {
            return;
        }
        if (ignoreMerges) {
            Integer id = vocab.get(piece);
            if (id != null) {
                out.add(id);
                return;
            }
        }
        if (!cutAtMeta) {
            out.addAll(word(piece));
            return;
        }
        int start = 0;
        int n = piece.length();
        for (int i = 1; i < n; i++) {
            if (piece.charAt(i) == META && piece.charAt(i - 1) != META) {
                out.addAll(word(piece.substring(start, i)));
                start = i;
            }
        }
        out.addAll(word(start == 0 ? piece : piece.substring(start)));
    }

    private int[] word(String w) {
        if (w.length() >= MAX_CACHED_LENGTH) {
            return merge(w);
        }
        int[] ids = cache.get(w);
        if (ids == null) {
            ids = merge(w);
            if (cache.size() >= cacheCapacity) {
                // Bounded: start over rather than track recency; frequent words come back within a few lines.
                cache.clear();
            }
            cache.put(w, ids);
        }
        return ids;
    }

    /** Merges a piece as one word, without cutting or caching: what {@link #tokenize} must be equivalent to. */
    int[] mergeWhole(String piece) {
        return merge(piece);
    }

    /** Rust's {@code merge_word} followed by {@code merge_all}. */
    private int[] merge(String w) {
        int capacity = w.length() * 4 + 8
                + (continuingSubwordPrefix == null ? 0 : w.length() * continuingSubwordPrefix.length() * 3);
        Symbols symbols = new Symbols(capacity);
        int pendingUnk = -1;
        int n = w.length();
        for (int i = 0; i < n; ) {
            int end = i + Character.charCount(w.codePointAt(i));
            int id;
            String s = null;
            if (continuingSubwordPrefix == null && endOfWordSuffix == null && end == i + 1) {
                id = charIds[w.charAt(i)];
            } else {
                s = w.substring(i, end);
                if (i > 0 && continuingSubwordPrefix != null) {
                    s = continuingSubwordPrefix + s;
                }
                if (end == n && endOfWordSuffix != null) {
                    s = s + endOfWordSuffix;
                }
                id = vocab.getOrDefault(s, -1);
            }
            i = end;
            if (id >= 0) {
                if (pendingUnk >= 0) {
                    symbols.add(unkId);
                    pendingUnk = -1;
                }
                symbols.add(id);
                continue;
            }
            if (s == null) {
                s = w.substring(end - 1, end);
            }
            if (byteFallbackIds != null && addBytes(s, symbols)) {
                continue;
            }
            if (unkToken != null) {
                if (unkId < 0) {
                    throw new IbexException("unk_token '" + unkToken + "' is not in the vocabulary");
                }
                if (pendingUnk >= 0 && !fuseUnk) {
                    symbols.add(unkId);
                }
                pendingUnk = unkId;
            }
            // With neither byte fallback nor an unknown token the character is dropped, as the Rust crate does.
        }
        if (pendingUnk >= 0) {
            symbols.add(unkId);
        }
        return symbols.mergeAll(ranks, mergedId);
    }

    private boolean addBytes(String s, Symbols symbols) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteFallbackIds[b & 0xFF] < 0) {
                return false;
            }
        }
        for (byte b : bytes) {
            symbols.add(byteFallbackIds[b & 0xFF]);
        }
        return true;
    }

    /** (left id, right id) to merge rank, open addressing over primitive arrays: the merge loop's hot lookup. */
    static final class PairRanks {
        private final long[] keys;
        private final int[] values;
        private final int mask;

        PairRanks(int expected) {
            int capacity = Integer.highestOneBit(Math.max(4, expected * 2 - 1)) << 1;
            keys = new long[capacity];
            values = new int[capacity];
            Arrays.fill(keys, -1L);
            mask = capacity - 1;
        }

        private static long key(int a, int b) {
            return ((long) a << 32) | (b & 0xFFFFFFFFL);
        }

        private int slot(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32)) & mask;
        }

        void put(int a, int b, int rank) {
            long k = key(a, b);
            int i = slot(k);
            while (keys[i] != -1L && keys[i] != k) {
                i = (i + 1) & mask;
            }
            keys[i] = k;
            values[i] = rank;
        }

        /** The rank, or -1. */
        int get(int a, int b) {
            long k = key(a, b);
            for (int i = slot(k); ; i = (i + 1) & mask) {
                if (keys[i] == k) {
                    return values[i];
                }
                if (keys[i] == -1L) {
                    return -1;
                }
            }
        }
    }
}
