#!/usr/bin/env python3
"""Drives the live view of `stylize serve` in headless Chromium with Chromium's fake camera
(a .y4m clip made here with ffmpeg from a picture of Images/), through Selenium.

Run by Tests/StyleServerTests/BrowserTests.swift against a server it started with
--live-clients 2, or by hand:

    stylize serve --port 8080 --live-clients 2 &
    python3 Tests/Browser/live_view.py --url http://127.0.0.1:8080/ --picture Images/chelsea.jpg --screenshots docs

Checks, in order (exit status 1 at the first failure, with the reason):
  1. /live?style_name=autumn.jpg&size=240&mirror=0 starts the camera at once: stylized frames
     arrive (window.stylizeLive.framesShown grows) and differ from the camera's picture
     (mean |difference| over R, G, B > 10 of 255, both drawn at the output's size).
  2. A norm switch mid-stream (stylizeLive.setNorm('layer')) takes effect without
     reconnecting: frames of the new controls' version arrive, and they differ from the
     instance-norm frames (the clip is a still picture, so under one norm consecutive
     frames are the same: the change is the norm's).
  3. A second client (another window) gets frames too.
  4. A third client is refused with the server's message (too_many_clients) on its page;
     when the second window closes, its place is free and Retry brings frames.
  5. Denied camera permission (a second browser that denies permission prompts) shows the
     message and a Retry button.
  Also: Snapshot gives a PNG of the canvas, Record/Stop a WebM of the stylized stream.
Screenshot: serve-live.png (the first window, after the norm switch back to instance).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

# Mean |output - camera| over R, G, B (0-255), the camera drawn as the page sends it (no mirror).
DIFFERENCE_FROM_CAMERA_JS = """
const out = document.getElementById('live-output'), video = document.getElementById('live-camera');
const w = out.width, h = out.height;
const c = document.createElement('canvas'); c.width = w; c.height = h;
const x = c.getContext('2d'); x.drawImage(video, 0, 0, w, h);
const a = x.getImageData(0, 0, w, h).data, b = out.getContext('2d').getImageData(0, 0, w, h).data;
let sum = 0;
for (let i = 0; i < a.length; i += 4) sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
return [w, h, sum / (w * h * 3)];
"""

# The output canvas's pixels (RGB, as a list) with the version and count of the frame shown.
OUTPUT_JS = """
const out = document.getElementById('live-output');
const d = out.getContext('2d').getImageData(0, 0, out.width, out.height).data;
const rgb = [];
for (let i = 0; i < d.length; i += 4) rgb.push(d[i], d[i + 1], d[i + 2]);
return [window.stylizeLive.shownVersion, window.stylizeLive.framesShown, rgb];
"""


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def step(message):
    print("- " + message, flush=True)


def make_clip(picture, folder):
    """A 1-second still clip, 640x480, 10 fps, as the fake camera reads it (Y4M, 4:2:0)."""
    clip = os.path.join(folder, "camera.y4m")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-loop", "1", "-i", picture, "-t", "1", "-r", "10",
                    "-vf", "scale=640:480:force_original_aspect_ratio=increase,crop=640:480,format=yuv420p",
                    "-f", "yuv4mpegpipe", clip], check=True)
    return clip


def browser(args, clip, deny=False):
    """Headless Chromium whose camera is the fake device showing `clip`; its permission
    prompt is answered yes (Chromium's fake UI), or no with `deny`."""
    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1400,1000", "--force-device-scale-factor=1", "--hide-scrollbars",
              "--use-fake-device-for-media-stream", "--use-file-for-fake-video-capture=" + clip,
              "--autoplay-policy=no-user-gesture-required",
              "--deny-permission-prompts" if deny else "--use-fake-ui-for-media-stream"]:
        options.add_argument(a)
    return webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)


def live(driver, key):
    return driver.execute_script(f"return window.stylizeLive && window.stylizeLive.{key}")


def wait_frames(driver, wait, at_least, what):
    try:
        wait.until(lambda d: (live(d, "framesShown") or 0) >= at_least)
    except TimeoutException:
        fail(f"{what}: no stylized frames arrived (shown {live(driver, 'framesShown')}, last error {live(driver, 'lastError')}, "
             f"status '{driver.find_element(By.ID, 'live-status').text}')")


def mean_difference(a, b):
    return sum(abs(x - y) for x, y in zip(a, b)) / max(len(a), 1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True, help="the server's base URL, ending in /")
    p.add_argument("--picture", required=True, help="the picture the fake camera shows (e.g. Images/chelsea.jpg)")
    p.add_argument("--screenshots", required=True, help="folder for serve-live.png")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    p.add_argument("--timeout", type=float, default=180, help="seconds to wait for each step")
    args = p.parse_args()

    with tempfile.TemporaryDirectory(prefix="live-camera-") as folder:
        clip = make_clip(args.picture, folder)
        for check, deny in [(run, False), (denied, True)]:
            driver = browser(args, clip, deny=deny)
            try:
                check(driver, WebDriverWait(driver, args.timeout, poll_frequency=0.2), args)
            except TimeoutException as e:
                driver.save_screenshot(os.path.join(args.screenshots, "serve-live-failure.png"))
                fail(f"timed out: {e}; last error {live(driver, 'lastError')}")
            finally:
                driver.quit()
    print("live view test passed", flush=True)


