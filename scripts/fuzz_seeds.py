#!/usr/bin/env python3
"""Builds the fuzz seed corpus from the transcript tests; called by scripts/fuzz.sh.

Usage: fuzz_seeds.py OUTDIR TRANSCRIPT_DIR... [--scripts CLIENT_SCRIPT_DIR]

Writes OUTDIR/<target>/gen-* for the targets framer, reply_parsers, command_roundtrip,
listing, client and text from
- the real-server transcripts (`C:`/`S:` lines, one file per server; listing captures
  `*-list.txt`, `*-mlsd.txt`, `*-nlst.txt`),
- the client dialogue scripts of ftp-proto/tests/data/client (`> request` lines turned into
  the `client` target's program format, see ftp-proto/src/client/fuzz.rs).
Each input format is the one the target reads (see fuzz/README.md). Standard library only.
"""
import hashlib
import os
import sys


def write(outdir, target, data):
    d = os.path.join(outdir, target)
    os.makedirs(d, exist_ok=True)
    name = "gen-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def sessions(path):
    """Yields each session of a transcript as a list of (side, bytes) lines."""
    session = []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\r\n")
            if line.startswith(b"# ====="):
                if session:
                    yield session
                session = []
            elif line[:3] in (b"C: ", b"S: "):
                session.append((line[:1], line[3:]))
    if session:
        yield session


def replies(lines):
    """Groups consecutive server lines into replies (RFC 959 4.2 framing)."""
    out, current, code = [], [], None
    for side, text in lines:
        if side != b"S":
            continue
        current.append(text)
        if code is None:
            if len(text) >= 4 and text[3:4] == b"-":
                code = text[:3]
                continue
            out.append(current)
            current = []
        elif text[:3] == code and text[3:4] != b"-":
            out.append(current)
            current, code = [], None
    if current:
        out.append(current)
    return out


def from_transcripts(outdir, path):
    base = os.path.basename(path)
    if any(base.endswith(s) for s in ("-list.txt", "-list-a.txt", "-mlsd.txt", "-nlst.txt")):
        with open(path, "rb") as f:
            body = f.read()
        crlf = body.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
        # listing: 4 control bytes (limit, chunk sizes), then the listing.
        write(outdir, "listing", b"\x50\x07\x0d\x01" + crlf)
        write(outdir, "listing", b"\x10\x3f\x01\x05" + body)
        for name in body.splitlines()[:8]:
            write(outdir, "text", b"\x40\x05" + name)
        return
    for lines in sessions(path):
        server = [t for s, t in lines if s == b"S"]
        stream = b"".join(t + b"\r\n" for t in server)
        # framer: first byte even = default limits, odd = small limits.
        write(outdir, "framer", b"\x00" + stream)
        write(outdir, "framer", b"\x03" + stream.replace(b"\r\n", b"\n"))
        for reply in replies(lines):
            write(outdir, "reply_parsers", b"".join(t + b"\r\n" for t in reply))
            write(outdir, "text", b"\x20\x03" + b"\r\n".join(reply))
        for side, text in lines:
            if side == b"C":
                write(outdir, "command_roundtrip", text + b"\r\n")


# The client target's program: tag byte, then its operands (ftp-proto/src/client/fuzz.rs).
def control(data):
    out = b""
    while data:
        piece, data = data[:255], data[255:]
        out += bytes([0, len(piece)]) + piece
    return out


def arg(text):
    text = text[:255]
    return bytes([len(text)]) + text


REQUESTS = {
    b"cwd": lambda a: b"\x0a\x02" + arg(a[0] if a else b"x"),
    b"pwd": lambda a: b"\x0a\x03",
    b"mkd": lambda a: b"\x0a\x04" + arg(a[0] if a else b"x"),
    b"delete": lambda a: b"\x0a\x05" + arg(a[0] if a else b"x"),
    b"rename": lambda a: b"\x0a\x06" + arg(a[0] if a else b"x") + arg(a[1] if len(a) > 1 else b"y"),
    b"size": lambda a: b"\x0a\x07" + arg(a[0] if a else b"x"),
    b"mdtm": lambda a: b"\x0a\x08" + arg(a[0] if a else b"x"),
    b"mlst": lambda a: b"\x0a\x09",
    b"feat": lambda a: b"\x0a\x0a",
    b"noop": lambda a: b"\x0a\x0c",
    b"execute": lambda a: b"\x0a\x01" + arg(b" ".join(a)),
}


def from_client_script(outdir, path):
    program = bytearray([0])  # flags: passive, IPv4
    with open(path, "rb") as f:
        for raw in f:
            line = raw.rstrip(b"\r\n")
            if line.startswith(b"> "):
                words = line[2:].split()
                verb, args = (words[0], words[1:]) if words else (b"", [])
                if verb == b"login":
                    user = args[0] if args else b"anonymous"
                    pw = args[1] if len(args) > 1 else b"x"
                    program += b"\x0a\x00" + arg(user) + arg(pw)
                elif verb in REQUESTS:
                    program += REQUESTS[verb](args)
                elif verb == b"transfer":
                    program += b"\x0a\x0d\x02"  # a LIST into the raw sink
            elif line.startswith(b"S: "):
                program += control(line[3:] + b"\r\n")
            elif line.startswith(b"D: connected"):
                program += b"\x06\x00\x10"
            elif line.startswith(b"D: finished"):
                program += b"\x06\x03\x10"
    write(outdir, "client", bytes(program))


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    outdir, rest = args[0], args[1:]
    scripts = []
    if "--scripts" in rest:
        i = rest.index("--scripts")
        scripts, rest = rest[i + 1 :], rest[:i]
    seen = set()
    for d in rest:
        if not os.path.isdir(d):
            continue
        for name in sorted(os.listdir(d)):
            if name.endswith(".txt") and name not in seen and name != "README.md":
                seen.add(name)
                from_transcripts(outdir, os.path.join(d, name))
    for d in scripts:
        if os.path.isdir(d):
            for name in sorted(os.listdir(d)):
                if name.endswith(".script"):
                    from_client_script(outdir, os.path.join(d, name))
    for target in sorted(os.listdir(outdir)):
        print(f"seeds: {target}: {len(os.listdir(os.path.join(outdir, target)))} generated")


if __name__ == "__main__":
    main()
