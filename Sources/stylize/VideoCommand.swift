import ArgumentParser
import Foundation
import ImageCodecs
import StylizeEngine
import StylizeCLISupport
import StyleVideo
#if canImport(Glibc)
import Glibc
#endif

/// `stylize video INPUT STYLE [STYLE ...] -o OUTPUT`: a clip through ffmpeg, frame by frame.
struct VideoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "video",
        abstract: "Stylize a video (through the ffmpeg and ffprobe programs; Debian package ffmpeg).",
        discussion: """
        The output keeps the frame rate, frame count, duration, rotation and audio (copied when the container can hold it, else re-encoded with a note). OUTPUT: .mp4/.mov/.mkv (H.264, yuv420p, --crf default 18), .webm (VP9, --crf default 31) or a PNG pattern such as out/%05d.png. Frames keep the video's size up to 720p (larger is scaled down; --content-size 0 keeps it).

        --stats: where the content statistics at the swap (and at each of Magenta's norms) come from: frame (each frame's own), running (exponential running average over the frames, --momentum m: R_1 = S_1, R_t = (1-m) R_t-1 + m S_t, like batch norm's running statistics), clip (the whole clip's, gathered in a first pass). Default: frame, which flickered least in the measurements (README, Video). With --match covariance, running and clip share a mean and a channel covariance; --match distribution takes frame only.

        Ctrl-C or SIGTERM stops without leaving any output (exit 130 / 143).

        Examples:
          stylize video clip.mp4 Images/autumn.jpg -o clip_autumn.mp4
          stylize video clip.mov --preset 19 -o out/%05d.png --stats clip
        """)

    @Argument(help: "The video (anything ffmpeg reads).")
    var input: String

    @Argument(help: "One or more style images; several are mixed (see --style-weights).")
    var styles: [String] = []

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output: .mp4, .mov, .mkv, .webm or a PNG pattern such as out/%05d.png.")
    var output: String

    @Option(help: "Model family: adain (default) or magenta (Ghiasi et al. 2017).")
    var model: ModelFamily = .adain

    @Option(help: "Magenta's built-in styles instead of a style image: an index 0-25 or a blend such as 3:0.5,12:0.5 (implies --model magenta).")
    var preset: String?

    @Option(help: "Content statistics: frame, running or clip.")
    var stats: String = VideoStylizer.defaultStatistics.name

    @Option(help: "Momentum m of --stats running (0 < m <= 1; PyTorch's batch-norm default).")
    var momentum: Double = VideoStatisticsMode.defaultMomentum

    @Option(help: "Quality of the video codec (lower is better): H.264 0-51 (default 18), VP9 0-63 (default 31).")
    var crf: Int?

    @Option(help: "Stylize only the first N frames.")
    var frames: Int?

    @Flag(help: "Print a JSON summary on standard output (frames, size, audio, seconds, fps, flicker figures).")
    var json = false

    @OptionGroup var common: CommonTransferOptions

    func validate() throws {
        if preset != nil, !styles.isEmpty { throw ValidationError("give either style images or --preset, not both") }
        if styles.isEmpty, preset == nil { throw ValidationError("give at least one style image after the video") }
        if common.mask != nil { throw ValidationError("--mask is not supported by video") }
    }

    func run() throws {
        try common.applyThreads()
        let family: ModelFamily = preset != nil ? .magenta : model
        let mode: VideoStatisticsMode
        do { mode = try VideoStatisticsMode(name: stats, momentum: momentum) } catch { throw CommandLineErrors.usage(error) }
        var job = VideoJob(input: input, styles: preset.map { [.preset($0)] } ?? styles.map { .file($0) }, output: output,
                           options: try common.transferOptions(), contentSize: common.contentSize, statistics: mode,
                           crf: crf, frameLimit: frames)
        job.options.contentSize = 0

        let progress = VideoProgressLine(enabled: !common.quiet)
        let cancellation = Cancellation()
        let temporaries = TemporaryFiles()
        let trap = SignalTrap(cancellation: cancellation, temporaries: temporaries) { sig in
            progress.note("\(SignalTrap.name(sig)) received: stopping, no output will be written (again to stop at once)")
        }
        defer { trap.uninstall() }
        let control = VideoControl(cancellation: cancellation, progress: { progress.draw($0) },
                                   note: { progress.note($0) }, temporaries: temporaries)
        let summary: VideoSummary
        do {
            let engine = try StyleEngine(family: family, weights: common.weights, precision: common.precision)
            summary = try VideoStylizer(engine: engine).run(job, control: control)
        } catch {
            progress.finish()
            if let sig = cancellation.signal {
                FileHandle.standardError.write(Data("stopped by \(SignalTrap.name(sig)): no output written\n".utf8))
                throw ExitCode(128 + sig)
            }
            throw error
        }
        progress.finish()
        if json { print(try summary.json()) }
        if !common.quiet {
            if json { FileHandle.standardError.write(Data(summary.text().utf8)) } else { print(summary.text(), terminator: "") }
        }
    }
}

