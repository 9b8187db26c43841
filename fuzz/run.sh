#!/usr/bin/env bash
# Fuzz campaign over loader + audit + renderers (fuzz_targets/audit.rs), or
# over the language server's document-change path (fuzz_targets/lsp.rs).
#
#   fuzz/run.sh            # 30 minutes of `audit`
#   FUZZ_SECONDS=60 fuzz/run.sh
#   fuzz/run.sh lsp        # 30 minutes of `lsp`
#
# Installs cargo-fuzz if missing and uses the nightly toolchain when there is
# one (stable with RUSTC_BOOTSTRAP=1 otherwise). The corpus is seeded with the
# example registries and, when present beside the checkout, the official
# yaml-test-suite (each file is a starting document with no edits). Crashes
# land in fuzz/artifacts/<target>/; reproduce one with
# `cargo fuzz run <target> fuzz/artifacts/<target>/<file>` and keep it in
# tests/fuzz_regressions/ (replayed by tests/suite/fuzz_regressions.rs and
# tests/suite/lsp_changes.rs).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${FUZZ_SECONDS:-1800}"
target="${1:-audit}"
case "$target" in
    audit | lsp) ;;
    *)
        echo "unknown target \`$target\` (audit, lsp)" >&2
        exit 2
        ;;
esac
command -v cargo-fuzz >/dev/null 2>&1 || cargo install --locked cargo-fuzz
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    fuzz=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    fuzz=(cargo fuzz)
fi
mkdir -p "corpus/$target"
for seed in ../examples/*.yaml ../examples/multi/*.yaml ../examples/multi/*/*.yaml; do
    cp "$seed" "corpus/$target/example-$(basename "$(dirname "$seed")")-$(basename "$seed")"
done
# Tags, merge keys, directives and look-alike ids, which the examples lack.
for seed in seeds/*.yaml ../tests/fuzz_regressions/*.yaml; do
    cp "$seed" "corpus/$target/seed-$(basename "$seed")"
done
if [ "$target" = lsp ]; then
    # Edit sequences on the built-in starting documents (`lsp_oracle.rs`):
    # a seed's index, then edits of six bytes and their text.
    for i in 0 1 2 3 4 5 6 7; do
        printf "\x0$i\x00\x03\x05\x03\x09\x03: [\x0c\x90\xff\x00\x00\x02\x01\xf1\x02\x41\x00\x03x\xf0" \
            >"corpus/lsp/edits-$i"
    done
fi
suite=../../shared/data/yaml-test-suite
if [ -d "$suite" ]; then
    for case in "$suite"/*/in.yaml "$suite"/*/*/in.yaml; do
        [ -f "$case" ] || continue
        name=$(echo "${case#"$suite"/}" | tr '/' '-')
        cp "$case" "corpus/$target/suite-$name"
    done
else
    echo "note: $suite not found; seeding with the examples only" >&2
fi
"${fuzz[@]}" run "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len=16384 -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
