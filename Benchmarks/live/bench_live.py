#!/usr/bin/env python3
"""The live view measured browser to browser: headless Chromium on the same machine as
`stylize serve`, its fake camera playing a clip, the page's own figures read from
window.stylizeLive (frames shown, end-to-end latency of each frame from the camera grab to
the stylized frame on the canvas, the server's part of it, camera frames dropped while a
frame was in flight). Run by Benchmarks/live/run.sh, which starts the server; by hand:

    python3 Benchmarks/live/bench_live.py --url http://127.0.0.1:8080/ --clip camera.y4m \
        --configs adain:240,magenta:240 --seconds 20

Each configuration loads /live?model=M&style_name=STYLE&size=S&mirror=0&transport=T in a
fresh window, waits for the first frames and --warmup seconds, then counts for --seconds.
`--memory PID` instead runs two live windows at 480p (one per model) while a thread posts
/v1/stylize jobs, and reports the server's peak resident memory (VmHWM of PID).
"""
import argparse
import json
import os
import statistics
import threading
import time
import urllib.parse
import urllib.request
import uuid

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def browser(args):
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1300,900", "--force-device-scale-factor=1",
              "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              "--use-file-for-fake-video-capture=" + args.clip, "--autoplay-policy=no-user-gesture-required"]:
        options.add_argument(a)
    return webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)


STATE_JS = """const l = window.stylizeLive; return l ? {shown: l.framesShown, dropped: l.dropped, latencies: l.latencies.slice(),
  server: l.serverTimes.slice(), error: l.lastError, width: l.width, height: l.height, version: l.version} : null;"""


def percentile(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    k = (len(s) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def open_live(driver, url, model, size, transport, style, timeout=120):
    q = {"model": model, "size": str(size), "mirror": "0", "transport": transport}
    if model == "magenta" and style.startswith("preset:"):
        q["preset"] = style.split(":", 1)[1]
    else:
        q["style_name"] = style
    driver.get(url + "live?" + urllib.parse.urlencode(q))
    deadline = time.time() + timeout
    while True:
        s = driver.execute_script(STATE_JS)
        if s and s["shown"] >= 3:
            return s
        if s and s["error"] and s["error"].get("code") not in (None, "busy"):
            raise RuntimeError(f"{model} {size}p: {s['error']}")
        if time.time() > deadline:
            raise RuntimeError(f"{model} {size}p: no frames after {timeout} s: {s}")
        time.sleep(0.2)


def measure(args, driver, model, size):
    open_live(driver, args.url, model, size, args.transport, args.style)
    time.sleep(args.warmup)
    a = driver.execute_script(STATE_JS)
    t0 = time.time()
    load0 = os.getloadavg()[0]
    time.sleep(args.seconds)
    b = driver.execute_script(STATE_JS)
    elapsed = time.time() - t0
    frames = b["shown"] - a["shown"]
    latencies = b["latencies"][len(b["latencies"]) - frames:] if frames > 0 else []
    server = b["server"][len(b["server"]) - frames:] if frames > 0 else []
    dropped = b["dropped"] - a["dropped"]
    return {
        "model": model, "size": f"{b['width']}x{b['height']}", "transport": args.transport, "seconds": round(elapsed, 1),
        "frames": frames, "fps": round(frames / elapsed, 2),
        "latency_median_ms": round(statistics.median(latencies), 1) if latencies else None,
        "latency_p95_ms": round(percentile(latencies, 0.95), 1) if latencies else None,
        "server_median_ms": round(statistics.median(server), 1) if server else None,
        "dropped": dropped, "dropped_per_s": round(dropped / elapsed, 2),
        "load_before": round(load0, 2),
    }


def post_jobs(url, content, stop, answers):
    """Posts /v1/stylize jobs one after another until `stop` is set."""
    with open(content, "rb") as f:
        data = f.read()
    while not stop.is_set():
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"content\"; filename=\"c.jpg\"\r\n"
                f"Content-Type: image/jpeg\r\n\r\n").encode() + data + \
               (f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"style_name\"\r\n\r\nautumn.jpg"
                f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"content_size\"\r\n\r\n1024\r\n--{boundary}--\r\n").encode()
        request = urllib.request.Request(url + "v1/stylize", data=body, method="POST",
                                         headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            with urllib.request.urlopen(request, timeout=300) as r:
                r.read()
                answers.append(r.status)
        except urllib.error.HTTPError as e:
            answers.append(e.code)
            time.sleep(1)


def peak_rss(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def memory_run(args):
    driver = browser(args)
    try:
        first = driver.current_window_handle
        if args.memory_parts in ("both", "live"):
            open_live(driver, args.url, "adain", 480, args.transport, args.style)
            driver.switch_to.new_window("window")
            open_live(driver, args.url, "magenta", 480, args.transport, args.style)
        stop, answers = threading.Event(), []
        poster = threading.Thread(target=post_jobs, args=(args.url, args.content, stop, answers))
        if args.memory_parts in ("both", "jobs"):
            poster.start()
        time.sleep(args.seconds)
        stop.set()
        if poster.is_alive() or answers:
            poster.join()
        health = json.load(urllib.request.urlopen(args.url + "healthz"))
        a = driver.execute_script(STATE_JS) or {"shown": 0}
        driver.switch_to.window(first)
        b = driver.execute_script(STATE_JS) or {"shown": 0}
        result = {"peak_rss_bytes": peak_rss(args.memory), "max_memory_bytes": health["max_memory_bytes"],
                  "job_memory_bytes": health["job_memory_bytes"], "jobs": answers, "live_frames": [b["shown"], a["shown"]],
                  "live": health["live"]}
        print(json.dumps(result), flush=True)
        return result
    finally:
        driver.quit()


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--clip", required=True, help="the fake camera's clip (.y4m)")
    p.add_argument("--configs", default="adain:240,magenta:240,adain:480,magenta:480", help="model:size,...")
    p.add_argument("--style", default="autumn.jpg", help="a style_name, or preset:N")
    p.add_argument("--transport", default="rgba", choices=["rgba", "jpeg"])
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--warmup", type=float, default=4)
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    p.add_argument("--memory", type=int, help="the server's process id: run the memory check instead")
    p.add_argument("--content", help="content image posted as /v1 jobs during the memory check")
    p.add_argument("--memory-parts", default="both", choices=["both", "live", "jobs"],
                   help="the memory check with the two live clients and the jobs, or one of them alone")
    p.add_argument("--json", help="append each result as a JSON line to this file")
    args = p.parse_args()
    if args.memory:
        result = memory_run(args)
        if args.json:
            with open(args.json, "a") as f:
                f.write(json.dumps({"memory": result}) + "\n")
        return
    driver = browser(args)
    try:
        print("model\tsize\ttransport\tfps\tlatency_median_ms\tlatency_p95_ms\tserver_median_ms\tdropped_per_s\tframes\tload_before", flush=True)
        for config in args.configs.split(","):
            model, size = config.split(":")
            r = measure(args, driver, model, int(size))
            print("\t".join(str(r[k]) for k in ["model", "size", "transport", "fps", "latency_median_ms", "latency_p95_ms",
                                               "server_median_ms", "dropped_per_s", "frames", "load_before"]), flush=True)
            if args.json:
                with open(args.json, "a") as f:
                    f.write(json.dumps(r) + "\n")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
