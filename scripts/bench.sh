#!/usr/bin/env bash
# The benchmark harness: ftp-rs side by side with curl, lftp, Python's ftplib, suppaftp and the
# raw TCP limit, in one invocation, written to BENCHMARKS.md.
#
#   scripts/bench.sh            the full run: 1 GiB each way (plain and PROT P), 1,000 files of
#                               4 KiB, 100,000-entry MLSD and LIST listings; 3 timed rounds
#                               (release builds; about 15 minutes on 2 shared cores)
#   scripts/bench.sh --quick    the smoke .ci/run runs: 32 MiB, 50 files, 2,000 entries,
#                               1 round, debug builds, report to $CARGO_TARGET_DIR/BENCHMARKS-quick.md
#
# Needs root (the servers' users and chroots). Installs what it needs (idempotent): curl, lftp,
# socat, python3, and the real servers through scripts/real-servers.sh install. Starts vsftpd
# (plain and FTPS; its sendfile keeps the server out of the way) and proftpd (MLSD) with their
# files on tmpfs (/dev/shm), on ports FTP_RS_BENCH_PORT_BASE (default 22210) and up, so that
# it does not collide with scripts/real-servers-test.sh, and with their own login users
# (FTP_RS_BENCH_USER_PREFIX, default ftprsb); stops them by pid on exit.
#
# Exits non-zero only when a run fails (a client's non-zero exit, wrong bytes or counts),
# never because of a timing. Environment: ROUNDS (timed rounds), BENCH_OUT (report path).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
QUICK=0
for a in "$@"; do
  case "$a" in
    --quick) QUICK=1 ;;
    *) echo "usage: $0 [--quick]" >&2; exit 2 ;;
  esac
done
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${TMPDIR:-/tmp}/ftp-rs-target}"
log() { echo "bench: $*" >&2; }

# ---- tools (idempotent)
need=()
for tool in curl lftp socat python3 wc sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  pkgs=()
  for t in "${need[@]}"; do
    case "$t" in wc | sha256sum) pkgs+=(coreutils) ;; *) pkgs+=("$t") ;; esac
  done
  apt-get install -y -q --no-install-recommends "${pkgs[@]}"
fi
scripts/real-servers.sh install

# ---- clients
if [ "$QUICK" = 1 ]; then
  cargo build -q -p ftp-cli -p ftp-bench
  BIN="$CARGO_TARGET_DIR/debug"
  OUT="${BENCH_OUT:-$CARGO_TARGET_DIR/BENCHMARKS-quick.md}"
  MODE=(--quick)
else
  cargo build -q --release -p ftp-cli -p ftp-bench
  BIN="$CARGO_TARGET_DIR/release"
  OUT="${BENCH_OUT:-$ROOT/BENCHMARKS.md}"
  MODE=()
fi

# ---- servers on tmpfs
export FTP_RS_PORT_BASE="${FTP_RS_BENCH_PORT_BASE:-22210}"
# Its own system users: a concurrent scripts/real-servers-test.sh would move shared ones' homes.
export FTP_RS_USER_PREFIX="${FTP_RS_BENCH_USER_PREFIX:-ftprsb}"
DIR=$(mktemp -d /dev/shm/ftp-rs-bench.XXXXXX)
stop() { scripts/real-servers.sh stop "$DIR" || true; rm -rf "$DIR"; }
trap stop EXIT
scripts/real-servers.sh start "$DIR"

cmd="scripts/bench.sh${1:+ $1}"
python3 scripts/bench.py run --env "$DIR/servers.env" --bin "$BIN" --work "$DIR/work" \
  --out "$OUT" --command "$cmd" ${ROUNDS:+--rounds "$ROUNDS"} "${MODE[@]}"
