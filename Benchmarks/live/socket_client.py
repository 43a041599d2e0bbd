#!/usr/bin/env python3
"""The live view's server without a browser: a minimal WebSocket client (RFC 6455, masking
with numpy) that sends RGBA frames of one size to /v1/live, one in flight, and reports the
frames per second, the median round trip and the server's median part (from the answers'
headers), and the server's CPU time a frame (utime + stime of --pid from /proc). Separates
what the server costs from what the browser costs on the same cores.

    python3 Benchmarks/live/socket_client.py --port 8080 --model adain --size 640x480 --frames 20 [--pid PID]
"""
import argparse
import base64
import json
import os
import socket
import statistics
import struct
import time

import numpy as np


class Client:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port))
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(f"GET /v1/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            self.buf += self.s.recv(65536)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise SystemExit(f"upgrade refused: {head[:200]}")

    def exact(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(1 << 20)
            if not chunk:
                raise SystemExit("the server closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def receive(self):
        b0, b1 = self.exact(2)
        n = b1 & 127
        if n == 126:
            n = struct.unpack(">H", self.exact(2))[0]
        elif n == 127:
            n = struct.unpack(">Q", self.exact(8))[0]
        return b0 & 15, self.exact(n)

    def send(self, opcode, payload):
        mask, n = os.urandom(4), len(payload)
        head = bytes([0x80 | opcode]) + (bytes([0x80 | n]) if n < 126 else
                                         bytes([0xFE]) + struct.pack(">H", n) if n < 65536 else
                                         bytes([0xFF]) + struct.pack(">Q", n))
        data = np.frombuffer(payload, dtype=np.uint8) ^ np.frombuffer((mask * (n // 4 + 1))[:n], dtype=np.uint8)
        self.s.sendall(head + mask + data.tobytes())


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--model", default="adain")
    p.add_argument("--style", default="autumn.jpg")
    p.add_argument("--size", default="640x480")
    p.add_argument("--frames", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--pid", type=int, help="the server's process id, for its CPU time")
    a = p.parse_args()
    w, h = map(int, a.size.split("x"))
    c = Client(a.port)
    c.receive()   # hello
    c.send(1, json.dumps({"type": "controls", "model": a.model, "style_name": a.style}).encode())
    op, answer = c.receive()
    if b'"controls"' not in answer:
        raise SystemExit(answer.decode())
    rgba = np.random.RandomState(1).randint(0, 256, (h, w, 4), dtype=np.uint8).tobytes()
    trips, server = [], []
    cpu0 = t0 = None
    for i in range(a.warmup + a.frames):
        if i == a.warmup:
            t0, cpu0 = time.time(), cpu_seconds(a.pid) if a.pid else None
        start = time.time()
        c.send(2, b"SLF1" + struct.pack("<IHHB3xII", i, w, h, 0, 0, 0) + rgba)
        op, answer = c.receive()
        while op != 2:
            if op == 8:
                raise SystemExit(f"closed by the server: {answer[2:].decode(errors='replace')}")
            op, answer = c.receive()
        if i >= a.warmup:
            trips.append((time.time() - start) * 1000)
            server.append(struct.unpack("<I", answer[20:24])[0] / 1000)
    elapsed = time.time() - t0
    result = {"model": a.model, "size": a.size, "fps": round(a.frames / elapsed, 2),
              "round_trip_median_ms": round(statistics.median(trips), 1), "server_median_ms": round(statistics.median(server), 1),
              "load_before": round(os.getloadavg()[0], 2)}
    if a.pid:
        result["server_cpu_ms_per_frame"] = round((cpu_seconds(a.pid) - cpu0) * 1000 / a.frames, 1)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
