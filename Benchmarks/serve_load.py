#!/usr/bin/env python3
"""Load run against `stylize serve` on 127.0.0.1: a bounded client (standard library only).

    swift build -c release --product stylize
    python3 Benchmarks/serve_load.py --stylize .build/release/stylize --threads 2

It starts the server under /usr/bin/time -v with a private, empty TMPDIR, then:

1. Mixed phase: --requests requests (default 200) at --concurrency (default 8), a seeded mix of
   valid pairs (512 px transfers: a content of Images/ with a style uploaded or named), corrupt
   files (truncated JPEGs, random bytes, text, empty uploads), oversized uploads (over
   --max-upload), path-traversal URLs and style names, and GETs of /healthz and /v1/models.
   A 429 (only where a request reaches the job queue) must carry Retry-After; the client waits
   that long and retries, like a polite client. Each final answer must have its kind's status
   and, for an error, a JSON body naming the problem.
2. Serial phase: --serial valid 512 px transfers one at a time, for the latency without queueing.
3. The server must still answer /healthz; it is then stopped with SIGINT.

Reported: status counts per kind, wrong answers, latency p50/p95 of the 512 px transfers (under
load: queue and Retry-After waits included; serial), peak RSS (VmHWM, from /usr/bin/time -v)
against --max-memory + --overhead, and the files left in the server's TMPDIR. The exit status is 1
if any answer is wrong, the server died or did not exit 0 on SIGINT, the peak RSS passed the
bound, or a file was left.
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

IMAGES = ["astronaut.jpg", "autumn.jpg", "chelsea.jpg", "coffee.jpg", "evening_glow.jpg", "flow.jpg"]

# kind -> (statuses that are right, whether 429 needs a Retry-After)
EXPECTED = {
    "valid_upload": {200},                 # the client retries after each 429's Retry-After
    "valid_named": {200},
    "truncated_jpeg": {422},               # header parses; the decoder finds the end missing in the job
    "random_bytes": {415},                 # refused before the queue
    "text_file": {415},
    "empty_upload": {415},
    "oversized": {413},
    "traversal_get_encoded": {404},
    "traversal_get_raw": {404},
    "traversal_style_name": {400},
    "health": {200},
    "models": {200},
}


def multipart(fields, files):
    boundary = "load-" + uuid.uuid4().hex
    out = bytearray()
    for name, value in fields:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n".encode()
    for name, filename, data in files:
        out += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n"
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return bytes(out), f"multipart/form-data; boundary={boundary}"


def request_retrying(port, method, target, body=None, content_type=None, retries=40):
    """`request`, retried after Retry-After while the server answers 429 (as a polite client
    does); returns the final answer, its latency from the first attempt, and the 429s seen."""
    start = time.monotonic()
    busy = 0
    while True:
        status, headers, data, _ = request(port, method, target, body, content_type)
        # A 429 without a numeric Retry-After ends here and counts as a wrong answer.
        if status != 429 or busy >= retries or not headers.get("retry-after", "").isdigit():
            return status, headers, data, time.monotonic() - start, busy
        busy += 1
        time.sleep(int(headers.get("retry-after", "1")) * random.uniform(0.5, 1.0))


def request(port, method, target, body=None, content_type=None, timeout=600):
    """One request on its own connection; the target is sent verbatim (no dot-segment removal)."""
    start = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Connection": "close"}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        conn.request(method, target, body=body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data, time.monotonic() - start
    except (ConnectionResetError, BrokenPipeError) as e:
        return -1, {}, str(e).encode(), time.monotonic() - start
    finally:
        conn.close()


def make_plan(args, rng, images):
    kinds = (["valid_upload"] * 25 + ["valid_named"] * 25 + ["truncated_jpeg"] * 6 + ["random_bytes"] * 5
             + ["text_file"] * 3 + ["empty_upload"] * 2 + ["oversized"] * 10 + ["traversal_get_encoded"] * 5
             + ["traversal_get_raw"] * 5 + ["traversal_style_name"] * 6 + ["health"] * 4 + ["models"] * 4)
    return [rng.choice(kinds) for _ in range(args.requests)]


def build(kind, rng, images, args):
    """(method, target, body, content type) for one request of `kind`."""
    content_name = rng.choice(IMAGES)
    content = images[content_name]
    style_name = rng.choice([n for n in IMAGES if n != content_name])
    base = [("content_size", "512")]
    if kind == "valid_upload":
        body, ct = multipart(base + [("alpha", f"{rng.choice([0.6, 0.8, 1.0])}")],
                             [("content", content_name, content), ("style", style_name, images[style_name])])
        return "POST", "/v1/stylize", body, ct
    if kind == "valid_named":
        body, ct = multipart(base + [("style_name", style_name), ("norm", rng.choice(["instance", "layer", "group"]))],
                             [("content", content_name, content)])
        return "POST", "/v1/stylize", body, ct
    if kind == "truncated_jpeg":
        body, ct = multipart(base + [("style_name", style_name)], [("content", "cut.jpg", content[: len(content) * 3 // 5])])
        return "POST", "/v1/stylize", body, ct
    if kind == "random_bytes":
        body, ct = multipart(base + [("style_name", style_name)], [("content", "noise.jpg", rng.randbytes(20000))])
        return "POST", "/v1/stylize", body, ct
    if kind == "text_file":
        body, ct = multipart([], [("content", "c.jpg", content), ("style", "notes.png", b"just some text\n" * 50)])
        return "POST", "/v1/stylize", body, ct
    if kind == "empty_upload":
        body, ct = multipart([("style_name", style_name)], [("content", "empty.jpg", b"")])
        return "POST", "/v1/stylize", body, ct
    if kind == "oversized":
        body, ct = multipart([("style_name", style_name)], [("content", "huge.jpg", b"\xff\xd8\xff" + rng.randbytes(args.max_upload_bytes))])
        return "POST", rng.choice(["/v1/stylize", "/v1/compare"]), body, ct
    if kind == "traversal_get_encoded":
        return "GET", rng.choice(["/v1/styles/..%2F..%2F..%2Fetc%2Fpasswd", "/v1/styles/%2e%2e%2fWeights%2fdefault.safetensors",
                                  "/v1/styles/..%5C..%5Cetc%5Cpasswd", "/v1/styles/%2Fetc%2Fshadow"]), None, None
    if kind == "traversal_get_raw":
        return "GET", rng.choice(["/../../../../etc/passwd", "/v1/styles/../../Package.swift", "/app.js/../../etc/passwd",
                                  "/%2e%2e/%2e%2e/etc/passwd"]), None, None
    if kind == "traversal_style_name":
        body, ct = multipart([("style_name", rng.choice(["../../../../etc/passwd", "../Weights/default.safetensors", "/etc/passwd", ".."]))],
                             [("content", content_name, content)])
        return "POST", "/v1/stylize", body, ct
    if kind == "health":
        return "GET", "/healthz", None, None
    if kind == "models":
        return "GET", "/v1/models", None, None
    raise ValueError(kind)


def check(kind, status, headers, data):
    """None if the answer is right, else why not."""
    if status not in EXPECTED[kind]:
        return f"status {status} not in {sorted(EXPECTED[kind])}: {data[:200]!r}"
    if status >= 400:
        try:
            err = json.loads(data)["error"]
            if not err.get("message") or err.get("status") != status:
                return f"error body without message/status: {data[:200]!r}"
        except (ValueError, KeyError, TypeError):
            return f"error body is not the JSON error: {data[:200]!r}"
        if b"root:" in data:
            return "leaked /etc/passwd"
    if status == 200 and kind.startswith("valid") and not data.startswith(b"\xff\xd8\xff"):
        return "a transfer of a JPEG content did not answer a JPEG"
    return None


def percentile(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def parse_size(text):
    m = re.fullmatch(r"\s*([0-9.]+)\s*([KMG]?)B?\s*", text.upper())
    if not m:
        raise SystemExit(f"not a size: {text}")
    return int(float(m.group(1)) * {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[m.group(2)])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--stylize", required=True, help="the stylize binary (a release build)")
    p.add_argument("--images", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Images"))
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--serial", type=int, default=20, help="valid transfers run one at a time afterwards")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--queue", type=int, default=4)
    p.add_argument("--max-memory", default="1.5G")
    p.add_argument("--max-upload", default="4M")
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--overhead", default="32M",
                   help="allowed peak RSS above --max-memory: the server counts itself and the request bodies it may hold "
                        "inside --max-memory; what is left is the allocator keeping freed blocks between jobs of "
                        "different sizes (measured: 20 MB at --max-memory 400M)")
    args = p.parse_args()
    args.max_upload_bytes = parse_size(args.max_upload)
    rng = random.Random(args.seed)
    images = {n: open(os.path.join(args.images, n), "rb").read() for n in IMAGES}

    tmpdir = tempfile.mkdtemp(prefix="serve-load-tmp-")
    env = dict(os.environ, TMPDIR=tmpdir)
    cmd = ["/usr/bin/time", "-v", args.stylize, "serve", "--port", "0", "--threads", str(args.threads),
           "--queue", str(args.queue), "--max-memory", args.max_memory, "--max-upload", args.max_upload,
           "--styles", args.images, "--quiet"]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    first = server.stdout.readline()
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", first)
    if not m:
        server.kill()
        raise SystemExit(f"server did not start: {first} {server.stderr.read()}")
    port = int(m.group(1))
    banner = [first.strip()] + [server.stdout.readline().strip() for _ in range(4)]

    plan = make_plan(args, rng, images)
    built = [(kind, build(kind, rng, images, args)) for kind in plan]
    results = []
    busy_answers = {}   # 429s (each with Retry-After) seen before the final answer, per kind
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        futures = {pool.submit(request_retrying, port, *req): kind for kind, req in built}
        for f in concurrent.futures.as_completed(futures):
            kind = futures[f]
            status, headers, data, seconds, busy = f.result()
            results.append((kind, status, seconds, check(kind, status, headers, data)))
            busy_answers[kind] = busy_answers.get(kind, 0) + busy
    mixed_wall = time.monotonic() - t0

    serial = []
    for i in range(args.serial):
        status, headers, data, seconds = request(port, *build("valid_named", rng, images, args))
        problem = check("valid_named", status, headers, data)
        results.append(("serial_valid", status, seconds, problem if status == 200 else f"serial transfer answered {status}"))
        if status == 200:
            serial.append((seconds, float(headers.get("x-stylize-seconds", "nan")), headers.get("x-stylize-size")))

    health = request(port, "GET", "/healthz")
    alive_after = health[0] == 200 and server.poll() is None
    queue_state = json.loads(health[2]).get("queue") if health[0] == 200 else None
    # /usr/bin/time ignores SIGINT while it waits: signal the server, its child.
    with open(f"/proc/{server.pid}/task/{server.pid}/children") as f:
        children = [int(c) for c in f.read().split()]
    for child in children:
        os.kill(child, signal.SIGINT)
    _, time_report = server.communicate(timeout=120)
    rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", time_report).group(1))
    left = os.listdir(tmpdir)
    os.rmdir(tmpdir) if not left else None

    wrong = [(k, s, why) for k, s, _, why in results if why]
    print("## stylize serve load run\n")
    print("Server: " + " / ".join(banner))
    print(f"Command: {' '.join(cmd[2:])}\n")
    print(f"Mixed phase: {args.requests} requests at concurrency {args.concurrency} in {mixed_wall:.1f} s\n")
    print("| kind | requests | final statuses | right | 429 + Retry-After before it |")
    print("|---|---|---|---|---|")
    for kind in list(EXPECTED) + ["serial_valid"]:
        rows = [r for r in results if r[0] == kind]
        if not rows:
            continue
        counts = {}
        for _, s, _, _ in rows:
            counts[s] = counts.get(s, 0) + 1
        ok = sum(1 for r in rows if not r[3])
        print(f"| {kind} | {len(rows)} | {', '.join(f'{s}: {n}' for s, n in sorted(counts.items()))} | {ok}/{len(rows)} "
              f"| {busy_answers.get(kind, 0)} |")
    loaded = [s for k, st, s, _ in results if k.startswith("valid") and st == 200]
    print(f"\n512 px transfers under load (200s; queue wait and Retry-After waits included): n={len(loaded)}, "
          f"p50 {percentile(loaded, 0.5):.2f} s, p95 {percentile(loaded, 0.95):.2f} s")
    if serial:
        lat = [s for s, _, _ in serial]
        work = [w for _, w, _ in serial]
        print(f"512 px transfers one at a time: n={len(serial)}, p50 {percentile(lat, 0.5):.2f} s, p95 {percentile(lat, 0.95):.2f} s "
              f"(server-side work p50 {percentile(work, 0.5):.2f} s; sizes {sorted(set(z for _, _, z in serial))})")
    budget = parse_size(args.max_memory)
    bound = budget + parse_size(args.overhead)
    within = rss_kb * 1024 <= bound
    print(f"Peak RSS (VmHWM, /usr/bin/time -v): {rss_kb / 1024:.0f} MiB; --max-memory {budget / 1e6:.0f} MB + overhead "
          f"{args.overhead} = {bound / 2**20:.0f} MiB: {'within' if within else 'EXCEEDED'}")
    print(f"Server alive after the run: {alive_after}; queue at the end: {queue_state}")
    print(f"Files left in the server's TMPDIR: {len(left)} {left[:5]}")
    print(f"Wrong answers: {len(wrong)}")
    for k, s, why in wrong[:20]:
        print(f"  {k}: {why}")
    print(f"Server exit status after SIGINT: {server.returncode}")
    sys.exit(0 if not wrong and alive_after and within and not left and server.returncode == 0 else 1)


if __name__ == "__main__":
    main()
