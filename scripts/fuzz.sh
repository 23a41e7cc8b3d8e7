#!/usr/bin/env bash
# Runs the cargo-fuzz targets of fuzz/ for a given time each, from a seed corpus built from
# the transcript tests plus the committed seeds, with the FTP dictionary, and prints the
# executions and the coverage of each target.
#
#   scripts/fuzz.sh SECONDS [TARGET...]     # every target when none is named
#
# Environment: FUZZ_JOBS (default 1; libFuzzer -fork), FUZZ_SANITIZER (address or none,
# default address), CARGO_TARGET_DIR (default fuzz/target). Installs cargo-fuzz if missing.
# New inputs the fuzzer finds go to fuzz/corpus/TARGET/ (ignored by git except seed-*);
# crashes to fuzz/artifacts/TARGET/. Exit status: 0 when no target crashed.
set -euo pipefail

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
[[ $# -ge 1 && $1 =~ ^[0-9]+$ && $1 -gt 0 ]] || usage
seconds=$1
shift

root=$(cd "$(dirname "$0")/.." && pwd)
fuzz="$root/fuzz"
cd "$fuzz"

all_targets=$(sed -n 's/^name = "\(.*\)"$/\1/p' Cargo.toml | grep -v '^ftp-proto-fuzz$')
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
    read -r -a targets <<<"$(echo $all_targets)"
fi
for t in "${targets[@]}"; do
    grep -qx "$t" <<<"$all_targets" || { echo "fuzz.sh: unknown target $t (known: $(echo $all_targets))" >&2; exit 2; }
done

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh: installing cargo-fuzz" >&2
    cargo install cargo-fuzz --locked >&2
fi

# Seeds generated from the transcripts (the repository's copy, and ../shared/ when present).
seeds="${CARGO_TARGET_DIR:-$fuzz/target}/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds"
python3 "$root/scripts/fuzz_seeds.py" "$seeds" \
    "$root/ftp-proto/tests/data/transcripts" "$root/../shared/transcripts" \
    --scripts "$root/ftp-proto/tests/data/client" >&2

sanitizer=${FUZZ_SANITIZER:-address}
jobs=${FUZZ_JOBS:-1}
export RUSTC_BOOTSTRAP=1
echo "fuzz.sh: building ${targets[*]} (sanitizer: $sanitizer)" >&2
for t in "${targets[@]}"; do
    cargo fuzz build --sanitizer "$sanitizer" "$t" >&2
done
status=0
summary=()
for t in "${targets[@]}"; do
    mkdir -p "corpus/$t" "$seeds/$t"
    log="${CARGO_TARGET_DIR:-$fuzz/target}/fuzz-$t.log"
    echo "fuzz.sh: $t for ${seconds}s (log: $log)" >&2
    start=$(date +%s)
    fork=()
    [[ $jobs -gt 1 ]] && fork=(-fork="$jobs")
    if cargo fuzz run --sanitizer "$sanitizer" "$t" "corpus/$t" "$seeds/$t" -- \
        -dict=ftp.dict -max_total_time="$seconds" -print_final_stats=1 \
        -timeout=10 -rss_limit_mb=2048 "${fork[@]}" >"$log" 2>&1; then
        result=ok
    else
        result="CRASH (see $log and fuzz/artifacts/$t/)"
        status=1
    fi
    elapsed=$(( $(date +%s) - start ))
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    # The last status line ("#N ... cov: C ft: F corp: ...") gives the coverage.
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    [[ -n $execs ]] || execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$last")
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
    summary+=("$(printf '%-18s %12s %7s %7s %12s %6ss  %s' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$elapsed" "$result")")
done

printf '%-18s %12s %7s %7s %12s %7s  %s\n' target executions cov ft corpus time result
printf '%s\n' "${summary[@]}"
exit $status
