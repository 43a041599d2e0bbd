extension Assets {
    /// The live view's behaviour (`/live.js`, after `app.js`): the camera through
    /// `getUserMedia`, frames to `/v1/live` and back (see `LiveFrame` for the bytes), one frame
    /// in flight, the controls of the page sent as they change, and `window.stylizeLive` for
    /// automation. Values are passed to the server as given (the URL's query included): the
    /// server judges them and its error messages are shown.
    static let liveScript = #"""
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const page = window.stylizePage;
  const HEADER = 24, MAGIC = [83, 76, 70, 49];   // "SLF1"
  const params = new URLSearchParams(location.search);
  const transport = params.get("transport") === "jpeg" ? 1 : 0;   // 0 RGBA, 1 JPEG
  const video = $("live-camera"), output = $("live-output");
  const outputContext = output.getContext("2d");
  const grab = document.createElement("canvas");
  const grabContext = grab.getContext("2d", { willReadFrequently: true });

  let ws = null, stream = null, running = false, stopping = false;
  let inFlight = null;            // {number, sentAt}
  let number = 0, cameraFrames = 0, lastSentCamera = -1, unsent = false, generation = 0;
  let shownTimes = [];
  const pending = [];             // resolvers of control messages, answered in order
  let recorder = null, recordURL = null;

  // For automation: kept current; the setters change the control on the page and send it.
  const live = window.stylizeLive = {
    framesShown: 0, fps: 0, latencyMs: 0, serverMs: 0, dropped: 0, lastError: null,
    running: false, version: 0, shownVersion: -1, controls: null, limits: null, width: 0, height: 0,
    recording: null,              // {bytes, type} of the last recording
    latencies: [],                // the last 2000 end-to-end latencies (ms)
    serverTimes: [],              // and the server's part of each (ms)
    start, stop, snapshot,
    setNorm: (name, groups) => {
      $("norm").value = name;
      $("groups-row").hidden = name !== "group";
      if (groups !== undefined) $("groups").value = String(groups);
      return send(name === "group" ? { norm: name, groups: groups !== undefined ? groups : $("groups").value } : { norm: name });
    },
    setGroups: (g) => { $("groups").value = String(g); return send({ groups: g }); },
    setAlpha: (a) => { $("alpha").value = String(a); $("alpha-value").textContent = Number(a).toFixed(2); return send({ alpha: a }); },
    setModel: (m) => { $("model").value = m; page.modelChanged(); return send({ model: m, match: m === "adain" ? $("match").value : "moments" }); },
    setMatch: (name) => { $("match").value = name; return send({ match: name }); },
    setStyle: (name) => { page.chooseStyle({ kind: "name", value: name, label: name }); return lastSend; },
    setPreset: (spec) => { $("preset").value = String(spec); page.chooseStyle({ kind: "preset", value: String(spec), label: "Magenta preset " + spec }); return lastSend; },
    setStats: (s) => { $("live-stats").value = s; return send({ stats: s }); },
    setSize: (p) => { $("live-size").value = String(p); return Promise.resolve(Number(p)); },
    setMirror: (on) => { $("live-mirror").checked = !!on; mirrorChanged(); return Promise.resolve(!!on); },
  };
  let lastSend = Promise.resolve(null);

  // ---- messages on the page -------------------------------------------------
  function status() {
    const l = live;
    $("live-status").textContent = l.running
      ? `${l.fps.toFixed(1)} fps · latency ${Math.round(l.latencyMs)} ms (server ${Math.round(l.serverMs)} ms) · dropped ${l.dropped} · ${l.width}×${l.height} · ${l.framesShown} frames`
      : (l.framesShown ? `stopped after ${l.framesShown} frames` : "camera off");
    if (l.controls) {
      const c = l.controls;
      const style = c.style_name || (c.preset !== undefined ? "preset " + c.preset : c.style_upload || "no style");
      $("live-caption").textContent = `stylized · ${c.model} · ${style} · ${c.norm}${c.norm === "group" ? " G=" + c.groups : ""}${c.match && c.match !== "moments" ? " · " + c.match : ""} · α ${Number(c.alpha).toFixed(2)} · ${c.stats} statistics`;
    }
  }
  function showMessage(text, retry) {
    $("live-message-text").textContent = text;
    $("live-retry").hidden = !retry;
    $("live-message").hidden = false;
  }
  function clearMessage() { $("live-message").hidden = true; }
  function fail(code, message, retry) {
    live.lastError = { code, message };
    showMessage(message, retry);
    status();
  }

  function cameraError(e) {
    switch (e && e.name) {
      case "NotAllowedError": case "SecurityError":
        return ["camera_denied", "Camera permission was denied. Allow the camera for this page (the camera icon in the address bar), then press Retry."];
      case "NotFoundError": case "OverconstrainedError":
        return ["no_camera", "No camera was found. Connect a camera, then press Retry."];
      case "NotReadableError": case "AbortError":
        return ["camera_busy", "The camera could not be started: another program may be using it. Close it, then press Retry."];
      default:
        return ["camera_error", "The camera could not be started: " + (e && e.message ? e.message : String(e))];
    }
  }

  // ---- start and stop -------------------------------------------------------
  async function start() {
    if (running) return;
    clearMessage();
    live.lastError = null;
    running = true; stopping = false; live.running = true;
    $("live-start").hidden = true; $("live-stop").hidden = false;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      stop(true);
      return fail("no_camera_api", "This browser offers no camera here: the camera needs a secure context, so open the page as http://127.0.0.1:PORT/live or http://localhost:PORT/live.", true);
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 640 }, height: { ideal: 480 } }, audio: false });
    } catch (e) {
      stop(true);
      const [code, message] = cameraError(e);
      return fail(code, message, true);
    }
    if (!running) { stream.getTracks().forEach((t) => t.stop()); return; }
    video.srcObject = stream;
    try { await video.play(); } catch (_) { /* autoplay of a muted video is allowed */ }
    watchCamera();
    connect();
  }

  function stop(quiet) {
    stopping = true;
    generation += 1;
    running = false; live.running = false;
    if (recorder && recorder.state !== "inactive") recorder.stop();
    if (ws) { try { ws.close(1000, "stopped"); } catch (_) {} ws = null; }
    if (stream) { stream.getTracks().forEach((t) => t.stop()); stream = null; }
    video.srcObject = null;
    inFlight = null;
    while (pending.length) pending.shift().reject(new Error("stopped"));
    $("live-start").hidden = false; $("live-stop").hidden = true;
    $("live-snapshot").disabled = live.framesShown === 0;
    $("live-record").disabled = true;
    if (!quiet) status();
  }

  function connect() {
    const socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/v1/live");
    socket.binaryType = "arraybuffer";
    ws = socket;
    socket.onmessage = (event) => {
      if (socket !== ws) return;
      if (typeof event.data === "string") received(JSON.parse(event.data));
      else shown(event.data);
    };
    socket.onclose = (event) => {
      if (socket !== ws) return;
      const said = live.lastError;
      stop(true);
      if (said && said.closes) fail(said.code, said.message, true);
      else fail("server_gone", `The server is gone: the connection closed${event.code && event.code !== 1006 ? " (" + event.code + (event.reason ? ": " + event.reason : "") + ")" : ""}. Is stylize serve still running? Press Retry.`, true);
    };
  }

  // ---- the controls -----------------------------------------------------------
  function send(controls) {
    if (!ws || ws.readyState !== WebSocket.OPEN) return (lastSend = Promise.resolve(null));
    lastSend = new Promise((resolve, reject) => pending.push({ resolve, reject }));
    ws.send(JSON.stringify(Object.assign({ type: "controls" }, controls)));
    lastSend.catch(() => {});
    return lastSend;
  }

  function styleControls(style) {
    if (!style) return {};
    if (style.kind === "name") return { style_name: style.value };
    if (style.kind === "preset") return { preset: style.value, model: "magenta" };
    return null;   // an upload goes as a binary message
  }

  async function sendStyle(style) {
    const fields = styleControls(style);
    if (fields) return send(fields);
    const bytes = new Uint8Array(await style.value.arrayBuffer());
    const message = new Uint8Array(4 + bytes.length);
    message.set([83, 76, 83, 49]);   // "SLS1"
    message.set(bytes, 4);
    if (!ws || ws.readyState !== WebSocket.OPEN) return null;
    lastSend = new Promise((resolve, reject) => pending.push({ resolve, reject }));
    lastSend.catch(() => {});
    ws.send(message.buffer);
    return lastSend;
  }

  /// The first controls of a connection: the page's, then the URL's as given.
  function initialControls() {
    const c = { model: $("model").value || "adain", alpha: $("alpha").value, norm: $("norm").value, stats: $("live-stats").value };
    c.match = c.model === "adain" ? $("match").value : "moments";
    if ($("norm").value === "group") c.groups = $("groups").value;
    const style = page.state.style;
    Object.assign(c, styleControls(style) || {});
    for (const key of ["model", "style_name", "preset", "alpha", "norm", "groups", "match", "stats"]) {
      if (params.has(key)) c[key] = params.get(key);
    }
    if (params.has("style_name")) delete c.preset;
    if (params.has("preset")) { delete c.style_name; if (!params.has("model")) c.model = "magenta"; }
    if (c.model !== "adain" && !params.has("match")) c.match = "moments";
    return c;
  }

  function received(message) {
    if (message.type === "hello") {
      live.limits = message.limits;
      const first = initialControls();
      if (!first.style_name && first.preset === undefined && !(page.state.style && page.state.style.kind === "upload")) {
        const gallery = [...document.querySelectorAll("#style-gallery button")].map((b) => b.dataset.name);
        const name = gallery.includes("autumn.jpg") ? "autumn.jpg" : gallery[0];
        if (name) { page.chooseStyle({ kind: "name", value: name, label: name }); first.style_name = name; }
      }
      send(first);
      if (page.state.style && page.state.style.kind === "upload" && !params.has("style_name") && !params.has("preset")) sendStyle(page.state.style);
      return;
    }
    if (message.type === "controls") {
      live.version = message.version;
      live.controls = message.controls;
      const waiter = pending.shift();
      if (waiter) waiter.resolve(message.version);
      status();
      maybeSend();
      return;
    }
    if (message.type === "error") {
      live.lastError = message;
      if (message.frame !== undefined) {
        live.dropped += 1;
        if (inFlight && inFlight.number === message.frame) inFlight = null;
        if (message.code !== "busy") showMessage(message.message, false);
        maybeSend();
      } else if (!message.closes) {
        const waiter = pending.shift();
        if (waiter) waiter.reject(Object.assign(new Error(message.message), message));
        showMessage(message.message, false);
      } else {
        showMessage(message.message, true);
      }
      status();
    }
  }

  document.addEventListener("stylize:controls", (event) => {
    if (!running) return;
    const d = event.detail;
    if (d.style) { sendStyle(d.style); return; }
    send(d);
  });
  document.addEventListener("stylize:view", (event) => { if (event.detail !== "live" && running) stop(); });
  $("live-stats").addEventListener("change", () => { if (running) send({ stats: $("live-stats").value }); });
  function mirrorChanged() { video.classList.toggle("mirrored", $("live-mirror").checked); }
  $("live-mirror").addEventListener("change", mirrorChanged);

  // ---- frames -----------------------------------------------------------------
  /// Counts the camera's frames; a frame the next one replaces before it could be sent
  /// (the last one had not come back yet) is dropped.
  function watchCamera() {
    const mine = ++generation;
    unsent = false;
    const tick = () => {
      if (!stream || mine !== generation) return false;
      if (unsent && live.controls) live.dropped += 1;
      cameraFrames += 1;
      unsent = true;
      maybeSend();
      return true;
    };
    if (video.requestVideoFrameCallback) {
      const again = () => { if (tick()) video.requestVideoFrameCallback(again); };
      video.requestVideoFrameCallback(again);
    } else {
      const timer = setInterval(() => { if (!tick()) clearInterval(timer); }, 33);
    }
  }

  /// The frame size for the chosen height (240/360/480 on the shorter side), even numbers.
  function frameSize() {
    const side = Number($("live-size").value) || 240;
    const vw = video.videoWidth || 640, vh = video.videoHeight || 480;
    const scale = side / Math.min(vw, vh);
    return [Math.max(2, Math.round(vw * scale / 2) * 2), Math.max(2, Math.round(vh * scale / 2) * 2)];
  }

  async function maybeSend() {
    if (!running || inFlight || !ws || ws.readyState !== WebSocket.OPEN || !live.controls) return;
    if (cameraFrames === lastSentCamera || video.readyState < 2) return;
    lastSentCamera = cameraFrames;
    unsent = false;
    const [w, h] = frameSize();
    if (grab.width !== w || grab.height !== h) { grab.width = w; grab.height = h; }
    grabContext.save();
    if ($("live-mirror").checked) { grabContext.translate(w, 0); grabContext.scale(-1, 1); }
    grabContext.drawImage(video, 0, 0, w, h);
    grabContext.restore();
    number = (number + 1) >>> 0;
    const mine = { number, sentAt: performance.now() };
    inFlight = mine;
    let pixels;
    if (transport === 1) {
      const blob = await new Promise((resolve) => grab.toBlob(resolve, "image/jpeg", 0.85));
      pixels = new Uint8Array(await blob.arrayBuffer());
    } else {
      pixels = grabContext.getImageData(0, 0, w, h).data;
    }
    const message = new Uint8Array(HEADER + pixels.length);
    const view = new DataView(message.buffer);
    message.set(MAGIC, 0);
    view.setUint32(4, mine.number, true);
    view.setUint16(8, w, true);
    view.setUint16(10, h, true);
    message[12] = transport;
    message.set(pixels, HEADER);
    if (!ws || inFlight !== mine) return;
    ws.send(message.buffer);
  }

  async function shown(buffer) {
    const view = new DataView(buffer);
    const n = view.getUint32(4, true), w = view.getUint16(8, true), h = view.getUint16(10, true);
    const format = view.getUint8(12), version = view.getUint32(16, true), micros = view.getUint32(20, true);
    const sent = inFlight && inFlight.number === n ? inFlight.sentAt : null;
    if (output.width !== w || output.height !== h) { output.width = w; output.height = h; }
    if (format === 0) {
      outputContext.putImageData(new ImageData(new Uint8ClampedArray(buffer, HEADER, 4 * w * h), w, h), 0, 0);
    } else {
      const bitmap = await createImageBitmap(new Blob([new Uint8Array(buffer, HEADER)], { type: "image/jpeg" }));
      outputContext.drawImage(bitmap, 0, 0);
      bitmap.close();
    }
    const now = performance.now();
    if (sent !== null) {
      live.latencyMs = now - sent;
      live.latencies.push(live.latencyMs);
      if (live.latencies.length > 2000) live.latencies.shift();
      inFlight = null;
    }
    live.serverMs = micros / 1000;
    live.serverTimes.push(live.serverMs);
    if (live.serverTimes.length > 2000) live.serverTimes.shift();
    live.framesShown += 1;
    live.shownVersion = version;
    live.width = w; live.height = h;
    shownTimes.push(now);
    while (shownTimes.length && shownTimes[0] < now - 2000) shownTimes.shift();
    live.fps = shownTimes.length > 1 ? (shownTimes.length - 1) * 1000 / (shownTimes[shownTimes.length - 1] - shownTimes[0]) : 0;
    $("live-snapshot").disabled = false;
    $("live-record").disabled = !window.MediaRecorder;
    if (live.framesShown % 5 === 1) status();
    maybeSend();
  }

  // ---- snapshot and recording -------------------------------------------------
  function download(url, name) {
    const a = document.createElement("a");
    a.href = url; a.download = name;
    document.body.append(a); a.click(); a.remove();
  }
  function stamp() { return new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19); }
  function snapshot() {
    return new Promise((resolve) => output.toBlob((blob) => {
      const url = URL.createObjectURL(blob);
      download(url, `stylized-${stamp()}.png`);
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      resolve(blob.size);
    }, "image/png"));
  }
  $("live-snapshot").addEventListener("click", snapshot);
  $("live-record").addEventListener("click", () => {
    if (recorder && recorder.state === "recording") { recorder.stop(); return; }
    const chunks = [];
    recorder = new MediaRecorder(output.captureStream(30), { mimeType: MediaRecorder.isTypeSupported("video/webm;codecs=vp8") ? "video/webm;codecs=vp8" : "video/webm" });
    recorder.ondataavailable = (e) => { if (e.data.size) chunks.push(e.data); };
    recorder.onstop = () => {
      if (recordURL) URL.revokeObjectURL(recordURL);
      const blob = new Blob(chunks, { type: "video/webm" });
      live.recording = { bytes: blob.size, type: blob.type };
      recordURL = URL.createObjectURL(blob);
      const link = $("live-recording");
      link.href = recordURL; link.download = `stylized-${stamp()}.webm`; link.hidden = false;
      $("live-record").textContent = "Record";
    };
    recorder.start(1000);
    $("live-record").textContent = "Stop recording";
  });

  $("live-start").addEventListener("click", start);
  $("live-stop").addEventListener("click", () => stop());
  $("live-retry").addEventListener("click", () => { clearMessage(); start(); });

  // ---- /live?...: the URL's controls, and the camera at once ----------------------
  if (params.has("size")) $("live-size").value = params.get("size");
  if (params.has("stats")) $("live-stats").value = params.get("stats");
  if (params.has("mirror")) $("live-mirror").checked = !["0", "false", "off", "no"].includes(params.get("mirror").toLowerCase());
  mirrorChanged();
  if (location.pathname === "/live") page.ready.then(() => {
    if (params.has("model")) { $("model").value = params.get("model"); page.modelChanged(); }
    if (params.has("norm")) { $("norm").value = params.get("norm"); $("groups-row").hidden = params.get("norm") !== "group"; }
    if (params.has("groups")) $("groups").value = params.get("groups");
    if (params.has("match")) $("match").value = params.get("match");
    if (params.has("alpha")) { $("alpha").value = params.get("alpha"); $("alpha-value").textContent = Number($("alpha").value).toFixed(2); }
    if (params.has("style_name")) page.chooseStyle({ kind: "name", value: params.get("style_name"), label: params.get("style_name") });
    else if (params.has("preset")) { $("preset").value = params.get("preset"); page.chooseStyle({ kind: "preset", value: params.get("preset"), label: "Magenta preset " + params.get("preset") }); }
    start();
  });
  status();
})();
"""#
}
