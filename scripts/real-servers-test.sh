#!/usr/bin/env bash
# Tests against real FTP servers (vsftpd, pure-ftpd, proftpd, pyftpdlib) on 127.0.0.1:
# installs them (idempotent), starts them in the background of this script, runs the checks
# with DIR/servers.env in the environment, and always stops every server by its pid.
#
# The checks: scripts/real-servers-smoke.py (login, LIST, NLST, RETR, STOR, anonymous, and
# FTPS with curl on TLS 1.2 and 1.3 for every server), `cargo test -p ftp-testkit --test
# real_servers -- --include-ignored` (the servers.env variables read through
# ftp_testkit::real, and rustls handshakes trusting the CA file), then, when the test target
# exists, `cargo test -p ftp-blocking --test real_servers -- --include-ignored`.
#
# Environment: FTP_RS_KEEP_SERVERS_DIR=1 keeps the servers' folder (configs, logs) after the
# run; everything scripts/real-servers.sh reads (FTP_RS_PORT_BASE, FTP_RS_PROFTPD_TLS_PROTOCOL,
# FTP_RS_VSFTPD_OPTS, ...) applies.
set -euo pipefail
cd "$(dirname "$0")/.."

servers=scripts/real-servers.sh
dir="$(mktemp -d "${TMPDIR:-/tmp}/ftp-rs-servers.XXXXXX")"
status=1

cleanup() {
  "$servers" stop "$dir" || true
  if [ "$status" != 0 ]; then
    echo "real-servers-test: failed; server logs:" >&2
    for f in "$dir"/*.log; do
      [ -f "$f" ] || continue
      echo "--- $f (last 20 lines)" >&2
      tail -n 20 "$f" >&2 || true
    done
  fi
  if [ "${FTP_RS_KEEP_SERVERS_DIR:-0}" = 1 ]; then
    echo "real-servers-test: kept $dir" >&2
  else
    rm -rf "$dir"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t0=$(date +%s)
"$servers" install
t1=$(date +%s)
echo "real-servers-test: install took $((t1 - t0))s"

# Ports: the servers use PORT_BASE .. PORT_BASE+79. When the default range is taken (another
# run on this machine), move to the first free range instead of failing.
port_range_free() {
  ! ss -Htln "( sport >= :$1 and sport <= :$(($1 + 79)) )" 2>/dev/null | grep -q .
}
if [ -z "${FTP_RS_PORT_BASE:-}" ] && command -v ss >/dev/null 2>&1; then
  for base in 21210 23210 25210 27210 29210 31210; do
    if port_range_free "$base"; then
      export FTP_RS_PORT_BASE=$base
      break
    fi
  done
  echo "real-servers-test: ports from ${FTP_RS_PORT_BASE:-21210}"
fi

"$servers" start "$dir"
t2=$(date +%s)
echo "real-servers-test: start took $((t2 - t1))s"

set -a
# shellcheck disable=SC1091
. "$dir/servers.env"
set +a

python3 scripts/real-servers-smoke.py
t3=$(date +%s)
echo "real-servers-test: smoke checks took $((t3 - t2))s"

cargo test -p ftp-testkit --test real_servers -- --include-ignored
t4=$(date +%s)
echo "real-servers-test: ftp-testkit real_servers tests took $((t4 - t3))s"
t3=$t4

if [ -f ftp-blocking/tests/real_servers.rs ]; then
  cargo test -p ftp-blocking --test real_servers -- --include-ignored
  echo "real-servers-test: cargo tests took $(($(date +%s) - t3))s"
else
  echo "real-servers-test: ftp-blocking/tests/real_servers.rs not there yet; smoke checks only"
fi
status=0
