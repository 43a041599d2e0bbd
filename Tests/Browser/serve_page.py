#!/usr/bin/env python3
"""Drives the `stylize serve` page in a real browser (Chromium + chromedriver via Selenium).

Run by Tests/StyleServerTests/BrowserTests.swift against a server it started, or by hand:

    stylize serve --port 8080 &
    python3 Tests/Browser/serve_page.py --url http://127.0.0.1:8080/ \
        --content Images/chelsea.jpg --style Images/autumn.jpg --screenshots docs

Checks, in order (exit status 1 at the first failure, with the reason):
  1. /openapi.yaml is a valid OpenAPI 3 document (openapi-spec-validator; required with
     --require-validator, as CI runs it).
  2. Stylize view: uploads the content and the style through the file inputs, stylizes, moves the
     alpha slider with the keyboard (1.00 -> 0.80, which re-runs), and gets a result image whose
     pixels differ from the content's (mean |difference| over R, G, B > 10 of 255, compared in
     canvases at the result's size); the download link carries the result.
  3. Compare view: one image per variant (AdaIN, AdaBN, AdaLN, AdaGN G=8, G=32) with its
     distances; the contrast slider (1.00 -> 0.50) re-runs them and AdaIN moves least.
Screenshots of both views go to --screenshots (serve-stylize.png, serve-compare.png).
"""
import argparse
import os
import sys
import time
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

EXPECTED_VARIANTS = ["AdaIN", "AdaBN", "AdaLN", "AdaGN (G=8)", "AdaGN (G=32)",
                     "WCT", "WCT-BN", "WCT (G=8)", "WCT (G=32)", "EFDM"]

PIXEL_DIFFERENCE_JS = """
const result = document.getElementById('result'), content = document.getElementById('content-preview');
const w = result.naturalWidth, h = result.naturalHeight;
function pixels(img) {
  const canvas = document.createElement('canvas');
  canvas.width = w; canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0, w, h);
  return ctx.getImageData(0, 0, w, h).data;
}
const a = pixels(result), b = pixels(content);
let sum = 0;
for (let i = 0; i < a.length; i += 4) {
  sum += Math.abs(a[i] - b[i]) + Math.abs(a[i + 1] - b[i + 1]) + Math.abs(a[i + 2] - b[i + 2]);
}
return [w, h, sum / (w * h * 3)];
"""


def fail(message):
    print("FAIL: " + message, flush=True)
    sys.exit(1)


def step(message):
    print("- " + message, flush=True)


def validate_openapi(url, required):
    text = urllib.request.urlopen(url + "openapi.yaml", timeout=30).read().decode()
    try:
        import yaml
        from openapi_spec_validator import validate
    except ImportError as e:
        if required:
            fail(f"openapi-spec-validator is needed to validate /openapi.yaml ({e}); pip install openapi-spec-validator")
        step(f"skipped the OpenAPI validation ({e})")
        return
    validate(yaml.safe_load(text))
    step("/openapi.yaml is a valid OpenAPI document")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--url", required=True, help="the server's base URL, ending in /")
    p.add_argument("--content", required=True)
    p.add_argument("--style", required=True)
    p.add_argument("--screenshots", required=True, help="folder for serve-stylize.png and serve-compare.png")
    p.add_argument("--chromium", default="/usr/bin/chromium")
    p.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    p.add_argument("--timeout", type=float, default=240, help="seconds to wait for each result")
    p.add_argument("--require-validator", action="store_true")
    args = p.parse_args()

    validate_openapi(args.url, args.require_validator)

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    for a in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
              "--window-size=1400,1200", "--force-device-scale-factor=1", "--hide-scrollbars"]:
        options.add_argument(a)
    driver = webdriver.Chrome(service=Service(executable_path=args.chromedriver), options=options)
    wait = WebDriverWait(driver, args.timeout, poll_frequency=0.2)
    try:
        run(driver, wait, args)
    except TimeoutException:
        status = driver.find_element(By.ID, "status").text + " | " + driver.find_element(By.ID, "compare-status").text
        driver.save_screenshot(os.path.join(args.screenshots, "serve-failure.png"))
        fail(f"timed out; status lines: {status}")
    finally:
        driver.quit()
    print("browser test passed", flush=True)


