#!/usr/bin/env bash
# Fuzz campaign over loader + audit + renderers (fuzz_targets/audit.rs).
#
#   fuzz/run.sh            # 30 minutes of `audit`
#   FUZZ_SECONDS=60 fuzz/run.sh
#
# Installs cargo-fuzz if missing and uses the nightly toolchain when there is
# one (stable with RUSTC_BOOTSTRAP=1 otherwise). The corpus is seeded with the
# example registries and, when present beside the checkout, the official
# yaml-test-suite. Crashes land in fuzz/artifacts/audit/; reproduce one with
# `cargo fuzz run audit fuzz/artifacts/audit/<file>` and keep it as a test in
# tests/fuzz_regressions.rs.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-1800}"
target="${1:-audit}"
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi
mkdir -p corpus/audit
for seed in ../examples/*.yaml ../examples/multi/*.yaml ../examples/multi/*/*.yaml; do
    cp "$seed" "corpus/audit/example-$(basename "$(dirname "$seed")")-$(basename "$seed")"
done
# Tags, merge keys, directives and look-alike ids, which the examples lack.
for seed in seeds/*.yaml ../tests/fuzz_regressions/*.yaml; do
    cp "$seed" "corpus/audit/seed-$(basename "$seed")"
done
suite=../../shared/data/yaml-test-suite
if [ -d "$suite" ]; then
    for case in "$suite"/*/in.yaml "$suite"/*/*/in.yaml; do
        [ -f "$case" ] || continue
        name=$(echo "${case#"$suite"/}" | tr '/' '-')
        cp "$case" "corpus/audit/suite-$name"
    done
else
    echo "note: $suite not found; seeding with the examples only" >&2
fi
"${fuzz[@]}" run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=16384 -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
