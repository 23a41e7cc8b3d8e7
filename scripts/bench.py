#!/usr/bin/env python3
"""The benchmark harness behind scripts/bench.sh (run that: it installs the tools, starts the
servers and builds the clients, then calls this).

    bench.py run --env SERVERS_ENV --bin DIR --work DIR --out BENCHMARKS.md [--quick]
    bench.py ftplib OP HOST PORT USER PASSWORD [--sha256] ARGS...   (a client, see ftplib_client)

`run` prepares the files (on tmpfs), then runs every case of every workload once per round,
the cases interleaved so that all see the same machine load, each as its own process:
whole-process wall time (connect, login and QUIT included), user+sys CPU seconds and peak RSS
from wait4() of that process (for a pipeline, of the FTP client, not of the consumer). A first,
untimed round checks every case's bytes with SHA-256 (pipes and /dev/null become a pipe into
sha256sum for it). Every timed run checks its byte, file or entry count where the client can
say it. Exit status 1 only when a run fails (non-zero exit, wrong bytes); never on a timing.
"""

import ftplib
import hashlib
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

MIB = 1 << 20
# A run that takes longer than this has hung: it is killed and counts as failed.
RUN_TIMEOUT = 600


# ------------------------------------------------------------------------ the ftplib client

def ftplib_client(argv):
    sha = "--sha256" in argv
    argv = [a for a in argv if a != "--sha256"]
    op, host, port, user, password, *rest = argv
    ftp = ftplib.FTP()
    ftp.connect(host, int(port), timeout=60)
    ftp.login(user, password)
    if op == "get":  # get REMOTE BLOCK
        h = hashlib.sha256() if sha else None
        n = 0

        def take(chunk):
            nonlocal n
            n += len(chunk)
            if h:
                h.update(chunk)

        ftp.retrbinary("RETR " + rest[0], take, blocksize=int(rest[1]))
        print(f"bytes={n}")
        if h:
            print(f"sha256={h.hexdigest()}")
    elif op == "put":  # put LOCAL REMOTE BLOCK
        with open(rest[0], "rb") as f:
            ftp.storbinary("STOR " + rest[1], f, blocksize=int(rest[2]))
        print(f"bytes={os.path.getsize(rest[0])}")
    elif op == "many":  # many DIR COUNT LOCALDIR
        for i in range(1, int(rest[1]) + 1):
            name = f"f{i:04}.bin"
            with open(os.path.join(rest[2], name), "wb") as f:
                ftp.retrbinary(f"RETR {rest[0]}/{name}", f.write)
        print(f"files={rest[1]}")
    elif op == "mlsd":  # mlsd DIR: (name, facts) pairs, ftplib's parsed form
        n = sum(1 for _ in ftp.mlsd(rest[0]))
        print(f"entries={n}")
    elif op == "list":  # list DIR: ftplib has no LIST parser; the lines, counted
        n = 0

        def line(_):
            nonlocal n
            n += 1

        ftp.retrlines("LIST " + rest[0], line)
        print(f"entries={n}")
    else:
        raise SystemExit(f"unknown ftplib op {op}")
    ftp.quit()


# ------------------------------------------------------------------------------ the harness

