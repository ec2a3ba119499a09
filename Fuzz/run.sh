#!/usr/bin/env bash
# Builds and runs one libFuzzer target for a given time, seeded from the
# corpus in Fuzz/Corpus/TARGET (and the test inputs). Crashes land in
# Fuzz/Crashes/TARGET; each one found must become a regression test.
#
#   Fuzz/run.sh TARGET [SECONDS]     TARGET: def | safetensors | npy | image | plan
#   Fuzz/run.sh all [SECONDS]        every target in turn
#
# Each target is compiled as one module from the library's sources plus its
# entry point, with -sanitize=fuzzer,address.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${2:-60}
build=.build-fuzz
mkdir -p "$build"

sources_for() {
    case "$1" in
        def|safetensors|npy|image) echo Sources/GraphIR/*.swift ;;
        plan) find Sources/Runtime -name '*.swift' | sort | tr '\n' ' ' ;;
        *) echo "unknown target '$1' (def, safetensors, npy, image, plan)" >&2; exit 2 ;;
    esac
}

run_target() {
    local target=$1
    local binary=$build/fuzz-$target
    # shellcheck disable=SC2046
    swiftc -sanitize=fuzzer,address -parse-as-library -O -target-cpu haswell -module-name Fuzz$target \
        $(sources_for "$target") "Fuzz/Targets/$target.swift" -o "$binary" 2> >(grep -v 'Cannot export local symbol' >&2)
    mkdir -p "Fuzz/Corpus/$target" "Fuzz/Crashes/$target" "$build/corpus-$target"
    "$binary" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
        -artifact_prefix="Fuzz/Crashes/$target/" -print_final_stats=1 \
        "$build/corpus-$target" "Fuzz/Corpus/$target"
}

if [ "$1" = all ]; then
    for t in def safetensors npy image plan; do run_target "$t"; done
else
    run_target "$1"
fi