/// The progress line of a video run on standard error: pass, frames done, frames per second
/// and ETA, redrawn in place. Only on a terminal and when not quiet; notes are printed as lines
/// (unless quiet).
final class VideoProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled: Bool
    private let onTerminal = isatty(2) == 1
    private var drawn = false
    private var lastDraw = Date.distantPast

    init(enabled: Bool) { self.enabled = enabled }

    func note(_ text: String) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        FileHandle.standardError.write(Data(((drawn ? "\r\u{1B}[2K" : "") + "note: " + text + "\n").utf8))
        drawn = false
    }

    func draw(_ p: VideoProgress) {
        guard enabled, onTerminal else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard now.timeIntervalSince(lastDraw) > 0.2 || p.done == p.total else { return }
        lastDraw = now
        let rate = p.seconds > 0 ? Double(p.done) / p.seconds : 0
        var eta = "--:--"
        if let total = p.total, rate > 0 {
            // The first pass is cheaper than the second; its ETA covers only itself.
            eta = BatchProgress.clock(Double(max(total - p.done, 0)) / rate)
        }
        let pass = p.passes > 1 ? "pass \(p.pass)/\(p.passes) " : ""
        let of = p.total.map { "/\($0)" } ?? ""
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(pass)\(p.phase) frame \(p.done)\(of)  \(String(format: "%.2f", rate)) fps  ETA \(eta)".utf8))
        drawn = true
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8)); drawn = false }
    }
}

/// `stylize compare --video CLIP STYLE -o STRIP.png [--report R.md]`, and
/// `stylize compare --video CLIP --measure STYLIZED`: the flicker of every statistic swap with
/// every statistics mode, or of a video stylized elsewhere.
struct VideoCompare {
    let command: CompareCommand
    let clip: String

    func run() throws {
        let c = command
        let notes = RunControl(cancellation: nil, note: { FileHandle.standardError.write(Data("note: \($0)\n".utf8)) })
        if let report = c.report { try CommandLineErrors.checked { try VideoComparisonReport.checkPath(report) } }
        if let stylized = c.measure {
            guard c.images.isEmpty else { throw ValidationError("--measure compares two videos; give no style image") }
            let (figures, note) = try VideoComparison.measure(clip: clip, stylized: stylized, frames: c.frames, control: notes)
            if let note { FileHandle.standardError.write(Data("note: \(note)\n".utf8)) }
            print("\(stylized) against \(clip): \(figures.frames) frames")
            print(figures.summary)
            if let report = c.report {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                let text = (report as NSString).pathExtension.lowercased() == "json"
                    ? String(decoding: try encoder.encode(figures), as: UTF8.self) + "\n"
                    : "Flicker of `\(stylized)` against `\(clip)` (\(figures.frames) frames): \(figures.summary)\n"
                try text.write(toFile: report, atomically: true, encoding: .utf8)
                print("wrote \(report)")
            }
            return
        }
        guard c.images.count == 1 else { throw ValidationError("with --video give one style image: compare --video CLIP STYLE -o STRIP.png") }
        guard let output = c.output else { throw ValidationError("give the strip image to write with -o") }
        let style = c.images[0]
        var settings = VideoComparisonSettings()
        do {
            settings.variants = try c.variants(groups: try c.groupCounts(default: "8"))
            settings.modes = try c.stats.split(separator: ",").map {
                try VideoStatisticsMode(name: $0.trimmingCharacters(in: .whitespaces), momentum: c.momentum)
            }
        } catch { throw CommandLineErrors.usage(error) }
        guard c.strip >= 1 else { throw ValidationError("--strip must be at least 1") }
        settings.contentSize = c.contentSize
        settings.styleSize = c.styleSize
        settings.alpha = c.alpha
        settings.frames = c.frames
        settings.stripFrames = c.strip
        settings.maxMemoryBytes = try parseMemory(c.maxMemory)
        try ImageIO.checkOutput(output, protecting: [clip, style])
        let engine = try StyleEngine(family: c.model, weights: c.weights, precision: c.precision)
        let result = try VideoComparison.run(engine: engine, clip: clip, style: .file(style), settings: settings, control: notes)
        try ImageIO.write(result.strip, to: output, protecting: [clip, style])
        let table = VideoComparisonReport(clip: clip, style: style, model: c.model.rawValue, result: result)
        print(table.text(), terminator: "")
        print("wrote \(output) (\(result.strip.width)x\(result.strip.height))")
        if let report = c.report {
            try table.write(to: report)
            print("wrote \(report)")
        }
    }
}
