#!/usr/bin/env bash
# Install, start and stop the real FTP servers the project tests against: vsftpd 3.0.3,
# pure-ftpd 1.0.50, proftpd 1.3.8 and pyftpdlib 2.x, on Debian 12, all on 127.0.0.1 only.
#
#   scripts/real-servers.sh install      idempotent; needs root (apt-get, pip)
#   scripts/real-servers.sh start DIR    config, users, TLS certificate and document roots
#                                        under DIR; starts the four servers in the background
#                                        and writes DIR/servers.env (source it in tests)
#   scripts/real-servers.sh stop DIR     stops each server by the pid recorded in DIR
#
# Facts behind every choice: shared/servers/README.md. vsftpd, pure-ftpd and proftpd-core
# conflict as Debian packages (each provides ftp-server), so vsftpd is installed with apt and
# the other two are unpacked with dpkg-deb into a cache folder (FTP_RS_SERVERS_CACHE, default
# ${XDG_CACHE_HOME:-$HOME/.cache}/ftp-rs-servers) and run from there.
#
# Ports (fixed, high, loopback only; override with FTP_RS_PORT_BASE, default 21210):
#   vsftpd    BASE+0   passive BASE+1..BASE+19   local (PAM) user ftprs-vsftpd
#   pure-ftpd BASE+20  passive BASE+21..BASE+39  system user ftprs-pure (-l unix), and the
#                                                 pure-pw virtual user ftprs-pure-virtual (its
#                                                 argon2 hash makes each login take about 3 s)
#   proftpd   BASE+40  passive BASE+41..BASE+59  system user ftprs-proftpd
#   pyftpdlib BASE+60  passive BASE+61..BASE+79  DummyAuthorizer user ftprs-py
# FTP_RS_USER_PREFIX (default ftprs) replaces "ftprs" in these user names. Every password is ftprs-pw. Every server also has an anonymous read-only login (user
# "anonymous"; vsftpd and pure-ftpd answer 230 at once, the others want a PASS) on one shared
# anonymous root. Each login user has its own writable, chrooted home. Every root holds the
# samples of shared/transcripts/README.md under listing-samples/ (plain.txt is 54 bytes, a
# UTF-8 name, a Latin-1 byte name, a space, an empty file, an old mtime, a subdir, a symlink)
# and sample.bin (1 MiB of random bytes; its SHA-256 is in servers.env).
#
# servers.env: FTP_SERVERS_DIR, FTP_CA_FILE, FTP_TLS_SERVER_NAME, FTP_ANON_USER,
# FTP_ANON_ROOT, FTP_SAMPLE_DIR, FTP_SAMPLE_BIN, FTP_SAMPLE_BIN_SIZE, FTP_SAMPLE_BIN_SHA256, and
# for S in VSFTPD PUREFTPD PROFTPD PYFTPDLIB: FTP_S_ADDR (127.0.0.1:PORT), FTP_S_PORT,
# FTP_S_PASV_PORTS, FTP_S_USER, FTP_S_PASSWORD, FTP_S_HOME (the user's home on disk, to check
# uploads), FTP_S_PID, FTP_S_TLS_VERSIONS ('1.2 1.3'), FTP_S_TLS_SESSION_REUSE_REQUIRED (1 for
# vsftpd and proftpd); plus FTP_PUREFTPD_VIRTUAL_USER/_PASSWORD.
#
# TLS: a throwaway CA (DIR/tls/ca.pem: FTP_CA_FILE, the file to trust) and a certificate it
# signed for localhost, 127.0.0.1 and ::1 that every server presents. TLS is optional
# on the control connection everywhere (AUTH TLS), and vsftpd and proftpd require the data
# connections under PROT P to resume the control connection's TLS session.
# TLS versions: vsftpd 3.0.3 offers TLS 1.2 and 1.3 (it cannot be restricted to 1.3: its
# ssl_tlsv1_1/ssl_tlsv1_2 keys are refused as unknown), so a client pins the version itself
# (rustls: builder_with_protocol_versions(&[&TLS12]) or &[&TLS13]). proftpd's versions come
# from FTP_RS_PROFTPD_TLS_PROTOCOL (default "TLSv1.2 TLSv1.3"; e.g. "TLSv1.2" for a
# 1.2-only run). The variables FTP_*_TLS_VERSIONS in servers.env say what each offers.
# TLS-required variants: FTP_RS_VSFTPD_OPTS="-oforce_local_logins_ssl=YES
# -oforce_local_data_ssl=YES" (any -oKEY=VALUE vsftpd override), FTP_RS_PUREFTPD_TLS=2 or 3
# (pure-ftpd -Y level; default 1, optional).
set -euo pipefail

