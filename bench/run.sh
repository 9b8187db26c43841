#!/usr/bin/env bash
# The benchmark: nhi-own against its own YAML layer and against a Python script.
#
#     bench/run.sh            # 1k, 10k, 100k and 1M identities (about 15 minutes on 2 cores)
#     bench/run.sh --quick    # without 1M
#     BENCH_SIZES="1000 5000" bench/run.sh
#
# Needs hyperfine, GNU time and PyYAML; installs them when missing (Debian's
# packages, PyPI). Registries are generated into target/bench-data (reused
# between runs). Prints a Markdown table of figures and ratios; the figures in
# BENCHMARKS.md come from one run of this script.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=(1000 10000 100000 1000000)
[[ "${1:-}" == "--quick" ]] && sizes=(1000 10000 100000)
[[ -n "${BENCH_SIZES:-}" ]] && read -r -a sizes <<<"$BENCH_SIZES"
now=2026-11-01
data=target/bench-data
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

cargo build --release --locked --quiet
cargo build --release --locked --quiet --example gen_registry
bin=target/release/nhi-own
gen=target/release/examples/gen_registry

runs_for() { # n -> hyperfine arguments
    case $1 in
        1000) echo "--warmup 5 --runs 40" ;;
        10000) echo "--warmup 2 --runs 15" ;;
        100000) echo "--warmup 1 --runs 5" ;;
        *) echo "--runs 2" ;;
    esac
}

measure() { # name n command...   (set ignore=-i for a command that exits 1 on findings)
    local name=$1 n=$2
    shift 2
    # shellcheck disable=SC2046
    hyperfine -N --style none ${ignore:-} $(runs_for "$n") --export-json "$results/$name.json" "$*" \
        2> >(grep -v -e 'Statistical outliers' -e '^ *$' >&2) >/dev/null
}

rss() { # name command... -> peak RSS in KiB
    local name=$1
    shift
    /usr/bin/time -f %M -o "$results/$name.rss" "$@" >/dev/null
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

python3 bench/summarize.py "$results" "$data" "${sizes[@]}"
