extension Assets {
    /// The page's behaviour: plain JavaScript, no libraries, no build step.
    static let script = #"""
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const state = {
    content: null,          // File
    style: null,            // {kind: "name"|"upload"|"preset", value, label}
    models: [],
    stylizeRun: null,       // AbortController of the running stylize request
    compareRun: null,
    resultURL: null,
    hasResult: false,
    hasComparison: false,
  };

  function debounce(fn, ms) {
    let t = null;
    return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); };
  }

  async function errorMessage(response) {
    try {
      const body = await response.json();
      if (body && body.error && body.error.message) return `${response.status}: ${body.error.message}`;
    } catch (_) { /* not JSON */ }
    return `${response.status} ${response.statusText}`;
  }

  function setStatus(el, text, isError) {
    el.textContent = text;
    el.classList.toggle("error", !!isError);
  }

  // ---- views -------------------------------------------------------------
  // The live view (live.js) listens for "stylize:view" and "stylize:controls" on document.
  function showView(name) {
    for (const v of ["stylize", "compare", "live"]) {
      $("view-" + v).hidden = v !== name;
      $("tab-" + v).classList.toggle("active", v === name);
    }
    for (const el of document.querySelectorAll(".stylize-only")) el.classList.toggle("busy", name === "compare");
    for (const el of document.querySelectorAll(".photo-only")) el.classList.toggle("busy", name === "live");
    if (name === "live" && location.pathname === "/live") { /* its own URL, with its query */ }
    else if (location.pathname === "/live") history.replaceState(null, "", "/#" + name);
    else if (location.hash !== "#" + name) history.replaceState(null, "", "#" + name);
    document.dispatchEvent(new CustomEvent("stylize:view", { detail: name }));
  }
  function controlsChanged(detail) { document.dispatchEvent(new CustomEvent("stylize:controls", { detail })); }
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => showView(tab.dataset.view));

  // ---- content -----------------------------------------------------------
  function setContent(file) {
    if (!file) return;
    state.content = file;
    const img = $("content-preview");
    img.src = URL.createObjectURL(file);
    img.hidden = false;
    $("content-drop").classList.add("chosen");
    $("content-drop").querySelector(".drop-text").textContent = file.name;
    rerun();
  }
  $("content-file").addEventListener("change", (e) => setContent(e.target.files[0]));

  function dropZone(zone, onFile) {
    zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
    zone.addEventListener("dragleave", () => zone.classList.remove("over"));
    zone.addEventListener("drop", (e) => {
      e.preventDefault();
      zone.classList.remove("over");
      if (e.dataTransfer.files.length) onFile(e.dataTransfer.files[0]);
    });
  }
  dropZone($("content-drop"), setContent);

  // ---- style ------------------------------------------------------------
  function chooseStyle(style) {
    state.style = style;
    for (const b of $("style-gallery").querySelectorAll("button")) {
      b.classList.toggle("selected", style.kind === "name" && b.dataset.name === style.value);
    }
    $("style-drop").classList.toggle("chosen", style.kind === "upload");
    if (style.kind !== "preset") $("preset").value = "";
    $("style-choice").textContent = "Style: " + style.label;
    controlsChanged({ style });
    rerun();
  }

  function setStyleFile(file) {
    if (!file) return;
    const img = $("style-preview");
    img.src = URL.createObjectURL(file);
    img.hidden = false;
    $("style-drop").querySelector(".drop-text").textContent = file.name;
    chooseStyle({ kind: "upload", value: file, label: file.name + " (uploaded)" });
  }
  $("style-file").addEventListener("change", (e) => setStyleFile(e.target.files[0]));
  dropZone($("style-drop"), setStyleFile);

  $("preset").addEventListener("change", () => {
    const v = $("preset").value;
    if (v !== "") chooseStyle({ kind: "preset", value: v, label: "Magenta preset " + v });
  });

  async function loadStyles() {
    const gallery = $("style-gallery");
    try {
      const r = await fetch("/v1/styles");
      if (!r.ok) throw new Error(await errorMessage(r));
      const { styles } = await r.json();
      gallery.replaceChildren();
      for (const s of styles) {
        const b = document.createElement("button");
        b.type = "button";
        b.dataset.name = s.name;
        b.title = s.name;
        const img = document.createElement("img");
        img.src = s.url;
        img.alt = s.name;
        img.loading = "lazy";
        const label = document.createElement("span");
        label.textContent = s.name;
        b.append(img, label);
        b.addEventListener("click", () => chooseStyle({ kind: "name", value: s.name, label: s.name }));
        gallery.append(b);
      }
      if (!styles.length) gallery.textContent = "No styles folder: upload a style image.";
    } catch (e) {
      gallery.textContent = "Could not list styles: " + e.message;
    }
  }

  // ---- models -----------------------------------------------------------
  async function loadModels() {
    const select = $("model");
    try {
      const r = await fetch("/v1/models");
      const { models } = await r.json();
      state.models = models;
      select.replaceChildren();
      for (const m of models) {
        const o = document.createElement("option");
        o.value = m.id;
        o.textContent = m.available ? m.id : `${m.id} (unavailable)`;
        o.disabled = !m.available;
        if (m.reason) o.title = m.reason;
        select.append(o);
      }
      const magenta = models.find((m) => m.id === "magenta");
      if (magenta && magenta.presets) {
        for (let i = 0; i < magenta.preset_count; i++) {
          const o = document.createElement("option");
          o.value = String(i);
          o.textContent = "preset " + i;
          $("preset").append(o);
        }
      }
      modelChanged();
    } catch (e) {
      select.replaceChildren(new Option("(models unavailable)", ""));
    }
  }
  function modelChanged() {
    const m = state.models.find((x) => x.id === $("model").value);
    $("preset-row").hidden = !(m && m.presets);
    if (state.style && state.style.kind === "preset" && $("preset-row").hidden) {
      state.style = null;
      $("style-choice").textContent = "No style chosen yet.";
    }
  }
  /// The match the live view sends: the select's for the AdaIN family; Magenta's norms have
  /// no style features to whiten, so it runs moments.
  function liveMatch() { return $("model").value === "adain" ? $("match").value : "moments"; }
  $("model").addEventListener("change", () => { modelChanged(); controlsChanged({ model: $("model").value, match: liveMatch() }); rerun(); });

  async function loadHealth() {
    try {
      const h = await (await fetch("/healthz")).json();
      $("health").textContent = `${h.threads} threads · queue ${h.queue.waiting}/${h.queue.capacity}`;
    } catch (_) { $("health").textContent = ""; }
  }

  // ---- options ----------------------------------------------------------
  $("alpha").addEventListener("input", () => { $("alpha-value").textContent = Number($("alpha").value).toFixed(2); });
  $("norm").addEventListener("change", () => { $("groups-row").hidden = $("norm").value !== "group"; });
  for (const id of ["alpha", "norm", "groups", "match", "preserve-color", "content-size"]) $(id).addEventListener("change", () => rerun());
  $("alpha").addEventListener("change", () => controlsChanged({ alpha: $("alpha").value }));
  $("norm").addEventListener("change", () => controlsChanged($("norm").value === "group" ? { norm: "group", groups: $("groups").value } : { norm: $("norm").value }));
  $("groups").addEventListener("change", () => { if ($("norm").value === "group") controlsChanged({ norm: "group", groups: $("groups").value }); });
  $("match").addEventListener("change", () => controlsChanged({ match: liveMatch() }));

  function styleFields(form, allowPreset) {
    const s = state.style;
    if (s.kind === "upload") form.append("style", s.value, s.value.name);
    else if (s.kind === "name") form.append("style_name", s.value);
    else if (allowPreset) form.append("preset", s.value);
    else return false;
    return true;
  }

  // ---- stylize ----------------------------------------------------------
  async function stylize() {
    const status = $("status");
    if (!state.content) return setStatus(status, "Choose a content photo first.", true);
    if (!state.style) return setStatus(status, "Choose a style first.", true);
    if (state.stylizeRun) state.stylizeRun.abort();   // the server cancels the abandoned job
    const run = new AbortController();
    state.stylizeRun = run;
    const form = new FormData();
    form.append("content", state.content, state.content.name);
    styleFields(form, true);
    form.append("model", state.style.kind === "preset" ? "magenta" : $("model").value);
    form.append("alpha", $("alpha").value);
    form.append("norm", $("norm").value);
    form.append("groups", $("groups").value);
    if (form.get("model") === "adain") form.append("match", $("match").value);
    form.append("preserve_color", $("preserve-color").checked ? "true" : "false");
    form.append("content_size", $("content-size").value);
    setStatus(status, "Stylizing…");
    $("run").disabled = true;
    $("result").classList.add("busy");
    const t0 = performance.now();
    try {
      const r = await fetch("/v1/stylize", { method: "POST", body: form, signal: run.signal });
      if (!r.ok) throw new Error(await errorMessage(r));
      const blob = await r.blob();
      if (state.resultURL) URL.revokeObjectURL(state.resultURL);
      state.resultURL = URL.createObjectURL(blob);
      const img = $("result");
      img.dataset.alpha = Number($("alpha").value).toFixed(2);
      await new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; img.src = state.resultURL; });
      $("result-figure").hidden = false;
      $("stylize-hint").hidden = true;
      const name = (/filename="([^"]+)"/.exec(r.headers.get("Content-Disposition") || "") || [])[1] || "stylized.png";
      const link = $("download");
      link.href = state.resultURL;
      link.download = name;
      link.hidden = false;
      $("result-caption").textContent = `${r.headers.get("X-Stylize-Size")} · ${r.headers.get("X-Stylize-Seconds")} s on the server · α ${img.dataset.alpha} · ${$("norm").value}${form.get("model") === "adain" ? " · " + $("match").value : ""}`;
      state.hasResult = true;
      setStatus(status, `Done in ${((performance.now() - t0) / 1000).toFixed(1)} s.`);
    } catch (e) {
      if (e.name === "AbortError") return;
      setStatus(status, e.message, true);
    } finally {
      if (state.stylizeRun === run) {
        state.stylizeRun = null;
        $("run").disabled = false;
        $("result").classList.remove("busy");
      }
      loadHealth();
    }
  }
  $("run").addEventListener("click", stylize);

  // ---- compare ----------------------------------------------------------
  const fmt = (x) => (x === null || x === undefined) ? "–" : (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3));

  function card(title, imgSrc, lines, extraClass) {
    const c = document.createElement("div");
    c.className = "card" + (extraClass ? " " + extraClass : "");
    if (imgSrc) {
      const img = document.createElement("img");
      img.src = imgSrc;
      img.alt = title;
      c.append(img);
    }
    const h = document.createElement("h3");
    h.textContent = title;
    const m = document.createElement("div");
    m.className = "metrics";
    for (const line of lines) {
      const d = document.createElement("div");
      d.textContent = line;
      m.append(d);
    }
    c.append(h, m);
    return c;
  }

  async function compare() {
    const status = $("compare-status");
    if (!state.content) return setStatus(status, "Choose a content photo first.", true);
    if (!state.style || state.style.kind === "preset") return setStatus(status, "Choose a style image (the comparison measures distances to it).", true);
    if (state.compareRun) state.compareRun.abort();
    const run = new AbortController();
    state.compareRun = run;
    const form = new FormData();
    form.append("content", state.content, state.content.name);
    styleFields(form, false);
    form.append("model", $("model").value);
    form.append("alpha", $("alpha").value);
    form.append("contrast", $("contrast").value);
    form.append("brightness", $("brightness").value);
    form.append("groups", $("compare-groups").value);
    if ($("model").value === "adain") form.append("matches", $("compare-matches").value);
    setStatus(status, "Running every variant…");
    $("compare-run").disabled = true;
    $("variants").classList.add("busy");
    try {
      const r = await fetch("/v1/compare", { method: "POST", body: form, signal: run.signal });
      if (!r.ok) throw new Error(await errorMessage(r));
      const result = await r.json();
      const grid = $("variants");
      const cards = [card(`content (contrast ×${Number(result.contrast).toFixed(2)}, brightness ${result.brightness >= 0 ? "+" : ""}${Number(result.brightness).toFixed(2)})`,
                          result.content, [`${result.width}×${result.height}`], "reference")];
      for (const v of result.variants) {
        const lines = [`style distance ${fmt(v.style_distance)}`, `content distance ${fmt(v.content_distance)}`];
        if (v.change !== null) lines.push(`moved ${fmt(v.change)} from ×1`);
        lines.push(`${v.seconds.toFixed(2)} s`);
        const c = card(v.name, v.image, lines, "variant");
        c.dataset.name = v.name;
        if (v.caption) c.title = v.caption;
        if (v.change !== null) c.dataset.change = String(v.change);
        cards.push(c);
      }
      for (const s of result.skipped) cards.push(card(s.name + " (skipped)", null, [s.reason], "skipped"));
      grid.replaceChildren(...cards);
      grid.dataset.contrast = String(result.contrast);
      state.hasComparison = true;
      setStatus(status, `${result.variants.length} variants in ${result.seconds.toFixed(1)} s (${result.model}).`);
    } catch (e) {
      if (e.name === "AbortError") return;
      setStatus(status, e.message, true);
    } finally {
      if (state.compareRun === run) {
        state.compareRun = null;
        $("compare-run").disabled = false;
        $("variants").classList.remove("busy");
      }
      loadHealth();
    }
  }
  $("compare-run").addEventListener("click", compare);

  const rerunCompare = debounce(() => { if (state.hasComparison) compare(); }, 300);
  $("contrast").addEventListener("input", () => { $("contrast-value").textContent = "×" + Number($("contrast").value).toFixed(2); });
  $("brightness").addEventListener("input", () => {
    const b = Number($("brightness").value);
    $("brightness-value").textContent = (b >= 0 ? "+" : "") + b.toFixed(2);
  });
  for (const id of ["contrast", "brightness", "compare-groups", "compare-matches"]) $(id).addEventListener("change", rerunCompare);

  // Re-runs whatever is on screen after an input changed.
  const rerun = debounce(() => {
    if (!$("view-stylize").hidden && state.hasResult) stylize();
    if (!$("view-compare").hidden && state.hasComparison) compare();
  }, 300);

  // What the live view needs of the page: the controls' state, choosing a style, and a
  // promise that the models and styles are listed.
  window.stylizePage = {
    state,
    chooseStyle,
    modelChanged,
    ready: Promise.all([loadModels(), loadStyles()]),
  };
  showView(location.pathname === "/live" ? "live" : location.hash === "#compare" ? "compare" : location.hash === "#live" ? "live" : "stylize");
  loadHealth();
})();
"""#
}
