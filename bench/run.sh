#!/usr/bin/env bash
# The benchmark: nhi-own against its own YAML layer, a Python script and two
# peers doing the script's three checks (bench/peers/: a Rego policy run by
# regorus, a jq program run by yq).
#
#     bench/run.sh            # 1k, 10k, 100k and 1M identities (about 15 minutes on 2 cores)
#     bench/run.sh --quick    # without 1M
#     BENCH_SIZES="1000 5000" bench/run.sh
#
# Needs hyperfine, GNU time and PyYAML; installs them when missing (Debian's
# packages, PyPI), and the peers too (Debian's yq, regorus from crates.io),
# skipping a peer that cannot be installed. Registries are generated into
# target/bench-data ($CARGO_TARGET_DIR/bench-data when that is set; reused
# between runs). Prints a Markdown table of figures and ratios; the figures in
# BENCHMARKS.md come from one run of this script.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=(1000 10000 100000 1000000)
[[ "${1:-}" == "--quick" ]] && sizes=(1000 10000 100000)
[[ -n "${BENCH_SIZES:-}" ]] && read -r -a sizes <<<"$BENCH_SIZES"
now=2026-11-01
target=${CARGO_TARGET_DIR:-target}
data=$target/bench-data
results=$data/results
mkdir -p "$results"
rm -f "$results"/*.json "$results"/*.rss

install() {
    local sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >/dev/null
    "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
}
command -v hyperfine >/dev/null || install hyperfine
[[ -x /usr/bin/time ]] || install time
python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet pyyaml

# The peers: each is skipped, with a note, when it cannot be installed.
regorus_version=0.14.1
yq=yq
command -v yq >/dev/null || install yq || true
if ! command -v jq >/dev/null || [[ $(yq --help 2>&1) != *--yaml-output* ]]; then
    echo "note: no Debian yq (the jq wrapper) or no jq: the yq + jq peer is skipped" >&2
    yq=
fi
regorus=$(command -v regorus || echo "${CARGO_HOME:-$HOME/.cargo}/bin/regorus")
if [[ ! -x $regorus ]]; then
    echo "installing regorus $regorus_version (cargo install, several minutes)..." >&2
    cargo install --locked --quiet --version "$regorus_version" regorus --example regorus ||
        echo "note: cargo install regorus failed: the regorus peer is skipped" >&2
fi
[[ -x $regorus ]] || regorus=

cargo build --release --locked --quiet
cargo build --release --locked --quiet --example gen_registry
bin=$target/release/nhi-own
gen=$target/release/examples/gen_registry

runs_for() { # n -> hyperfine arguments
    case $1 in
        1000) echo "--warmup 5 --runs 40" ;;
        10000) echo "--warmup 2 --runs 15" ;;
        100000) echo "--warmup 1 --runs 5" ;;
        *) echo "--runs 2" ;;
    esac
}

measure() { # name n command...   (ignore=-i for a command that exits 1 on findings; runs=... to override)
    local name=$1 n=$2
    shift 2
    # shellcheck disable=SC2046
    hyperfine -N --style none ${ignore:-} ${runs:-$(runs_for "$n")} --export-json "$results/$name.json" "$*" \
        2> >(grep -v -e 'Statistical outliers' -e '^ *$' >&2) >/dev/null
}

rss() { # name command... -> peak RSS in KiB
    local name=$1
    shift
    /usr/bin/time -f %M -o "$results/$name.rss" "$@" >/dev/null
}

# The peers on one file: each must find what nhi-own finds before it is timed.
# A run of over 2 minutes is measured once (`--runs 1`).
peer() { # name n file command...
    local name=$1 n=$2 file=$3 start=$SECONDS
    shift 3
    if ! "$@" >"$results/$name-$n.out"; then
        echo "note: $name failed on $file: skipped" >&2
        return
    fi
    python3 bench/compare.py "$results/$name-$n.out" "$results/nhi-own-$n.out" "$name"
    if (( SECONDS - start > 120 )); then
        runs="--runs 1" measure "$name-file-$n" "$n" "$@"
    else
        measure "$name-file-$n" "$n" "$@"
    fi
    rss "$name-file-$n" "$@"
}

peers() { # n file
    local n=$1 file=$2
    if [[ -n $regorus ]]; then
        echo "{\"now\": \"$now\"}" >"$results/now.json"
        "$regorus" --version >"$results/peer-regorus.version"
        peer peer-regorus "$n" "$file" "$regorus" eval -d bench/peers/ownership.rego -d "$results/now.json" \
            -i "$file" data.nhi.ownership.report
    fi
    if [[ -n $yq ]]; then
        echo "yq $(dpkg-query -W -f '${Version}' yq 2>/dev/null || yq --version), $(jq --version)" \
            >"$results/peer-yq.version"
        peer peer-yq "$n" "$file" "$yq" --arg now "$now" -f bench/peers/ownership.jq "$file"
    fi
}

for n in "${sizes[@]}"; do
    file=$data/r$n.yaml
    dir=$data/d$n
    [[ -f $file ]] || $gen "$n" "$file"
    [[ -d $dir ]] || $gen "$n" "$dir" --files 16
    echo "measuring $n identities..." >&2
    audit=(audit --now $now --format json --fail-on never)
    measure "parse-file-$n" "$n" $bin audit --parse-only "$file"
    measure "audit-file-$n" "$n" $bin "${audit[@]}" "$file"
    measure "seq-file-$n" "$n" $bin "${audit[@]}" -j 1 "$file"
    measure "parse-dir-$n" "$n" $bin audit --parse-only "$dir"
    measure "audit-dir-$n" "$n" $bin "${audit[@]}" "$dir"
    measure "seq-dir-$n" "$n" $bin "${audit[@]}" -j 1 "$dir"
    rss "audit-file-$n" $bin "${audit[@]}" "$file"
    rss "audit-dir-$n" $bin "${audit[@]}" "$dir"
    if (( n <= 100000 )); then
        ignore=-i measure "python-file-$n" "$n" python3 bench/reference_audit.py "$file" --now $now
        rss "python-file-$n" python3 bench/reference_audit.py "$file" --now $now || true
        # Both tools must find the same problems before their times are compared
        # (nhi-own's suppressed findings count: the script ignores exceptions).
        python3 bench/reference_audit.py "$file" --now $now >"$results/python-$n.out" || true
        $bin "${audit[@]}" "$file" >"$results/nhi-own-$n.out"
        python3 bench/compare.py "$results/python-$n.out" "$results/nhi-own-$n.out"
        peers "$n" "$file"
    fi
done

# The other commands that read a registry, on the largest size up to 100k: each
# costs an audit and its own rendering.
commands_n=0
for n in "${sizes[@]}"; do (( n <= 100000 && n > commands_n )) && commands_n=$n; done
if (( commands_n > 0 )); then
    file=$data/r$commands_n.yaml
    echo "measuring the other commands on $commands_n identities..." >&2
    $bin audit --now $now "$file" --write-baseline "$results/baseline.json" 2>/dev/null
    measure "cmd-baseline" "$commands_n" $bin audit --now $now --format json --baseline "$results/baseline.json" "$file"
    measure "cmd-owners" "$commands_n" $bin owners --now $now --format json "$file"
    measure "cmd-forecast-json" "$commands_n" $bin forecast --now $now --within 90d --format json "$file"
    measure "cmd-forecast-ics" "$commands_n" $bin forecast --now $now --within 90d --format ics "$file"
    measure "cmd-evidence" "$commands_n" $bin evidence --now $now --force --output "$results/pack" "$file"
    rss "cmd-baseline" $bin audit --now $now --format json --baseline "$results/baseline.json" "$file"
    rss "cmd-owners" $bin owners --now $now --format json "$file"
    rss "cmd-forecast-json" $bin forecast --now $now --within 90d --format json "$file"
    rss "cmd-forecast-ics" $bin forecast --now $now --within 90d --format ics "$file"
    rss "cmd-evidence" $bin evidence --now $now --force --output "$results/pack" "$file"
    echo "$commands_n" >"$results/commands-n"

    # Reconcile: an N-row AWS credential report against N identities
    # (bench/gen_inventory.py: ~95% of users registered, ~2% of identities
    # absent from the report, some rotation drift, unused keys, console passwords).
    registry=$data/reconcile-r$commands_n.yaml
    inventory=$data/reconcile-i$commands_n.csv
    [[ -f $registry && -f $inventory ]] ||
        python3 bench/gen_inventory.py "$commands_n" "$registry" "$inventory"
    echo "measuring reconcile on $commands_n rows and identities..." >&2
    reconcile=(reconcile --now $now --format json --fail-on never --inventory "$inventory" "$registry")
    measure "cmd-reconcile" "$commands_n" $bin "${reconcile[@]}"
    rss "cmd-reconcile" $bin "${reconcile[@]}"
    $bin "${reconcile[@]}" >"$results/reconcile.out"
    echo "$commands_n" >"$results/reconcile-n"
fi

# Reference checks that once grew quadratically (each must stay well under 1 s).
for case in unknown-members big-team; do
    [[ -f $data/$case.yaml ]] || python3 bench/gen_references.py "$case" "$data/$case.yaml"
    ignore=-i measure "refs-$case" 10000 $bin audit --now $now --format json "$data/$case.yaml"
done

# The language server: from a change sent to the diagnostics of that version
# received (bench/lsp_latency.py), on 10,000 identities in one file and in 20.
lsp_n=10000
if [[ ! -f $data/lsp-$lsp_n/reg.yaml ]]; then
    mkdir -p "$data/lsp-$lsp_n"
    $gen $lsp_n "$data/lsp-$lsp_n/reg.yaml"
fi
[[ -d $data/lsp-$lsp_n-files ]] || $gen $lsp_n "$data/lsp-$lsp_n-files" --files 20
echo "measuring the language server on $lsp_n identities..." >&2
python3 bench/lsp_latency.py "$bin" "$data/lsp-$lsp_n/reg.yaml" 50 >"$results/lsp-one-file.json"
python3 bench/lsp_latency.py "$bin" "$data/lsp-$lsp_n-files/identities-010.yaml" 50 >"$results/lsp-files.json"

python3 bench/summarize.py "$results" "$data" "${sizes[@]}"
