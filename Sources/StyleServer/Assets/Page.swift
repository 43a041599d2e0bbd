extension Assets {
    /// The single page: both views, the controls they share; behaviour in `app.js`.
    static let pageHTML = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>stylize</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
<script src="/live.js" defer></script>
</head>
<body>
<header>
  <h1>stylize</h1>
  <nav>
    <button type="button" id="tab-stylize" class="tab active" data-view="stylize">Stylize</button>
    <button type="button" id="tab-compare" class="tab" data-view="compare">Compare normalizations</button>
    <button type="button" id="tab-live" class="tab" data-view="live">Live</button>
  </nav>
  <span id="health" class="muted"></span>
</header>
<main>
  <aside id="controls">
    <section class="photo-only">
      <h2>Content</h2>
      <label id="content-drop" class="drop">
        <input type="file" id="content-file" accept="image/jpeg,image/png">
        <span class="drop-text">Drop a photo here or click to choose (JPEG or PNG)</span>
        <img id="content-preview" alt="content preview" hidden>
      </label>
    </section>
    <section>
      <h2>Style</h2>
      <label class="row">Model <select id="model"></select></label>
      <div id="style-gallery" class="gallery" role="listbox" aria-label="styles folder"></div>
      <label id="style-drop" class="drop small">
        <input type="file" id="style-file" accept="image/jpeg,image/png">
        <span class="drop-text">Upload a style image</span>
        <img id="style-preview" alt="uploaded style" hidden>
      </label>
      <label id="preset-row" class="row" hidden>Magenta preset
        <select id="preset"><option value="">(none)</option></select>
      </label>
      <p id="style-choice" class="muted">No style chosen yet.</p>
    </section>
    <section>
      <h2>Options</h2>
      <label class="row slider">Style strength &alpha;
        <input type="range" id="alpha" min="0" max="1" step="0.05" value="1">
        <output id="alpha-value" for="alpha">1.00</output>
      </label>
      <label class="row stylize-only">Normalization
        <select id="norm">
          <option value="instance">instance (AdaIN)</option>
          <option value="batch">batch (AdaBN)</option>
          <option value="layer">layer (AdaLN)</option>
          <option value="group">group (AdaGN)</option>
        </select>
      </label>
      <label id="groups-row" class="row stylize-only" hidden>Groups G <input type="number" id="groups" min="1" max="512" value="32"></label>
      <label class="row stylize-only">Statistic match
        <select id="match">
          <option value="moments" selected>moments: mean, std (AdaIN)</option>
          <option value="covariance">covariance (WCT)</option>
          <option value="distribution">distribution (EFDM)</option>
        </select>
      </label>
      <label class="row stylize-only photo-only"><input type="checkbox" id="preserve-color"> Preserve colour</label>
      <label class="row stylize-only photo-only">Size (shorter side)
        <select id="content-size">
          <option value="256">256 px</option>
          <option value="512" selected>512 px</option>
          <option value="768">768 px</option>
          <option value="1024">1024 px</option>
          <option value="0">original</option>
        </select>
      </label>
    </section>
  </aside>

  <section id="view-stylize" class="view">
    <div class="actions">
      <button type="button" id="run" class="primary">Stylize</button>
      <a id="download" class="button" hidden>Download</a>
      <span id="status" role="status" class="muted"></span>
    </div>
    <figure id="result-figure" hidden>
      <img id="result" alt="stylized result">
      <figcaption id="result-caption" class="muted"></figcaption>
    </figure>
    <p id="stylize-hint" class="hint">Choose a content photo and a style, then press Stylize. Changing an option afterwards re-runs it.</p>
  </section>

  <section id="view-compare" class="view" hidden>
    <div class="actions">
      <label>Contrast <input type="range" id="contrast" min="0.25" max="2" step="0.05" value="1"> <output id="contrast-value" for="contrast">&times;1.00</output></label>
      <label>Brightness <input type="range" id="brightness" min="-0.5" max="0.5" step="0.05" value="0"> <output id="brightness-value" for="brightness">+0.00</output></label>
      <label>AdaGN G <input type="text" id="compare-groups" value="8,32" size="6"></label>
      <label>Matches <input type="text" id="compare-matches" value="moments,covariance,distribution" size="26"></label>
      <button type="button" id="compare-run" class="primary">Compare</button>
      <span id="compare-status" role="status" class="muted"></span>
    </div>
    <p class="hint">Every statistic swap on the same content and style (256 px): the norms (over which axes the statistics
      are taken) with each match (which statistics: mean and std, channel covariance for WCT, whole distribution for EFDM)
      it combines with; Magenta compares moments only. Instance normalization (AdaIN) removes each
      channel's contrast and brightness per image, so its result should barely move when you drag the sliders, while
      batch, layer and group statistics carry the content's own brightness through. Under each image: the style distance
      (lower is closer to the style), the content distance, and how far the output moved from the unadjusted content's.</p>
    <div id="variants" class="grid"></div>
  </section>

  <section id="view-live" class="view" hidden>
    <div class="actions">
      <button type="button" id="live-start" class="primary">Start camera</button>
      <button type="button" id="live-stop" hidden>Stop</button>
      <label>Size <select id="live-size">
        <option value="240" selected>240p</option>
        <option value="360">360p</option>
        <option value="480">480p</option>
      </select></label>
      <label>Statistics <select id="live-stats" title="frame: each frame's own statistics; running: a running average over the frames (as stylize video --stats running)">
        <option value="frame" selected>per frame</option>
        <option value="running">running</option>
      </select></label>
      <label><input type="checkbox" id="live-mirror" checked> Mirror</label>
      <button type="button" id="live-snapshot" disabled>Snapshot</button>
      <button type="button" id="live-record" disabled>Record</button>
      <a id="live-recording" class="button" hidden>Download recording</a>
    </div>
    <div id="live-message" class="live-message" role="alert" hidden>
      <span id="live-message-text"></span>
      <button type="button" id="live-retry">Retry</button>
    </div>
    <div class="live-stage">
      <figure><video id="live-camera" autoplay muted playsinline></video><figcaption class="muted">camera</figcaption></figure>
      <figure><canvas id="live-output" width="320" height="240"></canvas><figcaption id="live-caption" class="muted">stylized</figcaption></figure>
    </div>
    <p id="live-status" class="muted" role="status">Press Start camera: the browser asks to use the camera; frames go to this server only.</p>
    <p class="hint">Your camera, stylized as you move. Model, style, strength and normalization on the left act on the next
      frame. Each frame is sent only when the last one came back, so the picture never lags behind a queue: when the
      server is slower than the camera, frames are skipped (counted as dropped).</p>
  </section>
</main>
</body>
</html>
"""#
}