def load_env(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                env[k] = v.strip("'")
    return env


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(MIB)
            if not b:
                return h.hexdigest()
            h.update(b)


def listening(port):
    """Whether something listens on 127.0.0.1:port (from /proc/net/tcp, without connecting)."""
    want = f"0100007F:{port:04X}"
    with open("/proc/net/tcp") as f:
        return any(l.split()[1] == want and l.split()[3] == "0A" for l in f.readlines()[1:])


class Failed(Exception):
    pass


class Case:
    """One way to do one workload: a command, where its output goes, and how to check it."""

    def __init__(self, workload, client, path, cmd, sink="self", count=None, check=None,
                 setup=None, after=None, sha=None, sha_cmd=None):
        self.workload, self.client, self.path = workload, client, path
        self.cmd = cmd            # argv list
        self.sink = sink          # self | devnull | pipe (into wc -c)
        self.count = count        # key=value the client prints (bytes/files/entries) and its value
        self.check = check        # callable() -> None or raises Failed, after each run
        self.setup = setup        # callable() before each run (untimed)
        self.after = after        # callable(proc_rc) after the client exits (timed: e.g. raw server)
        self.sha = sha            # (expected_sha, callable() -> actual_sha) for the verify round
        self.sha_cmd = sha_cmd    # argv for the verify round, when it differs (adds --sha256)
        self.times, self.cpu, self.rss = [], [], []

    @property
    def name(self):
        return f"{self.client}: {self.path}"

    def shell(self):
        c = " ".join(shlex.quote(a) for a in self.cmd)
        if self.sink == "devnull":
            c += " >/dev/null"
        elif self.sink == "pipe":
            c += " | wc -c"
        return c


def run_case(case, verify=False):
    if case.setup:
        case.setup()
    cmd = case.sha_cmd if (verify and case.sha_cmd) else case.cmd
    sink = case.sink
    if verify and sink in ("devnull", "pipe") and case.sha and case.sha[1] == "stdout":
        sink = "sha"
    devnull = open(os.devnull, "wb")
    # Files, not pipes, for what the harness reads back: a chatty client never blocks on them.
    errf = tempfile.TemporaryFile()
    outf = tempfile.TemporaryFile()
    # Peak RSS through GNU time: wait4() straight from this Python process would report at
    # least the interpreter's own RSS (Linux carries the forking process's high-water mark
    # over exec). time(1) itself adds about 1 MiB there.
    rssf = tempfile.NamedTemporaryFile(prefix="bench-rss-")
    cmd = ["/usr/bin/time", "-f", "%M", "-o", rssf.name] + list(cmd)
    t0 = time.perf_counter()
    if sink in ("pipe", "sha"):
        prod = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf, start_new_session=True)
        cons = subprocess.Popen(["wc", "-c"] if sink == "pipe" else ["sha256sum"],
                                stdin=prod.stdout, stdout=outf)
        prod.stdout.close()
    else:
        prod = subprocess.Popen(cmd, stdout=devnull if sink == "devnull" else outf, stderr=errf,
                                start_new_session=True)
        cons = None
    deadline = time.monotonic() + RUN_TIMEOUT
    while True:
        pid, status, ru = os.wait4(prod.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.killpg(prod.pid, signal.SIGKILL)  # time(1) and the client under it
            os.wait4(prod.pid, 0)
            if cons:
                cons.kill()
                cons.wait()
            raise Failed(f"{case.name}: no end after {RUN_TIMEOUT} s (killed)\n  command: {case.shell()}")
        time.sleep(0.001)
    prod.returncode = os.waitstatus_to_exitcode(status)
    if cons and cons.wait(timeout=RUN_TIMEOUT) != 0:
        raise Failed(f"{case.name}: the consumer failed")
    errf.seek(0)
    err = errf.read().decode(errors="replace")
    outf.seek(0)
    printed = outf.read().decode(errors="replace")
    if case.after:
        case.after(prod.returncode)
    elapsed = time.perf_counter() - t0
    devnull.close()
    if prod.returncode != 0:
        raise Failed(f"{case.name}: exit {prod.returncode}: {err.strip()[-800:]}\n  command: {case.shell()}")
    if case.count and sink in ("self", "pipe"):
        key, want = case.count
        if sink == "pipe":
            got = int(printed.split()[0])
        else:
            vals = dict(l.split("=", 1) for l in printed.split() if "=" in l)
            if key not in vals:
                raise Failed(f"{case.name}: printed no {key}= ({printed!r})")
            got = int(vals[key])
        if (key == "entries" and got < want) or (key != "entries" and got != want):
            raise Failed(f"{case.name}: {key} {got}, expected {want}")
    if case.check:
        case.check()
    if verify and case.sha:
        want, how = case.sha
        if how == "stdout":
            if sink == "sha":
                got = printed.split()[0]
            else:
                vals = dict(l.split("=", 1) for l in printed.split() if "=" in l)
                got = vals.get("sha256")
        else:
            got = how()
        if got != want:
            raise Failed(f"{case.name}: SHA-256 {got}, expected {want}")
    rssf.seek(0)
    maxrss = int(rssf.read().split()[-1])
    return elapsed, ru.ru_utime + ru.ru_stime, maxrss


def run(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="bench.py run")
    ap.add_argument("--env", required=True)
    ap.add_argument("--bin", required=True, help="folder holding ftp-cli and ftp-bench")
    ap.add_argument("--work", required=True, help="scratch folder on tmpfs")
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--command", default="scripts/bench.sh")
    a = ap.parse_args(argv)
    env = load_env(a.env)
    quick = a.quick
    rounds = a.rounds or (1 if quick else 3)
    big_mib = 32 if quick else 1024
    small_n = 50 if quick else 1000
    list_n = 2000 if quick else 100_000
    size = big_mib * MIB
    work = a.work
    os.makedirs(work, exist_ok=True)
    cli = os.path.join(a.bin, "ftp-cli")
    fb = os.path.join(a.bin, "ftp-bench")
    me = os.path.abspath(__file__)
    py = sys.executable
    host = "127.0.0.1"
    vs = dict(port=env["FTP_VSFTPD_PORT"], user=env["FTP_VSFTPD_USER"],
              pw=env["FTP_VSFTPD_PASSWORD"], home=env["FTP_VSFTPD_HOME"])
    pro = dict(port=env["FTP_PROFTPD_PORT"], user=env["FTP_PROFTPD_USER"],
               pw=env["FTP_PROFTPD_PASSWORD"], home=env["FTP_PROFTPD_HOME"])
    ca = env["FTP_CA_FILE"]

    # ---- files: a random big file, small files, listing folders (all on tmpfs)
    def chown(path, user):
        subprocess.run(["chown", "-R", f"{user}:", path], check=True)

    big = os.path.join(vs["home"], "big.bin")
    if not os.path.exists(big) or os.path.getsize(big) != size:
        with open(big, "wb") as f:
            for _ in range(big_mib):
                f.write(os.urandom(MIB))
    src = os.path.join(work, "up-src.bin")
    shutil.copyfile(big, src)
    big_sha = sha256_file(big)
    small_dir = os.path.join(vs["home"], "small")
    os.makedirs(small_dir, exist_ok=True)
    for i in range(1, small_n + 1):
        p = os.path.join(small_dir, f"f{i:04}.bin")
        if not os.path.exists(p):
            with open(p, "wb") as f:
                f.write(os.urandom(4096))
    for home in (vs["home"], pro["home"]):
        d = os.path.join(home, "list")
        if not os.path.isdir(d) or len(os.listdir(d)) != list_n:
            shutil.rmtree(d, ignore_errors=True)
            os.makedirs(d)
            for i in range(list_n):
                with open(os.path.join(d, f"entry-{i:06}.dat"), "wb") as f:
                    f.truncate(i % 100_000)
    chown(vs["home"], vs["user"])
    chown(pro["home"], pro["user"])
    out_file = os.path.join(work, "out.bin")
    up_remote = os.path.join(vs["home"], "up.bin")
    mirror_dir = os.path.join(work, "mirror")

    def rm_out():
        for p in (out_file, up_remote):
            if os.path.exists(p):
                os.remove(p)
        shutil.rmtree(mirror_dir, ignore_errors=True)
        os.makedirs(mirror_dir)

    def file_ok(path, want=size):
        def check():
            got = os.path.getsize(path) if os.path.exists(path) else -1
            if got != want:
                raise Failed(f"{path} holds {got} bytes, expected {want}")
        return check

    def small_ok(sub=""):
        def check():
            d = os.path.join(mirror_dir, sub)
            names = sorted(n for n in os.listdir(d) if n.endswith(".bin")) if os.path.isdir(d) else []
            if len(names) != small_n or any(os.path.getsize(os.path.join(d, n)) != 4096 for n in names):
                raise Failed(f"{d}: {len(names)} files of 4096 bytes, expected {small_n}")
        return check

    def url(s, path="", scheme="ftp"):
        return f"{scheme}://{s['user']}:{s['pw']}@{host}:{s['port']}/{path}"

    V = [host, vs["port"], vs["user"], vs["pw"]]
    P = [host, pro["port"], pro["user"], pro["pw"]]
    # lftp retries failures forever by default: once, quickly, here.
    lftp_common = ("set xfer:clobber on; set cmd:fail-exit yes; set net:max-retries 1; "
                   "set net:reconnect-interval-base 1; set net:timeout 60")
    lftp_plain = "set ftp:ssl-allow no; " + lftp_common
    lftp_tls = (f"set ftp:ssl-force yes; set ftp:ssl-protect-data yes; set ssl:ca-file {ca}; "
                + lftp_common)

    def lftp(s, script, tls=False):
        return ["lftp", "-c", f"{lftp_tls if tls else lftp_plain}; open -u {s['user']},{s['pw']} "
                f"-p {s['port']} {host}; {script}"]

    raw_port = int(vs["port"]) + 90
    raw = {}

    def raw_server(args):
        def setup():
            rm_out()
            raw["p"] = subprocess.Popen(["socat", "-u", "-b", str(MIB)] + args,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            deadline = time.monotonic() + 10
            while not listening(raw_port):
                if time.monotonic() > deadline or raw["p"].poll() is not None:
                    raise Failed("socat did not start listening")
                time.sleep(0.01)

        def after(_rc):
            if raw["p"].wait(timeout=120) != 0:
                raise Failed("the raw socat server failed")
        return setup, after

    sha_out = (big_sha, lambda: sha256_file(out_file))
    sha_up = (big_sha, lambda: sha256_file(up_remote))
    sha_stdout = (big_sha, "stdout")
    cases = []
    add = cases.append
    B = ("bytes", size)

    # ---- download, plain: raw limit, curl, ftp-cli, the library, lftp, ftplib, suppaftp
    W = "download"
    s_up, s_after = raw_server([f"OPEN:{big}", f"TCP-LISTEN:{raw_port},bind=127.0.0.1,reuseaddr"])
    add(Case(W, "raw TCP", "socat -b 1048576 to /dev/null",
             ["socat", "-u", "-b", str(MIB), f"TCP:127.0.0.1:{raw_port}", "STDOUT"],
             sink="devnull", setup=s_up, after=s_after, sha=sha_stdout))
    for sink, label in (("self", "to a file"), ("devnull", "to /dev/null"), ("pipe", "into a pipe (wc -c)")):
        c = ["curl", "-s", url(vs, "big.bin")] + (["-o", out_file] if sink == "self" else [])
        add(Case(W, "curl", label, c, sink=sink, setup=rm_out,
                 count=B if sink == "pipe" else None,
                 check=file_ok(out_file) if sink == "self" else None,
                 sha=sha_out if sink == "self" else sha_stdout))
        c = [cli, url(vs), "get", "big.bin", out_file if sink == "self" else "-"]
        add(Case(W, "ftp-cli", "get " + ("FILE" if sink == "self" else "- " + label), c, sink=sink,
                 setup=rm_out, count=B if sink == "pipe" else None,
                 check=file_ok(out_file) if sink == "self" else None,
                 sha=sha_out if sink == "self" else sha_stdout))
    add(Case(W, "ftp-blocking", "download_file (splice)", [fb, "ours", "get"] + V + ["big.bin", out_file],
             setup=rm_out, count=B, check=file_ok(out_file), sha=sha_out))
    add(Case(W, "ftp-blocking", "retr() as Read, io::copy", [fb, "ours", "read"] + V + ["big.bin"],
             count=B, sha=sha_stdout, sha_cmd=[fb, "ours", "read", "--sha256"] + V + ["big.bin"]))
    for block in (8192, MIB):
        add(Case(W, "ftp-blocking", f"retrbinary callback, {block // 1024} KiB blocks",
                 [fb, "ours", "callback"] + V + ["big.bin", str(block)], count=B, sha=sha_stdout,
                 sha_cmd=[fb, "ours", "callback", "--sha256"] + V + ["big.bin", str(block)]))
    add(Case(W, "lftp", "get to a file", lftp(vs, f"get big.bin -o {out_file}"), setup=rm_out,
             check=file_ok(out_file), sha=sha_out))
    add(Case(W, "lftp", "cat into a pipe (wc -c)", lftp(vs, "cat big.bin"), sink="pipe", count=B,
             sha=sha_stdout))
    for block in (8192, MIB):
        add(Case(W, "ftplib", f"retrbinary, {block // 1024} KiB blocks",
                 [py, me, "ftplib", "get"] + V + ["big.bin", str(block)], count=B, sha=sha_stdout,
                 sha_cmd=[py, me, "ftplib", "get", "--sha256"] + V + ["big.bin", str(block)]))
    add(Case(W, "suppaftp", "retr_as_stream, io::copy", [fb, "suppaftp", "stream"] + V + ["big.bin"],
             count=B, sha=sha_stdout, sha_cmd=[fb, "suppaftp", "stream", "--sha256"] + V + ["big.bin"]))

    # ---- upload, plain
    W = "upload"
    s_up, s_after = raw_server([f"TCP-LISTEN:{raw_port},bind=127.0.0.1,reuseaddr",
                                f"CREATE:{out_file}"])
    add(Case(W, "raw TCP", "socat -b 1048576 into a tmpfs file",
             ["socat", "-u", "-b", str(MIB), f"OPEN:{src}", f"TCP:127.0.0.1:{raw_port}"],
             setup=s_up, after=s_after, check=file_ok(out_file), sha=sha_out))
    up_check = file_ok(up_remote)
    add(Case(W, "curl", "-T FILE", ["curl", "-s", "-T", src, url(vs, "up.bin")], setup=rm_out,
             check=up_check, sha=sha_up))
    add(Case(W, "ftp-cli", "put FILE", [cli, url(vs), "put", src, "up.bin"], setup=rm_out,
             check=up_check, sha=sha_up))
    add(Case(W, "ftp-blocking", "upload_file (sendfile)", [fb, "ours", "put"] + V + [src, "up.bin"],
             setup=rm_out, count=B, check=up_check, sha=sha_up))
    add(Case(W, "ftp-blocking", "stor() as Write, io::copy", [fb, "ours", "write"] + V + [src, "up.bin"],
             setup=rm_out, count=B, check=up_check, sha=sha_up))
    for block in (8192, MIB):
        add(Case(W, "ftp-blocking", f"storbinary, {block // 1024} KiB blocks",
                 [fb, "ours", "storbinary"] + V + [src, "up.bin", str(block)], setup=rm_out,
                 count=B, check=up_check, sha=sha_up))
    add(Case(W, "lftp", "put FILE", lftp(vs, f"put {src} -o up.bin"), setup=rm_out, check=up_check,
             sha=sha_up))
    for block in (8192, MIB):
        add(Case(W, "ftplib", f"storbinary, {block // 1024} KiB blocks",
                 [py, me, "ftplib", "put"] + V + [src, "up.bin", str(block)], setup=rm_out,
                 check=up_check, sha=sha_up))
    add(Case(W, "suppaftp", "put_file", [fb, "suppaftp", "put"] + V + [src, "up.bin"], setup=rm_out,
             count=B, check=up_check, sha=sha_up))

    # ---- FTPS (explicit, PROT P, TLS 1.3 by default on both sides), vsftpd
    W = "ftps"
    tls_url = url(vs, "big.bin")
    add(Case(W, "curl", "download to /dev/null", ["curl", "-s", "--ssl-reqd", "--cacert", ca, tls_url],
             sink="devnull", sha=sha_stdout))
    add(Case(W, "ftp-cli", "get - to /dev/null", [cli, "--tls", "--ca-file", ca, url(vs), "get", "big.bin", "-"],
             sink="devnull", sha=sha_stdout))
    add(Case(W, "ftp-cli", "get FILE", [cli, "--tls", "--ca-file", ca, url(vs), "get", "big.bin", out_file],
             setup=rm_out, check=file_ok(out_file), sha=sha_out))
    add(Case(W, "ftp-blocking", "download retrbinary callback, 1024 KiB blocks",
             [fb, "ours", "callback", "--tls", ca] + V + ["big.bin", str(MIB)], count=B, sha=sha_stdout,
             sha_cmd=[fb, "ours", "callback", "--tls", ca, "--sha256"] + V + ["big.bin", str(MIB)]))
    add(Case(W, "lftp", "download to a file", lftp(vs, f"get big.bin -o {out_file}", tls=True),
             setup=rm_out, check=file_ok(out_file), sha=sha_out))
    add(Case(W, "curl", "upload -T FILE", ["curl", "-s", "--ssl-reqd", "--cacert", ca, "-T", src, url(vs, "up.bin")],
             setup=rm_out, check=up_check, sha=sha_up))
    add(Case(W, "ftp-cli", "upload put FILE", [cli, "--tls", "--ca-file", ca, url(vs), "put", src, "up.bin"],
             setup=rm_out, check=up_check, sha=sha_up))
    add(Case(W, "ftp-blocking", "upload upload_file",
             [fb, "ours", "put", "--tls", ca] + V + [src, "up.bin"], setup=rm_out, count=B,
             check=up_check, sha=sha_up))
    add(Case(W, "lftp", "upload put FILE", lftp(vs, f"put {src} -o up.bin", tls=True), setup=rm_out,
             check=up_check, sha=sha_up))

    # ---- many small files in one session, vsftpd
    W = "small"
    F = ("files", small_n)
    glob = f"small/f[0001-{small_n:04}].bin"
    add(Case(W, "curl", "one connection, URL glob", ["curl", "-s", url(vs, glob), "-o", f"{mirror_dir}/f#1.bin"],
             setup=rm_out, check=small_ok()))
    add(Case(W, "ftp-blocking", "download_file per file", [fb, "ours", "many"] + V + ["small", str(small_n), mirror_dir],
             setup=rm_out, count=F, check=small_ok()))
    add(Case(W, "ftp-cli", "mirror", [cli, url(vs), "mirror", "small", mirror_dir + "/small"],
             setup=rm_out, check=small_ok("small")))
    add(Case(W, "lftp", "mirror", lftp(vs, f"mirror small {mirror_dir}/small"), setup=rm_out,
             check=small_ok("small")))
    add(Case(W, "lftp", "mget", lftp(vs, f"lcd {mirror_dir}; mget small/*"), setup=rm_out,
             check=small_ok()))
    add(Case(W, "ftplib", "retrbinary per file", [py, me, "ftplib", "many"] + V + ["small", str(small_n), mirror_dir],
             setup=rm_out, count=F, check=small_ok()))
    add(Case(W, "suppaftp", "retr per file", [fb, "suppaftp", "many"] + V + ["small", str(small_n), mirror_dir],
             setup=rm_out, count=F, check=small_ok()))

    # ---- listings
    E = ("entries", list_n)
    W = "mlsd"
    add(Case(W, "ftp-blocking", "mlsd() iterator, parsed", [fb, "ours", "mlsd"] + P + ["list"], count=E))
    add(Case(W, "ftp-cli", "ls (MLSD) into a pipe", [cli, url(pro), "ls", "list"], sink="pipe", count=E))
    add(Case(W, "suppaftp", "mlsd() lines, then File::from_str", [fb, "suppaftp", "mlsd"] + P + ["list"], count=E))
    add(Case(W, "ftplib", "mlsd() (name, facts)", [py, me, "ftplib", "mlsd"] + P + ["list"], count=E))
    W = "list"
    add(Case(W, "ftp-blocking", "list() iterator, parsed", [fb, "ours", "list"] + V + ["list"], count=E))
    add(Case(W, "ftp-cli", "ls (LIST) into a pipe", [cli, url(vs), "ls", "list"], sink="pipe", count=E))
    add(Case(W, "suppaftp", "list() lines, then File::from_str", [fb, "suppaftp", "list"] + V + ["list"], count=E))
    add(Case(W, "ftplib", "retrlines LIST (lines, unparsed)", [py, me, "ftplib", "list"] + V + ["list"], count=E))
    add(Case(W, "curl", "LIST (raw bytes)", ["curl", "-s", url(vs, "list/")], sink="devnull"))

    # ---- verify round (untimed), then timed rounds, interleaved
    print(f"bench: {len(cases)} cases; verification round (SHA-256), then {rounds} timed round(s)", flush=True)
    failures = []
    broken = set()
    for c in cases:
        try:
            run_case(c, verify=True)
        except Failed as e:
            failures.append(str(e))
            broken.add(id(c))
            print(f"  FAILED {e}", flush=True)
    for r in range(1, rounds + 1):
        for c in cases:
            if id(c) in broken:
                continue
            try:
                t, cpu, rss = run_case(c)
            except Failed as e:
                failures.append(str(e))
                broken.add(id(c))
                print(f"  FAILED {e}", flush=True)
                continue
            c.times.append(t)
            c.cpu.append(cpu)
            c.rss.append(rss)
        print(f"bench: round {r} done", flush=True)
    write_report(a, cases, failures, dict(size=size, big_mib=big_mib, small_n=small_n,
                                          list_n=list_n, rounds=rounds, quick=quick))
    if failures:
        print("bench: FAILED runs:\n  " + "\n  ".join(failures))
        return 1
    return 0


# ------------------------------------------------------------------------------- the report

def write_report(a, cases, failures, p):
    units = {"download": ("MB/s", p["size"] / 1e6), "upload": ("MB/s", p["size"] / 1e6),
             "ftps": ("MB/s", p["size"] / 1e6), "small": ("files/s", p["small_n"]),
             "mlsd": ("entries/s", p["list_n"]), "list": ("entries/s", p["list_n"])}

    def rate(c, t):
        return units[c.workload][1] / t

    def med(c):
        return rate(c, statistics.median(c.times)) if c.times else None

    def find(workload, client, path_part=None):
        for c in cases:
            if c.workload == workload and c.client == client and c.times and (
                    path_part is None or path_part in c.path):
                return c
        return None

    raw_dl = find("download", "raw TCP")
    raw_ul = find("upload", "raw TCP")

    def refs(c):
        """The two reference rows a case is compared with, as (label, case)."""
        w = c.workload
        if w == "download":
            same = {"self": "to a file", "devnull": "/dev/null", "pipe": "pipe"}.get(c.sink, "/dev/null")
            if c.client in ("ftp-blocking", "ftplib", "suppaftp", "raw TCP"):
                # Library paths that discard the bytes compare with curl to /dev/null; one that
                # writes a file (download_file) with curl writing the same file.
                same = "to a file" if "download_file" in c.path else "/dev/null"
            if c.client == "lftp":
                same = "to a file" if "file" in c.path else "pipe"
            return [("curl (same sink)", find(w, "curl", same)), ("raw TCP", raw_dl)]
        if w == "upload":
            return [("curl", find(w, "curl")), ("raw TCP", raw_ul)]
        if w == "ftps":
            d = "download" if "download" in c.path or "get" in c.path else "upload"
            return [("curl FTPS", find(w, "curl", d)), ("raw TCP", raw_dl if d == "download" else raw_ul)]
        if w == "small":
            return [("curl", find(w, "curl")), ("lftp mirror", find(w, "lftp", "mirror"))]
        return [("suppaftp", find(w, "suppaftp")), ("ftplib", find(w, "ftplib"))]

    titles = {
        "download": f"Download of {p['big_mib']} MiB, plain FTP (vsftpd 3.0.3)",
        "upload": f"Upload of {p['big_mib']} MiB, plain FTP (vsftpd 3.0.3, into tmpfs)",
        "ftps": f"FTPS (AUTH TLS, PROT P, TLS 1.3, vsftpd 3.0.3), {p['big_mib']} MiB each way",
        "small": f"{p['small_n']} files of 4 KiB in one session (vsftpd 3.0.3)",
        "mlsd": f"MLSD listing of {p['list_n']:,} entries (proftpd 1.3.8)",
        "list": f"LIST listing of {p['list_n']:,} entries (vsftpd 3.0.3)",
    }
    load = open("/proc/loadavg").read().split()[:3]
    L = []
    L.append("# Benchmarks")
    L.append("")
    L.append("Written by `scripts/bench.sh` (do not edit by hand). Reproduce with:")
    L.append("")
    L.append("```sh")
    L.append(a.command)
    L.append("```")
    L.append("")
    L.append(f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {'quick smoke, ' if p['quick'] else ''}"
             f"{p['rounds']} timed round(s) after one untimed verification round; load average "
             f"before the report {', '.join(load)} on {os.cpu_count()} cores (the machine is shared: read "
             "the ratios and the spread, not the absolute figures). Every case runs as its own process, "
             "the cases interleaved round by round. Time is whole-process wall time (connect, login and "
             "QUIT included; for a pipe, until the consumer has read everything); **CPU** is the client's "
             "user+sys seconds (from `wait4()`) and **RSS** its peak resident memory (GNU `time -f %M`; "
             "`time` itself shows about 1 MiB there) (median CPU, maximum RSS). Files live on tmpfs (`/dev/shm`) and in the page cache. Ratios "
             "divide medians: above 1 is faster than the reference.")
    L.append("")
    L.append("Checked on every run: exit status, and the byte, file or entry count where the client "
             "tells it (a `| wc -c` pipe, the file's size, the uploaded file's size on the server). "
             "The verification round checks the SHA-256 of every case's bytes (standard output and "
             "/dev/null cases through `| sha256sum`).")
    L.append("")
    for w in ("download", "upload", "ftps", "small", "mlsd", "list"):
        rows = [c for c in cases if c.workload == w]
        if not rows:
            continue
        unit = units[w][0]
        r1, r2 = [lbl for lbl, _ in refs(rows[0])]
        L.append(f"## {titles[w]}")
        L.append("")
        L.append(f"| client | path | median {unit} | min–max {unit} | vs {r1} | vs {r2} | CPU s | peak RSS MiB |")
        L.append("|---|---|---:|---:|---:|---:|---:|---:|")
        for c in rows:
            if not c.times:
                L.append(f"| {c.client} | {c.path} | FAILED | | | | | |")
                continue
            m = med(c)
            lo, hi = rate(c, max(c.times)), rate(c, min(c.times))
            ratios = []
            for _, ref in refs(c):
                ratios.append(f"{m / med(ref):.2f}x" if ref and med(ref) else "—")
            fmt = (lambda v: f"{v:,.0f}")
            L.append(f"| {c.client} | {c.path} | {fmt(m)} | {fmt(lo)}–{fmt(hi)} | {ratios[0]} | "
                     f"{ratios[1]} | {statistics.median(c.cpu):.2f} | {max(c.rss) / 1024:.1f} |")
        L.append("")
        L.append("<details><summary>commands</summary>")
        L.append("")
        for c in rows:
            L.append(f"- {c.client}, {c.path}: `{c.shell()}`")
        L.append("")
        L.append("</details>")
        L.append("")
    L.append("## Reading these tables")
    L.append("")
    for note in (
        "**Sinks.** A download \"to a file\" writes into tmpfs: copying into the page cache "
        "bounds every client there. \"/dev/null\" and \"pipe\" rows measure the network path; a "
        "pipe row includes its consumer (`wc -c`) keeping up. Rows of ftp-blocking's library, "
        "ftplib and suppaftp discard the bytes in the client (counted, not written): they compare "
        "with curl to /dev/null.",
        "**Raw TCP** is socat with 1 MiB buffers over one loopback connection (no protocol, no "
        "login); the FTP server (vsftpd, `sendfile` on downloads) can be cheaper than socat's "
        "read/write loop, so a ratio above 1 to it is possible.",
        "**Uploads** end when the server has written the file into tmpfs and sent its 226: the "
        "server's receive loop bounds them.",
        "**FTPS**: vsftpd encrypts with OpenSSL and cannot use `sendfile`; both ends spend CPU on "
        "AES-GCM. Python's ftplib cannot run PROT P against vsftpd (it does not resume the TLS "
        "session, which vsftpd requires) and the suppaftp client here is built without TLS: "
        "neither has FTPS rows.",
        "**Listings**: wall time includes the server producing the listing (proftpd's MLSD of "
        "many entries is slow); the client's own cost is the CPU column. ftplib has no LIST "
        "parser: its LIST row only splits lines.",
    ):
        L.append(f"- {note}")
    L.append("")
    # Targets of issue 14.
    L.append("## Targets (issue 14)")
    L.append("")

    def ratio(c, ref):
        return med(c) / med(ref) if c and ref and c.times and ref.times else None

    def line(text, value, goal, fmt="{:.2f}x"):
        if value is None:
            L.append(f"- {text}: not measured")
        else:
            L.append(f"- {text}: {fmt.format(value)} (target {goal}) — **{'met' if value >= goal else 'not met'}**")

    for c in [c for c in cases if c.workload == "download" and c.client in ("ftp-cli", "ftp-blocking")]:
        lbl, ref = refs(c)[0]
        line(f"download, {c.client} {c.path}, vs {lbl}", ratio(c, ref), 1.3)
    dl = [c for c in cases if c.workload == "download" and c.client in ("ftp-cli", "ftp-blocking") and c.times]
    if dl and raw_dl:
        best = max(dl, key=med)
        line(f"best download path ({best.client} {best.path}) vs raw TCP", ratio(best, raw_dl), 0.9)
    cu = find("upload", "curl")
    for c in [c for c in cases if c.workload == "upload" and c.client in ("ftp-cli", "ftp-blocking")]:
        line(f"upload, {c.client} {c.path}, vs curl", ratio(c, cu), 1.0)
    for c in [c for c in cases if c.workload == "ftps" and c.client in ("ftp-cli", "ftp-blocking")]:
        lbl, ref = refs(c)[0]
        line(f"FTPS {c.client} {c.path} vs {lbl}", ratio(c, ref), 1.2)
    line("small files, ftp-blocking download_file per file vs curl", ratio(find("small", "ftp-blocking"), find("small", "curl")), 1.5)
    line("small files, ftp-cli mirror vs lftp mirror", ratio(find("small", "ftp-cli"), find("small", "lftp", "mirror")), 1.0)
    for w in ("mlsd", "list"):
        ours = find(w, "ftp-blocking")
        for other in ("suppaftp", "ftplib"):
            ref = find(w, other)
            line(f"{w.upper()} wall time, ftp-blocking vs {other}", ratio(ours, ref), 5.0)
            if ours and ref and statistics.median(ours.cpu) > 0:
                line(f"{w.upper()} client CPU, ftp-blocking vs {other}",
                     statistics.median(ref.cpu) / statistics.median(ours.cpu), 5.0)
    rss = [(max(c.rss) / 1024, c) for c in cases if c.workload in ("download", "upload", "ftps")
           and c.client in ("ftp-cli", "ftp-blocking") and c.rss]
    if rss:
        worst, c = max(rss, key=lambda x: x[0])
        L.append(f"- peak RSS of a {p['big_mib']} MiB transfer, every ftp-rs path: at most {worst:.1f} MiB "
                 f"({c.client} {c.workload} {c.path}; target < 8 MiB) — **{'met' if worst < 8 else 'not met'}**")
    L.append("")
    if failures:
        L.append("## Failed runs")
        L.append("")
        for f in failures:
            L.append(f"- {f}")
        L.append("")
    with open(a.out, "w") as f:
        f.write("\n".join(L))
    print(f"bench: wrote {a.out}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "ftplib":
        ftplib_client(sys.argv[2:])
    elif len(sys.argv) > 1 and sys.argv[1] == "run":
        sys.exit(run(sys.argv[2:]))
    else:
        print(__doc__)
        sys.exit(2)