def run(driver, wait, args):
    base = args.url
    query = urllib.parse.urlencode({"style_name": "autumn.jpg", "size": "240", "mirror": "0"})
    driver.get(base + "live?" + query)
    first = driver.current_window_handle
    wait_frames(driver, wait, 3, "/live")
    w, h, diff = driver.execute_script(DIFFERENCE_FROM_CAMERA_JS)
    step(f"/live: {live(driver, 'framesShown')} frames {w}x{h}, mean |stylized - camera| = {diff:.1f} of 255, "
         f"controls {live(driver, 'controls')}")
    if (w, h) != (320, 240):
        fail(f"size=240 should send 320x240 frames from the 640x480 camera, got {w}x{h}")
    if diff <= 10:
        fail(f"the stylized frames barely differ from the camera's picture ({diff:.2f})")
    if live(driver, "controls").get("style_name") != "autumn.jpg":
        fail(f"style_name from the URL not in force: {live(driver, 'controls')}")

    # --- norm switch mid-stream --------------------------------------------------------
    version = live(driver, "version")
    wait.until(lambda d: live(d, "shownVersion") == version and live(d, "framesShown") >= 5)
    v1, n1, before = driver.execute_script(OUTPUT_JS)
    wait.until(lambda d: live(d, "framesShown") > n1)
    v2, _, again = driver.execute_script(OUTPUT_JS)
    steady = mean_difference(before, again)
    new_version = driver.execute_async_script("window.stylizeLive.setNorm('layer').then(arguments[0], e => arguments[0](-1))")
    if new_version != version + 1:
        fail(f"setNorm('layer') was not accepted: version {new_version} after {version}; {live(driver, 'lastError')}")
    wait.until(lambda d: live(d, "shownVersion") == new_version)
    shown = live(driver, "framesShown")
    wait.until(lambda d: live(d, "framesShown") > shown)
    v3, _, after = driver.execute_script(OUTPUT_JS)
    switched = mean_difference(before, after)
    step(f"norm switch: instance frames differ by {steady:.2f} from one another, layer differs from instance by {switched:.2f}; "
         f"controls now {live(driver, 'controls')['norm']}, version {v3}")
    if live(driver, "controls")["norm"] != "layer" or v3 != new_version:
        fail("the layer norm is not in force on the frames shown")
    if not switched > max(2.0, 4 * steady):
        fail(f"the norm switch did not change the frames (instance vs layer {switched:.2f}, between instance frames {steady:.2f})")
    driver.execute_async_script("window.stylizeLive.setNorm('instance').then(arguments[0], arguments[0])")
    wait.until(lambda d: live(d, "shownVersion") == new_version + 1)
    time.sleep(0.5)
    driver.save_screenshot(os.path.join(args.screenshots, "serve-live.png"))
    step("saved serve-live.png")

    # --- snapshot and recording ------------------------------------------------------------
    size = driver.execute_script("return await window.stylizeLive.snapshot()")
    if not size or size < 10_000:
        fail(f"the snapshot PNG is {size} bytes")
    driver.find_element(By.ID, "live-record").click()
    time.sleep(2.5)
    driver.find_element(By.ID, "live-record").click()
    wait.until(lambda d: d.find_element(By.ID, "live-recording").is_displayed())
    link = driver.find_element(By.ID, "live-recording")
    recording = live(driver, "recording")   # (the page's content policy keeps fetch() off blob: URLs)
    recorded = [recording["bytes"], recording["type"]]
    if not (link.get_attribute("download") or "").endswith(".webm") or recorded[0] < 1000:
        fail(f"the recording is not a WebM of the stream: {link.get_attribute('download')} {recorded}")
    step(f"snapshot PNG {size} bytes; recording {link.get_attribute('download')} {recorded[0]} bytes ({recorded[1]})")

    # --- a second client -----------------------------------------------------------------
    driver.switch_to.new_window("window")
    second = driver.current_window_handle
    driver.get(base + "live?size=240&norm=batch")
    wait_frames(driver, wait, 3, "the second client")
    step(f"second client: {live(driver, 'framesShown')} frames, controls {live(driver, 'controls')}")

    # --- a third is refused; the second's place frees when it goes -------------------------
    driver.switch_to.new_window("window")
    third = driver.current_window_handle
    driver.get(base + "live?size=240")
    wait.until(lambda d: (live(d, "lastError") or {}).get("code") == "too_many_clients")
    message = driver.find_element(By.ID, "live-message-text").text
    if "full" not in message or not driver.find_element(By.ID, "live-retry").is_displayed():
        fail(f"the third client should see the server's message and a Retry button, got '{message}'")
    step(f"third client refused: '{message}'")
    driver.switch_to.window(second)
    driver.close()
    driver.switch_to.window(third)
    deadline = time.time() + args.timeout
    while (live(driver, "framesShown") or 0) < 2:
        if time.time() > deadline:
            fail(f"the third client got no frames after the second window closed: {live(driver, 'lastError')}")
        if driver.find_element(By.ID, "live-retry").is_displayed():
            driver.find_element(By.ID, "live-retry").click()
        time.sleep(0.5)
    step(f"after the second window closed, Retry brought {live(driver, 'framesShown')} frames to the third client")
    driver.close()
    driver.switch_to.window(first)


def denied(driver, wait, args):
    """The camera permission denied: the page says so, with Retry, and opens no connection."""
    driver.get(args.url + "live?size=240")
    wait.until(lambda d: (live(d, "lastError") or {}).get("code") == "camera_denied")
    message = driver.find_element(By.ID, "live-message-text").text
    if "denied" not in message or not driver.find_element(By.ID, "live-retry").is_displayed():
        fail(f"denied permission should show the message and Retry, got '{message}'")
    step(f"denied permission: '{message}'")


if __name__ == "__main__":
    main()
