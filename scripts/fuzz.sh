#!/usr/bin/env bash
# Fuzzes the parsers that take input from outside (see Sources/BackstopFuzzTargets) with
# libFuzzer, each for a fixed time. What it learns is kept in fuzz/corpus/<target>/ (minimised
# at the end; commit it, the test suite replays it), and an input that crashes a parser or
# breaks an invariant is saved in fuzz/crashes/<target>/ and makes this script exit 1.
#   scripts/fuzz.sh [SECONDS-PER-TARGET (default 60)] [TARGET ...]
# Reproduce a saved crash with an ordinary build: swift run backstop-fuzz TARGET FILE
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh

seconds=${1:-60}
[ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(json timestamp observation-json agreement-json csv-import place-phrase)

# A build of its own: every Swift module instrumented for coverage, libFuzzer's main linked in.
flags=(-Xswiftc -sanitize=fuzzer -Xswiftc -DBACKSTOP_FUZZING -Xswiftc -use-ld=lld)
swift build --scratch-path .build-fuzz --product backstop-fuzz "${flags[@]}"
binary="$(swift build --scratch-path .build-fuzz --show-bin-path "${flags[@]}")/backstop-fuzz"

failed=0
for target in "${targets[@]}"; do
  corpus="fuzz/corpus/$target" crashes="fuzz/crashes/$target"
  mkdir -p "$corpus" "$crashes" "$corpus.new"
  echo "fuzz: $target for ${seconds}s (corpus: $(ls "$corpus" | wc -l) files)"
  if ! BACKSTOP_FUZZ_TARGET="$target" "$binary" "$corpus.new" "$corpus" -max_total_time="$seconds" -max_len=65536 \
      -timeout=10 -rss_limit_mb=4096 -artifact_prefix="$crashes/" -print_final_stats=1 2> "fuzz/$target.log"; then
    echo "fuzz: $target FAILED; input saved in $crashes/, log in fuzz/$target.log" >&2
    failed=1
  fi
  # Keep the smallest set of inputs that covers what the whole set covers.
  mkdir -p "$corpus.min"
  runs=$(grep -m1 -o "stat::number_of_executed_runs: *[0-9]*" "fuzz/$target.log" | grep -o "[0-9]*$" || echo "?")
  BACKSTOP_FUZZ_TARGET="$target" "$binary" -merge=1 "$corpus.min" "$corpus" "$corpus.new" 2> "fuzz/$target.merge.log" >/dev/null
  rm -rf "$corpus" "$corpus.new" && mv "$corpus.min" "$corpus"
  echo "fuzz: $target: $runs inputs run, corpus now $(ls "$corpus" | wc -l) files"
done
exit $failed
