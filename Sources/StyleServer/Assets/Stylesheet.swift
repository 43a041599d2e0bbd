extension Assets {
    /// The page's stylesheet (no external fonts or frameworks).
    static let stylesheet = #"""
:root {
  --bg: #f6f5f2; --panel: #ffffff; --ink: #1d1d1f; --muted: #6b6b70; --line: #dcdad4;
  --accent: #8a3b12; --accent-ink: #ffffff; --error: #b00020;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
  font-size: 15px; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0; }
header { display: flex; align-items: center; gap: 1.5rem; padding: 0.6rem 1.2rem; background: var(--panel); border-bottom: 1px solid var(--line); }
header h1 { font-size: 1.3rem; margin: 0; letter-spacing: 0.02em; color: var(--accent); }
nav { display: flex; gap: 0.3rem; }
.tab { border: 1px solid var(--line); background: var(--bg); padding: 0.4rem 0.9rem; border-radius: 6px; cursor: pointer; font: inherit; }
.tab.active { background: var(--accent); color: var(--accent-ink); border-color: var(--accent); }
#health { margin-left: auto; font-size: 0.85rem; }
main { display: grid; grid-template-columns: 320px 1fr; gap: 1rem; padding: 1rem 1.2rem; align-items: start; }
aside { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 0.4rem 0.9rem 0.9rem; }
aside h2 { font-size: 0.95rem; margin: 0.8rem 0 0.4rem; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.row { display: flex; align-items: center; gap: 0.5rem; margin: 0.45rem 0; flex-wrap: wrap; }
.row.slider { flex-wrap: nowrap; }
.row select, .row input[type=number] { font: inherit; padding: 0.15rem 0.3rem; }
input[type=range] { flex: 1; min-width: 90px; accent-color: var(--accent); }
output { font-variant-numeric: tabular-nums; min-width: 3.2em; display: inline-block; }
.drop { display: block; position: relative; border: 2px dashed var(--line); border-radius: 8px; padding: 0.8rem; text-align: center; cursor: pointer; background: var(--bg); }
.drop.small { padding: 0.5rem; margin-top: 0.5rem; }
.drop.over { border-color: var(--accent); background: #f3e9e2; }
.drop.chosen { border-style: solid; border-color: var(--accent); }
.drop input[type=file] { position: absolute; inset: 0; opacity: 0; cursor: pointer; width: 100%; }
.drop img { display: block; max-width: 100%; max-height: 130px; margin: 0.4rem auto 0; border-radius: 4px; }
.drop.small img { max-height: 80px; }
.drop-text { color: var(--muted); font-size: 0.9rem; }
.gallery { display: grid; grid-template-columns: repeat(3, 1fr); gap: 0.35rem; }
.gallery button { padding: 0; border: 2px solid transparent; border-radius: 6px; background: none; cursor: pointer; overflow: hidden; }
.gallery button img { display: block; width: 100%; height: 54px; object-fit: cover; }
.gallery button span { display: block; font-size: 0.7rem; color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.gallery button.selected { border-color: var(--accent); }
.muted { color: var(--muted); font-size: 0.88rem; }
.hint { color: var(--muted); max-width: 60rem; }
.view { background: var(--panel); border: 1px solid var(--line); border-radius: 8px; padding: 0.9rem 1.1rem; min-height: 420px; }
.actions { display: flex; align-items: center; gap: 0.9rem; flex-wrap: wrap; margin-bottom: 0.8rem; }
.actions label { display: flex; align-items: center; gap: 0.4rem; }
button.primary, a.button { font: inherit; padding: 0.45rem 1.1rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; text-decoration: none; }
a.button { background: var(--panel); color: var(--accent); }
button:disabled { opacity: 0.5; cursor: progress; }
figure { margin: 0; }
#result { max-width: 100%; max-height: 70vh; border-radius: 6px; display: block; }
.error { color: var(--error); }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 0.8rem; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 0.45rem; background: var(--bg); }
.card img { width: 100%; display: block; border-radius: 4px; }
.card h3 { margin: 0.35rem 0 0.15rem; font-size: 0.95rem; }
.card .metrics { font-size: 0.8rem; color: var(--muted); font-variant-numeric: tabular-nums; line-height: 1.35; }
.card.skipped { opacity: 0.7; }
.card.reference h3 { color: var(--muted); }
.busy { opacity: 0.55; transition: opacity 0.2s; }
.live-stage { display: flex; gap: 0.8rem; flex-wrap: wrap; align-items: flex-start; }
.live-stage figure { flex: 1 1 300px; max-width: 640px; }
.live-stage video, .live-stage canvas { width: 100%; display: block; border-radius: 6px; background: #222; aspect-ratio: 4 / 3; object-fit: contain; }
#live-camera.mirrored { transform: scaleX(-1); }
.live-message { border: 1px solid var(--error); color: var(--error); background: #fbeff1; border-radius: 6px; padding: 0.5rem 0.8rem; margin-bottom: 0.8rem; display: flex; gap: 0.8rem; align-items: center; }
#live-status { font-variant-numeric: tabular-nums; }
@media (max-width: 800px) { main { grid-template-columns: 1fr; } }
"""#
}
