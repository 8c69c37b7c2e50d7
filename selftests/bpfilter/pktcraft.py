#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Hand-made IPv4 packets for the data-plane selftests (dataplane_options.sh):
the forms a socket does not send on its own, written whole from a raw
socket (IP_HDRINCL) so that the hook sees them as given: fragments, IP
options, UDP-Lite, DCCP, TCP segments with chosen options and sequence
numbers.

  pktcraft.py [-n NETNS] [send] < LINES
  pktcraft.py [-n NETNS] sink ADDR PORT READYFILE
  pktcraft.py [-n NETNS] stream SRC DST PORT BYTES

send: each line is "NAME COUNT key=value...", sent COUNT times:
  src=, dst=        addresses (required)
  proto=            udp, udplite, dccp or tcp (default udp)
  sport=, dport=    ports (default 5000 and 7000)
  len=              payload bytes (default 32)
  frags=            split the datagram into that many fragments (payload
                    in 8-byte units), sent first to last
  opts=             IP options in hex, padded with end-of-list to 4 bytes
                    (first fragment only)
  id=, ttl=, tos=   IP header fields (id default 0x4242)
  flags=, seq=, ack=, tcpopts=
                    TCP flags (letters of FSRPAU), sequence and
                    acknowledgment numbers, options in hex (padded with
                    end-of-list)
Prints "NAME sent N failed F" per line, F counting sends the kernel
refused (EPERM: a DROP in OUTPUT).

sink: accepts one TCP connection on ADDR:PORT (READYFILE is created once
it listens), reads it to its end and prints "sink PORT got N".  stream:
connects from SRC to DST:PORT, writes BYTES in 64 KiB writes (the
kernel's TCP makes them GSO packets of page fragments: non-linear skbs)
and closes; prints "stream PORT sent N".

Exit status 0, or 2 on a usage or setup error.
"""
import ctypes
import socket
import struct
import sys

PROTOS = {"udp": 17, "udplite": 136, "dccp": 33, "tcp": 6}
TCP_FLAGS = {"F": 0x01, "S": 0x02, "R": 0x04, "P": 0x08, "A": 0x10, "U": 0x20}


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def pad4(hexstr):
    raw = bytes.fromhex(hexstr)
    return raw + b"\0" * (-len(raw) % 4)


def transport(o, src, dst, proto):
    """The datagram above IP: header and payload, checksummed where the
    protocol needs it (UDP leaves its checksum out)."""
    sport, dport = int(o.get("sport", 5000)), int(o.get("dport", 7000))
    payload = bytes(range(256)) * 64
    payload = payload[: int(o.get("len", 32))]
    pseudo = lambda n: src + dst + struct.pack("!BBH", 0, proto, n)
    if proto == 17:
        return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    if proto == 136:
        # Checksum coverage: the header alone.
        head = struct.pack("!HHHH", sport, dport, 8, 0)
        seg = head + payload
        c = csum(pseudo(len(seg)) + head) or 0xFFFF
        return head[:6] + struct.pack("!H", c) + payload
    if proto == 33:
        # Generic header with 48-bit sequence numbers (X=1), type Request.
        return struct.pack("!HHBBHBBHI", sport, dport, 4, 0, 0, 1, 0, 0, 1) + payload
    opts = pad4(o.get("tcpopts", ""))
    flags = sum(TCP_FLAGS[c] for c in o.get("flags", "S"))
    off = (20 + len(opts)) // 4
    head = struct.pack("!HHIIBBHHH", sport, dport, int(o.get("seq", 1000)),
                       int(o.get("ack", 0)), off << 4, flags, 8192, 0, 0) + opts
    seg = head + payload
    c = csum(pseudo(len(seg)) + seg)
    return seg[:16] + struct.pack("!H", c) + seg[18:]


def packets(o):
    src, dst = socket.inet_aton(o["src"]), socket.inet_aton(o["dst"])
    proto = PROTOS[o.get("proto", "udp")]
    data = transport(o, src, dst, proto)
    frags = int(o.get("frags", 1))
    unit = ((len(data) + frags - 1) // frags + 7) // 8 * 8
    opts = pad4(o.get("opts", ""))
    out = []
    for i in range(0, len(data), unit):
        chunk = data[i : i + unit]
        more = 0x2000 if i + unit < len(data) else 0
        o_ = opts if i == 0 else b""
        ihl = 5 + len(o_) // 4
        head = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, int(o.get("tos", "0"), 0),
                           ihl * 4 + len(chunk), int(o.get("id", "0x4242"), 0),
                           more | (i // 8), int(o.get("ttl", 64)), proto, 0, src, dst)
        out.append(head + o_ + chunk)
    return out


def sink(addr, port, ready):
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind((addr, port))
    lsock.listen(1)
    open(ready, "w").close()
    conn, _ = lsock.accept()
    got = 0
    while True:
        data = conn.recv(1 << 16)
        if not data:
            break
        got += len(data)
    print("sink", port, "got", got, flush=True)


def stream(src, dst, port, nbytes):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((src, 0))
    sock.settimeout(20)
    sock.connect((dst, port))
    chunk = bytes(1 << 16)
    sent = 0
    while sent < nbytes:
        sent += sock.send(chunk[: min(len(chunk), nbytes - sent)])
    sock.close()
    print("stream", port, "sent", sent, flush=True)


def main():
    args = sys.argv[1:]
    if args[:1] == ["-n"] and len(args) >= 2:
        ns = args[1] if "/" in args[1] else "/run/netns/" + args[1]
        with open(ns) as f:
            # os.setns() is Python 3.12's; Debian 12 has 3.11.
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.setns(f.fileno(), 0x40000000) != 0:
                raise OSError(ctypes.get_errno(), "setns " + ns)
        args = args[2:]
    cmd = args[0] if args else "send"
    if cmd == "sink" and len(args) == 4:
        return sink(args[1], int(args[2]), args[3])
    if cmd == "stream" and len(args) == 5:
        return stream(args[1], args[2], int(args[3]), int(args[4]))
    if cmd != "send" or len(args) > 1:
        sys.exit(__doc__)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        name, count = words[0], int(words[1])
        o = dict(w.split("=", 1) for w in words[2:])
        sent = failed = 0
        for _ in range(count):
            for pkt in packets(o):
                try:
                    sock.sendto(pkt, (o["dst"], 0))
                    sent += 1
                except PermissionError:
                    failed += 1
        print(name, "sent", sent, "failed", failed, flush=True)


if __name__ == "__main__":
    try:
        main()
    except (KeyError, ValueError, OSError) as e:
        print("pktcraft:", e, file=sys.stderr)
        sys.exit(2)