PORT_BASE="${FTP_RS_PORT_BASE:-21210}"
CACHE="${FTP_RS_SERVERS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ftp-rs-servers}"
PASSWORD="ftprs-pw"
# Prefix of the login users' names. The system users are machine-wide: two runs that start
# servers at the same time (the tests and scripts/bench.sh) need different prefixes, or the
# second start moves the first one's home directories.
U="${FTP_RS_USER_PREFIX:-ftprs}"
PYTHON="${PYTHON:-python3}"
PROFTPD_TLS_PROTOCOL="${FTP_RS_PROFTPD_TLS_PROTOCOL:-TLSv1.2 TLSv1.3}"
# Libraries the unpacked pure-ftpd and proftpd need (apt does not see them: unpacked, not installed).
UNPACKED_LIBS="libsodium23 libhiredis0.14 libmemcached11 libmemcachedutil2 libpcre2-posix3 libwrap0"
UNPACKED_DEBS="pure-ftpd pure-ftpd-common proftpd-core proftpd-mod-crypto proftpd-mod-wrap"

log() { echo "real-servers: $*" >&2; }
die() { log "error: $*"; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root for: $*"; fi
}

pure_ftpd_bin() { echo "$CACHE/root/usr/sbin/pure-ftpd"; }
pure_pw_bin() { echo "$CACHE/root/usr/bin/pure-pw"; }
proftpd_bin() { echo "$CACHE/root/usr/sbin/proftpd"; }
proftpd_modules() { echo "$CACHE/proftpd-modules"; }

installed() {
  command -v vsftpd >/dev/null 2>&1 || [ -x /usr/sbin/vsftpd ] || return 1
  command -v openssl >/dev/null 2>&1 || return 1
  command -v curl >/dev/null 2>&1 || return 1
  [ -x "$(pure_ftpd_bin)" ] && [ -x "$(pure_pw_bin)" ] && [ -x "$(proftpd_bin)" ] || return 1
  [ -f "$(proftpd_modules)/mod_tls.so" ] || return 1
  for lib in $UNPACKED_LIBS; do dpkg -s "$lib" >/dev/null 2>&1 || return 1; done
  "$PYTHON" -c 'import pyftpdlib, OpenSSL' >/dev/null 2>&1 || return 1
}

