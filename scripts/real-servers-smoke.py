#!/usr/bin/env python3
"""Smoke checks of the real FTP servers started by scripts/real-servers.sh.

Reads the variables of DIR/servers.env from the environment. For each server: a plain login
with LIST, NLST, RETR (checked against the files on disk) and a STOR checked on disk; an
anonymous login with LIST; and FTPS through curl (--ssl-reqd, which resumes the TLS session on
data connections, as vsftpd and proftpd require), on TLS 1.2 and on TLS 1.3. Prints one line
per check and a closing "smoke: N passed, N failed" line; exits 1 if any check failed.
Only 127.0.0.1 is contacted; every socket has a timeout.
"""

import ftplib
import hashlib
import io
import os
import subprocess
import sys
import time

TIMEOUT = 20
SERVERS = ["VSFTPD", "PUREFTPD", "PROFTPD", "PYFTPDLIB"]

env = os.environ
results = []


def check(name, fn):
    start = time.monotonic()
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every failure is reported, none stops the run
        results.append(False)
        print(f"FAIL {name} ({time.monotonic() - start:.1f}s): {type(e).__name__}: {e}", flush=True)
    else:
        results.append(True)
        print(f"ok   {name} ({time.monotonic() - start:.1f}s)", flush=True)


def addr(server):
    host, port = env[f"FTP_{server}_ADDR"].rsplit(":", 1)
    assert host == "127.0.0.1", host
    return host, int(port)


def login(server, anonymous=False):
    host, port = addr(server)
    ftp = ftplib.FTP()
    # The samples include a Latin-1 file name (byte 0xE9) that three servers pass through raw;
    # Latin-1 decodes any byte, and the names checked here are ASCII.
    ftp.encoding = "latin-1"
    ftp.connect(host, port, timeout=TIMEOUT)
    if anonymous:
        ftp.login("anonymous", "smoke@example.invalid")
    else:
        ftp.login(env[f"FTP_{server}_USER"], env[f"FTP_{server}_PASSWORD"])
    return ftp


def sha256_of_retr(ftp, path):
    h = hashlib.sha256()
    ftp.retrbinary(f"RETR {path}", h.update, blocksize=1 << 20)
    return h.hexdigest()


def plain_session(server):
    home = env[f"FTP_{server}_HOME"]
    samples = env["FTP_SAMPLE_DIR"]
    with login(server) as ftp:
        lines = []
        ftp.retrlines(f"LIST {samples}", lines.append)
        assert any("plain.txt" in l for l in lines), lines
        names = [n.rsplit("/", 1)[-1] for n in ftp.nlst(samples)]
        assert "plain.txt" in names and "subdir" in names, names
        buf = io.BytesIO()
        ftp.retrbinary(f"RETR {samples}/plain.txt", buf.write)
        with open(os.path.join(home, samples, "plain.txt"), "rb") as f:
            assert buf.getvalue() == f.read()
        assert sha256_of_retr(ftp, env["FTP_SAMPLE_BIN"]) == env["FTP_SAMPLE_BIN_SHA256"]
        body = os.urandom(100_000)
        ftp.storbinary("STOR smoke-upload.bin", io.BytesIO(body))
        with open(os.path.join(home, "smoke-upload.bin"), "rb") as f:
            assert f.read() == body, "the uploaded file differs on disk"
        ftp.delete("smoke-upload.bin")
        assert not os.path.exists(os.path.join(home, "smoke-upload.bin"))
        reply = ftp.quit()
        assert reply.startswith("221"), reply


def anonymous_session(server):
    with login(server, anonymous=True) as ftp:
        names = [n.rsplit("/", 1)[-1] for n in ftp.nlst()]
        assert env["FTP_SAMPLE_BIN"] in names, names
        assert sha256_of_retr(ftp, env["FTP_SAMPLE_BIN"]) == env["FTP_SAMPLE_BIN_SHA256"]
        try:
            ftp.storbinary("STOR anon-upload.bin", io.BytesIO(b"x"))
        except ftplib.error_perm:
            pass
        else:
            raise AssertionError("anonymous upload was accepted")


def pure_virtual_user():
    host, port = addr("PUREFTPD")
    with ftplib.FTP() as ftp:
        ftp.connect(host, port, timeout=TIMEOUT)
        reply = ftp.login(env["FTP_PUREFTPD_VIRTUAL_USER"], env["FTP_PUREFTPD_VIRTUAL_PASSWORD"])
        assert reply.startswith("230"), reply
        assert ftp.pwd() == "/"


def curl_ftps(server, tls_flag):
    host, port = addr(server)
    user, password = env[f"FTP_{server}_USER"], env[f"FTP_{server}_PASSWORD"]
    url = f"ftp://{host}:{port}/{env['FTP_SAMPLE_BIN']}"
    out = subprocess.run(
        ["curl", "-sS", "--max-time", str(TIMEOUT), "--ssl-reqd", "--cacert", env["FTP_CA_FILE"],
         *tls_flag, "--user", f"{user}:{password}", "-w", "%{ssl_verify_result}", "-o", "-", url],
        capture_output=True, check=True, timeout=TIMEOUT + 5)
    data, verify = out.stdout[:-1], out.stdout[-1:]
    assert verify == b"0", f"certificate verification result {verify!r}"
    assert hashlib.sha256(data).hexdigest() == env["FTP_SAMPLE_BIN_SHA256"], "FTPS download differs"
    listing = subprocess.run(
        ["curl", "-sS", "--max-time", str(TIMEOUT), "--ssl-reqd", "--cacert", env["FTP_CA_FILE"],
         *tls_flag, "--user", f"{user}:{password}", "--list-only",
         f"ftp://{host}:{port}/{env['FTP_SAMPLE_DIR']}/"],
        capture_output=True, check=True, timeout=TIMEOUT + 5)
    assert b"plain.txt" in listing.stdout, listing.stdout


def main():
    for server in SERVERS:
        name = server.lower()
        check(f"{name}: login, LIST, NLST, RETR, STOR, DELE, QUIT", lambda: plain_session(server))
        check(f"{name}: anonymous NLST and RETR, STOR refused", lambda: anonymous_session(server))
        versions = env.get(f"FTP_{server}_TLS_VERSIONS", "1.2 1.3").split()
        if "1.2" in versions:
            check(f"{name}: FTPS (curl, TLS 1.2) RETR and LIST",
                  lambda: curl_ftps(server, ["--tlsv1.2", "--tls-max", "1.2"]))
        if "1.3" in versions:
            check(f"{name}: FTPS (curl, TLS 1.3) RETR and LIST",
                  lambda: curl_ftps(server, ["--tlsv1.3"]))
    check("pureftpd: pure-pw virtual user login", pure_virtual_user)
    passed = sum(results)
    failed = len(results) - passed
    print(f"smoke: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