def run(driver, wait, args):
    driver.get(args.url)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#model option")) >= 1)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#style-gallery button")) >= 1)
    step(f"page loaded: {len(driver.find_elements(By.CSS_SELECTOR, '#style-gallery button'))} styles in the gallery, "
         f"models {[o.text for o in driver.find_elements(By.CSS_SELECTOR, '#model option')]}")

    # --- stylize view -----------------------------------------------------------
    driver.find_element(By.ID, "content-file").send_keys(os.path.abspath(args.content))
    driver.find_element(By.ID, "style-file").send_keys(os.path.abspath(args.style))
    wait.until(lambda d: d.execute_script("const i = document.getElementById('content-preview'); return !i.hidden && i.complete && i.naturalWidth > 0"))
    if "uploaded" not in driver.find_element(By.ID, "style-choice").text:
        fail("the uploaded style was not chosen: " + driver.find_element(By.ID, "style-choice").text)
    driver.find_element(By.ID, "run").click()
    wait.until(lambda d: d.find_element(By.ID, "result").get_attribute("data-alpha") == "1.00"
               and d.find_element(By.ID, "status").text.startswith("Done"))
    step("stylized at alpha 1.00: " + driver.find_element(By.ID, "result-caption").text)

    slider = driver.find_element(By.ID, "alpha")
    for _ in range(4):
        slider.send_keys(Keys.ARROW_LEFT)   # 1.00 -> 0.80 in steps of 0.05; each change re-runs (debounced)
    if driver.find_element(By.ID, "alpha-value").text != "0.80":
        fail("the alpha slider did not move to 0.80: " + driver.find_element(By.ID, "alpha-value").text)
    wait.until(lambda d: d.find_element(By.ID, "result").get_attribute("data-alpha") == "0.80"
               and d.find_element(By.ID, "status").text.startswith("Done")
               and d.execute_script("return document.getElementById('result').complete"))
    w, h, diff = driver.execute_script(PIXEL_DIFFERENCE_JS)
    step(f"re-run at alpha 0.80: {w}x{h}, mean |result - content| = {diff:.1f} of 255")
    if diff <= 10:
        fail(f"the result's pixels barely differ from the content's (mean difference {diff:.2f})")
    Select(driver.find_element(By.ID, "match")).select_by_value("covariance")   # re-runs with the WCT swap
    wait.until(lambda d: d.find_element(By.ID, "result-caption").text.endswith("· covariance")
               and d.find_element(By.ID, "status").text.startswith("Done"))
    step("re-run with the covariance match: " + driver.find_element(By.ID, "result-caption").text)
    Select(driver.find_element(By.ID, "match")).select_by_value("moments")
    wait.until(lambda d: d.find_element(By.ID, "result-caption").text.endswith("· moments")
               and d.find_element(By.ID, "status").text.startswith("Done"))
    link = driver.find_element(By.ID, "download")
    if not link.is_displayed() or not (link.get_attribute("href") or "").startswith("blob:") \
            or not (link.get_attribute("download") or "").endswith(".jpg"):
        fail(f"download link not ready: href={link.get_attribute('href')} download={link.get_attribute('download')}")
    driver.save_screenshot(os.path.join(args.screenshots, "serve-stylize.png"))
    step("saved serve-stylize.png")

    # --- compare view -----------------------------------------------------------
    driver.find_element(By.ID, "tab-compare").click()
    if driver.find_element(By.ID, "view-compare").is_displayed() is False:
        fail("the compare view did not open")
    driver.find_element(By.ID, "compare-run").click()
    cards = wait_for_variants(driver, wait, "1")
    step("compare: " + ", ".join(f"{c['name']} s={c['style']} c={c['content']}" for c in cards))

    contrast = driver.find_element(By.ID, "contrast")
    for _ in range(10):
        contrast.send_keys(Keys.ARROW_LEFT)   # 1.00 -> 0.50
    if driver.find_element(By.ID, "contrast-value").text != "×0.50":
        fail("the contrast slider did not move to 0.50: " + driver.find_element(By.ID, "contrast-value").text)
    cards = wait_for_variants(driver, wait, "0.5")
    changes = {c["name"]: float(c["change"]) for c in cards}
    step("contrast x0.5, change from x1: " + ", ".join(f"{k} {v:.4f}" for k, v in changes.items()))
    others = [v for k, v in changes.items() if k in ("AdaBN", "AdaLN", "AdaGN (G=8)", "AdaGN (G=32)")]
    if not changes["AdaIN"] < min(others):
        fail(f"AdaIN should move less than the other norms when the content's contrast changes: {changes}")
    if not changes["WCT"] < changes["WCT-BN"]:
        fail(f"WCT (the content's own covariance) should move less than WCT-BN (the population's): {changes}")
    driver.execute_script("window.scrollTo(0, 0)")
    driver.save_screenshot(os.path.join(args.screenshots, "serve-compare.png"))
    step("saved serve-compare.png")


def wait_for_variants(driver, wait, contrast):
    """Waits until the grid shows the comparison at `contrast` with every variant's image loaded."""
    def ready(d):
        grid = d.find_element(By.ID, "variants")
        if grid.get_attribute("data-contrast") != contrast or "busy" in (grid.get_attribute("class") or ""):
            return False
        return d.execute_script("""
            const imgs = [...document.querySelectorAll('#variants .card.variant img')];
            return imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0);""")
    wait.until(ready)
    cards = driver.execute_script("""
        return [...document.querySelectorAll('#variants .card.variant')].map(c => ({
          name: c.dataset.name, change: c.dataset.change || null,
          style: c.querySelector('.metrics div:nth-child(1)').textContent.replace('style distance ', ''),
          content: c.querySelector('.metrics div:nth-child(2)').textContent.replace('content distance ', ''),
          width: c.querySelector('img').naturalWidth }));""")
    names = [c["name"] for c in cards]
    if names != EXPECTED_VARIANTS:
        fail(f"expected one image per variant {EXPECTED_VARIANTS}, got {names}")
    if any(c["width"] <= 0 for c in cards):
        fail("a variant image did not load")
    return cards


if __name__ == "__main__":
    main()