cmd_install() {
  if installed; then log "install: everything already present (cache $CACHE)"; return 0; fi
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  # shellcheck disable=SC2086
  as_root apt-get install -y -q --no-install-recommends vsftpd openssl curl ca-certificates $UNPACKED_LIBS
  # Start the cache afresh so that an old package version never mixes with a new one.
  rm -rf "$CACHE/debs" "$CACHE/root" "$(proftpd_modules)"
  mkdir -p "$CACHE/debs" "$CACHE/root" "$(proftpd_modules)"
  (
    # apt-get download writes into the current folder (as root it notes that the download
    # is unsandboxed: harmless).
    cd "$CACHE/debs"
    # shellcheck disable=SC2086
    apt-get download -q $UNPACKED_DEBS
  )
  for deb in "$CACHE"/debs/*.deb; do dpkg-deb -x "$deb" "$CACHE/root"; done
  # proftpd loads modules from one ModulePath: gather proftpd-core's and proftpd-mod-crypto's.
  for d in "$CACHE/root/usr/lib/proftpd" "$CACHE"/root/usr/lib/*/proftpd; do
    if [ -d "$d" ]; then cp -f "$d"/*.so "$(proftpd_modules)/"; fi
  done
  [ -f "$(proftpd_modules)/mod_tls.so" ] || die "mod_tls.so not found in the unpacked proftpd packages"
  "$PYTHON" -m pip install -q --disable-pip-version-check pyftpdlib pyopenssl
  installed || die "install finished but something is still missing"
  log "install: done (cache $CACHE)"
}


# ---------------------------------------------------------------------------------- start

port_of() { # NAME -> control port
  case "$1" in
    vsftpd) echo $((PORT_BASE + 0)) ;;
    pureftpd) echo $((PORT_BASE + 20)) ;;
    proftpd) echo $((PORT_BASE + 40)) ;;
    pyftpdlib) echo $((PORT_BASE + 60)) ;;
    *) die "unknown server $1" ;;
  esac
}
pasv_low() { echo $(($(port_of "$1") + 1)); }
pasv_high() { echo $(($(port_of "$1") + 19)); }

# A system user with this home and the common password; reused (home updated) if present.
ensure_user() { # NAME HOME
  if id "$1" >/dev/null 2>&1; then
    usermod -d "$2" -s /bin/bash "$1"
  else
    useradd -M -d "$2" -s /bin/bash "$1"
  fi
  echo "$1:$PASSWORD" | chpasswd
}

# The sample tree of shared/transcripts/README.md under DIR: listing-samples/ and sample.bin.
make_samples() { # DIR
  local d="$1/listing-samples"
  mkdir -p "$d/subdir"
  printf 'First line listing-samples.\nSecond line of plain.txt.\n' >"$d/plain.txt"
  printf 'a name with spaces\n' >"$d/file with spaces.txt"
  printf 'UTF-8 name\n' >"$d/café.txt"
  printf 'Latin-1 name\n' >"$d/caf$(printf '\351').bin"
  : >"$d/empty.dat"
  printf 'dated 2025-06-15 08:30 UTC\n' >"$d/old-2025.txt"
  touch -d '2025-06-15 08:30:00 UTC' "$d/old-2025.txt"
  printf 'in a subdirectory\n' >"$d/subdir/inner.txt"
  ln -sfn plain.txt "$d/link-to-plain.txt"
  cp "$SAMPLE_BIN" "$1/sample.bin"
}

# Waits (at most 15 s) until the server on PORT sends a 220 line; shows LOG if it does not.
wait_for_greeting() { # NAME PORT LOG
  if "$PYTHON" - "$2" <<'PY'; then return 0; fi
import socket, sys, time
port = int(sys.argv[1])
deadline = time.monotonic() + 15
while True:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
            s.settimeout(5)
            data = b""
            while not data.endswith(b"\n") and len(data) < 4096:
                chunk = s.recv(4096)
                if not chunk:
                    break
                data += chunk
            if data.startswith(b"220"):
                sys.exit(0)
    except OSError:
        pass
    if time.monotonic() > deadline:
        sys.exit(1)
    time.sleep(0.1)
PY
  log "$1 sent no greeting on 127.0.0.1:$2 within 15 s; its log ($3):"
  cat "$3" >&2 || true
  return 1
}

record_pid() { echo "$1 $2" >>"$DIR/pids"; } # NAME PID

# Fails when something already listens on one of our control ports: a server left over from an
# earlier run would otherwise answer the readiness check in place of the new one.
check_ports_free() {
  local n port
  for n in vsftpd pureftpd proftpd pyftpdlib; do
    port=$(port_of "$n")
    if "$PYTHON" -c 'import socket, sys
s = socket.socket(); s.settimeout(2)
sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$port"; then
      die "127.0.0.1:$port ($n) is already in use (a server left from an earlier run? stop it, or set FTP_RS_PORT_BASE)"
    fi
  done
}

# Stops what started so far and fails.
start_failed() {
  cmd_stop "$DIR"
  die "start failed; logs are in $DIR"
}

cmd_start() {
  mkdir -p "$1"
  DIR="$(cd "$1" && pwd)"
  [ "$(id -u)" = 0 ] || die "start needs root (system users, chroot, PAM)"
  installed || die "run '$0 install' first"
  check_ports_free
  if [ -s "$DIR/pids" ]; then die "$DIR/pids is not empty: servers already started there? ('$0 stop $DIR')"; fi
  chmod 755 "$DIR"
  mkdir -p "$DIR/tls" "$DIR/empty" "$DIR/anon" "$DIR/home" "$DIR/pure"
  chmod 755 "$DIR/empty" "$DIR/anon" "$DIR/home"
  : >"$DIR/pids"

  # TLS: a throwaway CA (DIR/tls/ca.pem, the file clients trust) and a server certificate it
  # signed for localhost, 127.0.0.1 and ::1 (DIR/tls/cert.pem, key DIR/tls/key.pem). A single
  # self-signed certificate would do for curl and OpenSSL, but rustls (webpki) refuses a CA
  # certificate as a server's own (CaUsedAsEndEntity), and OpenSSL's req -x509 makes a CA one.
  local tls="$DIR/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 3650 \
    -subj "/CN=ftp-rs test CA" -addext basicConstraints=critical,CA:TRUE \
    -addext keyUsage=critical,keyCertSign,cRLSign >/dev/null 2>&1 ||
    die "openssl could not make the test CA"
  openssl req -newkey rsa:2048 -nodes -keyout "$tls/key.pem" -out "$tls/server.csr" \
    -subj /CN=localhost >/dev/null 2>&1 || die "openssl could not make the server key"
  printf '%s\n' 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' 'extendedKeyUsage=serverAuth' \
    'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1' >"$tls/server.ext"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" \
    -CAcreateserial -out "$tls/cert.pem" -days 3650 -extfile "$tls/server.ext" >/dev/null 2>&1 ||
    die "openssl could not sign the server certificate"
  # pure-ftpd wants certificate and key in one file.
  cat "$DIR/tls/cert.pem" "$DIR/tls/key.pem" >"$DIR/tls/combined.pem"
  chmod 600 "$DIR/tls/key.pem" "$DIR/tls/combined.pem"

  # Document roots: the anonymous root (shared by all four, read-only, root-owned as vsftpd
  # requires) and one writable home per server's login user, each with the same samples.
  SAMPLE_BIN="$DIR/tls/sample.bin.tmp"
  head -c 1048576 /dev/urandom >"$SAMPLE_BIN"
  local sample_sha name
  sample_sha=$(sha256sum "$SAMPLE_BIN" | cut -d' ' -f1)
  make_samples "$DIR/anon"
  for name in vsftpd pure proftpd py; do
    mkdir -p "$DIR/home/$name"
    make_samples "$DIR/home/$name"
    if [ "$name" != py ]; then # pyftpdlib's user is virtual (DummyAuthorizer)
      ensure_user "$U-$name" "$DIR/home/$name"
      chown -R "$U-$name:" "$DIR/home/$name"
    fi
  done
  rm -f "$SAMPLE_BIN"

  # pure-ftpd's anonymous root is the home of the system user ftp (made by the vsftpd
  # package); remember the old home so that stop can put it back.
  id ftp >/dev/null 2>&1 || useradd --system -M -d "$DIR/anon" -s /usr/sbin/nologin ftp
  getent passwd ftp | cut -d: -f6 >"$DIR/ftp-user-home.orig"
  usermod -d "$DIR/anon" ftp

  start_vsftpd
  start_pureftpd
  start_proftpd
  start_pyftpdlib
  write_env "$sample_sha"
  log "started vsftpd :$(port_of vsftpd), pure-ftpd :$(port_of pureftpd), proftpd :$(port_of proftpd), pyftpdlib :$(port_of pyftpdlib); env file $DIR/servers.env"
}

write_env() { # SAMPLE_SHA256
  local n up user home
  {
    echo "# Written by scripts/real-servers.sh start; stop with: scripts/real-servers.sh stop $DIR"
    echo "FTP_SERVERS_DIR=$DIR"
    echo "FTP_CA_FILE=$DIR/tls/ca.pem"
    echo "FTP_TLS_SERVER_NAME=localhost"
    echo "FTP_ANON_USER=anonymous"
    echo "FTP_ANON_ROOT=$DIR/anon"
    echo "FTP_SAMPLE_DIR=listing-samples"
    echo "FTP_SAMPLE_BIN=sample.bin"
    echo "FTP_SAMPLE_BIN_SIZE=1048576"
    echo "FTP_SAMPLE_BIN_SHA256=$1"
    for n in vsftpd pureftpd proftpd pyftpdlib; do
      up=$(echo "$n" | tr '[:lower:]' '[:upper:]')
      case $n in
        vsftpd) user=$U-vsftpd home=vsftpd ;;
        pureftpd) user=$U-pure home=pure ;;
        proftpd) user=$U-proftpd home=proftpd ;;
        pyftpdlib) user=$U-py home=py ;;
      esac
      echo "FTP_${up}_ADDR=127.0.0.1:$(port_of $n)"
      echo "FTP_${up}_PORT=$(port_of $n)"
      echo "FTP_${up}_PASV_PORTS=$(pasv_low $n)-$(pasv_high $n)"
      echo "FTP_${up}_USER=$user"
      echo "FTP_${up}_PASSWORD=$PASSWORD"
      echo "FTP_${up}_HOME=$DIR/home/$home"
      echo "FTP_${up}_PID=$(awk -v n=$n '$1 == n { print $2 }' "$DIR/pids")"
    done
    # pure-pw hashes with argon2 (libsodium): a login as the virtual user takes about 3 s, so
    # FTP_PUREFTPD_USER is the system user (-l unix, fast); the virtual user is here too.
    echo "FTP_PUREFTPD_VIRTUAL_USER=$U-pure-virtual"
    echo "FTP_PUREFTPD_VIRTUAL_PASSWORD=$PASSWORD"
    echo "FTP_VSFTPD_TLS_VERSIONS='1.2 1.3'"
    echo "FTP_VSFTPD_TLS_SESSION_REUSE_REQUIRED=1"
    echo "FTP_PUREFTPD_TLS_VERSIONS='1.2 1.3'"
    echo "FTP_PUREFTPD_TLS_SESSION_REUSE_REQUIRED=0"
    echo "FTP_PROFTPD_TLS_VERSIONS='${PROFTPD_TLS_PROTOCOL//TLSv/}'"
    echo "FTP_PROFTPD_TLS_SESSION_REUSE_REQUIRED=1"
    echo "FTP_PYFTPDLIB_TLS_VERSIONS='1.2 1.3'"
    echo "FTP_PYFTPDLIB_TLS_SESSION_REUSE_REQUIRED=0"
  } >"$DIR/servers.env"
}

start_vsftpd() {
  local conf="$DIR/vsftpd.conf" port low high
  port=$(port_of vsftpd)
  low=$(pasv_low vsftpd)
  high=$(pasv_high vsftpd)
  cat >"$conf" <<CONF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
secure_chroot_dir=$DIR/empty
seccomp_sandbox=NO
pasv_enable=YES
pasv_min_port=$low
pasv_max_port=$high
port_enable=YES
anonymous_enable=YES
no_anon_password=YES
anon_root=$DIR/anon
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=YES
allow_writeable_chroot=YES
utf8_filesystem=YES
xferlog_enable=NO
ssl_enable=YES
rsa_cert_file=$DIR/tls/cert.pem
rsa_private_key_file=$DIR/tls/key.pem
ssl_ciphers=HIGH
ssl_tlsv1=YES
ssl_sslv2=NO
ssl_sslv3=NO
allow_anon_ssl=YES
force_local_logins_ssl=NO
force_local_data_ssl=NO
force_anon_logins_ssl=NO
force_anon_data_ssl=NO
require_ssl_reuse=YES
CONF
  # vsftpd writes its start-up errors to standard input: point fd 0 at the log too.
  # FTP_RS_VSFTPD_OPTS adds -oKEY=VALUE overrides (e.g. -oforce_local_data_ssl=YES).
  # shellcheck disable=SC2086
  vsftpd "$conf" ${FTP_RS_VSFTPD_OPTS:-} >"$DIR/vsftpd.log" 2>&1 0>&1 &
  record_pid vsftpd $!
  wait_for_greeting vsftpd "$port" "$DIR/vsftpd.log" || start_failed
}

start_pureftpd() {
  local port low high pdb="$DIR/pure/pureftpd.pdb" passwd="$DIR/pure/pureftpd.passwd"
  port=$(port_of pureftpd)
  low=$(pasv_low pureftpd)
  high=$(pasv_high pureftpd)
  rm -f "$passwd" "$pdb"
  printf '%s\n%s\n' "$PASSWORD" "$PASSWORD" |
    "$(pure_pw_bin)" useradd "$U-pure-virtual" -u "$U-pure" -g "$(id -gn "$U-pure")" \
      -d "$DIR/home/pure" -f "$passwd" -m -F "$pdb" >/dev/null
  # -i anonymous read-only, -A chroot everyone, -H no DNS, -Y 1 TLS optional (2 or 3:
  # required), -2 certificate and key in one file, -f none no syslog, -g pid file.
  "$(pure_ftpd_bin)" -S "127.0.0.1,$port" -p "$low:$high" -l "puredb:$pdb" -l unix -i -A -H \
    -Y "${FTP_RS_PUREFTPD_TLS:-1}" -2 "$DIR/tls/combined.pem" -f none -g "$DIR/pure/pure-ftpd.pid" \
    >"$DIR/pure-ftpd.log" 2>&1 </dev/null &
  record_pid pureftpd $!
  wait_for_greeting pure-ftpd "$port" "$DIR/pure-ftpd.log" || start_failed
}

start_proftpd() {
  local conf="$DIR/proftpd.conf" port low high
  port=$(port_of proftpd)
  low=$(pasv_low proftpd)
  high=$(pasv_high proftpd)
  cat >"$conf" <<CONF
ServerName "ftp-rs test proftpd"
ServerType standalone
DefaultServer on
ModulePath $(proftpd_modules)
LoadModule mod_tls.c
DefaultAddress 127.0.0.1
SocketBindTight on
Port $port
PassivePorts $low $high
UseIPv6 off
UseReverseDNS off
PidFile $DIR/proftpd.pid
ScoreboardFile $DIR/proftpd.scoreboard
SystemLog $DIR/proftpd-system.log
TransferLog $DIR/proftpd-xfer.log
DelayEngine off
WtmpLog off
AuthPAM off
AuthOrder mod_auth_unix.c
RequireValidShell off
DefaultRoot ~
AllowOverwrite on
AllowStoreRestart on
User nobody
Group nogroup
Umask 022
MaxInstances 30
TLSEngine on
TLSLog $DIR/proftpd-tls.log
TLSProtocol $PROFTPD_TLS_PROTOCOL
TLSRequired off
TLSVerifyClient off
TLSRSACertificateFile $DIR/tls/cert.pem
TLSRSACertificateKeyFile $DIR/tls/key.pem
<Anonymous $DIR/anon>
  User ftp
  Group $(id -gn ftp)
  UserAlias anonymous ftp
  RequireValidShell off
  <Limit WRITE>
    DenyAll
  </Limit>
</Anonymous>
CONF
  "$(proftpd_bin)" -n -c "$conf" >"$DIR/proftpd.log" 2>&1 </dev/null &
  record_pid proftpd $!
  wait_for_greeting proftpd "$port" "$DIR/proftpd.log" || start_failed
}

start_pyftpdlib() {
  local port low high
  port=$(port_of pyftpdlib)
  low=$(pasv_low pyftpdlib)
  high=$(pasv_high pyftpdlib)
  cat >"$DIR/pyftpd.py" <<'PY'
import sys
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import TLS_FTPHandler
from pyftpdlib.servers import FTPServer

port, low, high, anon, home, user, password, cert, key = sys.argv[1:]
authorizer = DummyAuthorizer()
authorizer.add_anonymous(anon, perm="elr")
authorizer.add_user(user, password, home, perm="elradfmwMT")
handler = TLS_FTPHandler
handler.certfile = cert
handler.keyfile = key
handler.tls_control_required = False
handler.tls_data_required = False
handler.authorizer = authorizer
handler.passive_ports = range(int(low), int(high) + 1)
FTPServer(("127.0.0.1", int(port)), handler).serve_forever()
PY
  "$PYTHON" "$DIR/pyftpd.py" "$port" "$low" "$high" "$DIR/anon" "$DIR/home/py" "$U-py" \
    "$PASSWORD" "$DIR/tls/cert.pem" "$DIR/tls/key.pem" >"$DIR/pyftpdlib.log" 2>&1 </dev/null &
  record_pid pyftpdlib $!
  wait_for_greeting pyftpdlib "$port" "$DIR/pyftpdlib.log" || start_failed
}

# ----------------------------------------------------------------------------------- stop

# Whether PID still runs the program recorded as NAME (a recycled pid is left alone).
pid_is() { # PID NAME
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$1/cmdline" 2>/dev/null) || return 1
  case "$2" in
    vsftpd) [[ $cmdline == *vsftpd* ]] ;;
    pureftpd) [[ $cmdline == *pure-ftpd* ]] ;;
    proftpd) [[ $cmdline == *proftpd* ]] ;;
    pyftpdlib) [[ $cmdline == *pyftpd.py* ]] ;;
    *) return 1 ;;
  esac
}

cmd_stop() {
  local dir name pid
  dir="$(cd "$1" 2>/dev/null && pwd)" || { log "stop: no directory $1"; return 0; }
  [ -f "$dir/pids" ] || { log "stop: no $dir/pids, nothing to stop"; return 0; }
  while read -r name pid; do
    [ -n "$pid" ] || continue
    if pid_is "$pid" "$name"; then
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        pid_is "$pid" "$name" || break
        sleep 0.1
      done
      if pid_is "$pid" "$name"; then
        log "stop: $name (pid $pid) ignored TERM for 5 s; sending KILL"
        kill -KILL "$pid" 2>/dev/null || true
      fi
    fi
    # Reap it when it is a child of this shell (start and stop in one script).
    wait "$pid" 2>/dev/null || true
  done <"$dir/pids"
  : >"$dir/pids"
  if [ -s "$dir/ftp-user-home.orig" ]; then
    usermod -d "$(cat "$dir/ftp-user-home.orig")" ftp 2>/dev/null || true
    rm -f "$dir/ftp-user-home.orig"
  fi
  log "stopped the servers of $dir"
}

main() {
  local cmd="${1:-}"
  case "$cmd" in
    install) cmd_install ;;
    start)
      [ $# -eq 2 ] || die "usage: $0 start DIR"
      cmd_start "$2"
      ;;
    stop)
      [ $# -eq 2 ] || die "usage: $0 stop DIR"
      cmd_stop "$2"
      ;;
    *)
      echo "usage: $0 install | start DIR | stop DIR" >&2
      exit 2
      ;;
  esac
}

main "$@"
