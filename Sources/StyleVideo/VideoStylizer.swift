import Foundation
import ImageCodecs
#if canImport(Glibc)
import Glibc
#endif
import StyleNN
import StylizeEngine

/// One video to stylize.
public struct VideoJob: Sendable {
    public var input: String
    public var styles: [StyleRef]
    /// `.mp4`, `.mov`, `.mkv`, `.webm` or a PNG pattern such as `out/%05d.png`.
    public var output: String
    /// Alpha, style weights, norm, colour preservation, style size, tiles, memory budget
    /// (`contentSize` is not used: see `contentSize` below).
    public var options: TransferOptions
    /// Shorter side of the frames: nil = the video's size up to 720 (larger is scaled down),
    /// 0 = the video's size, N = N pixels.
    public var contentSize: Int?
    public var statistics: VideoStatisticsMode
    /// Quality of the video codec (nil: 18 for H.264, 31 for VP9).
    public var crf: Int?
    /// Only the first N frames (nil: all).
    public var frameLimit: Int?

    public init(input: String, styles: [StyleRef], output: String, options: TransferOptions = .init(),
                contentSize: Int? = nil, statistics: VideoStatisticsMode = VideoStylizer.defaultStatistics,
                crf: Int? = nil, frameLimit: Int? = nil) {
        self.input = input; self.styles = styles; self.output = output; self.options = options
        self.contentSize = contentSize; self.statistics = statistics; self.crf = crf; self.frameLimit = frameLimit
    }

    /// The files read by the job (never overwritten).
    public var inputs: [String] {
        [input] + styles.compactMap { if case .file(let path) = $0 { return path } else { return nil } }
    }
}

/// Progress of a video run: `done` frames of `total` (an estimate from the container, nil
/// when unknown) in `phase` ("statistics" for the clip's first pass, then "stylizing").
public struct VideoProgress: Sendable, Equatable {
    public var phase: String
    public var done: Int
    public var total: Int?
    /// Seconds since the phase began.
    public var seconds: Double
    /// 1 for a single pass; 2 when a first pass gathers the clip's statistics.
    public var passes: Int
    /// 1-based number of this pass.
    public var pass: Int
}

/// How a caller watches and stops a video run. The pipeline never prints.
public struct VideoControl: Sendable {
    public var cancellation: Cancellation?
    /// Called after every frame.
    public var progress: (@Sendable (VideoProgress) -> Void)?
    /// Remarks the user should see (each said once).
    public var note: (@Sendable (String) -> Void)?
    /// The temporary output is registered here while it exists (removed on a forced exit).
    public var temporaries: TemporaryFiles?

    public init(cancellation: Cancellation? = nil, progress: (@Sendable (VideoProgress) -> Void)? = nil,
                note: (@Sendable (String) -> Void)? = nil, temporaries: TemporaryFiles? = nil) {
        self.cancellation = cancellation; self.progress = progress; self.note = note; self.temporaries = temporaries
    }
}

/// What a finished video run did.
public struct VideoSummary: Sendable, Codable {
    public struct Source: Sendable, Codable {
        public var width: Int, height: Int, codec: String
        public var frameRate: FrameRate
        public var frames: Int?
        public var duration: Double?
        public var rotation: Double
        enum CodingKeys: String, CodingKey { case width, height, codec, frames, duration, rotation; case frameRate = "frame_rate" }
    }
    public var input: String
    public var output: String
    public var container: VideoContainer
    public var model: String
    public var styles: [String]
    public var norm: String
    /// "moments", "covariance", "distribution".
    public var match: String
    public var stats: String
    public var source: Source
    public var width: Int
    public var height: Int
    public var frames: Int
    public var frameRate: FrameRate
    /// frames / frame rate.
    public var duration: Double
    public var rotation: String
    public var audio: [AudioPlan]
    public var threads: Int
    /// Wall-clock seconds of the whole run, and of the clip statistics' first pass.
    public var seconds: Double
    public var firstPassSeconds: Double
    /// Frames per second over the whole run.
    public var fps: Double
    public var flicker: FlickerFigures
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case input, output, container, model, styles, norm, match, stats, source, width, height, frames, duration, rotation
        case audio, threads, seconds, fps, flicker, notes
        case frameRate = "frame_rate", firstPassSeconds = "first_pass_seconds"
    }

    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A few lines for people.
    public func text() -> String {
        var out = "wrote \(output): \(frames) frames \(width)x\(height) at \(frameRate) fps (\(String(format: "%.2f", duration)) s) "
            + "in \(String(format: "%.1f", seconds)) s (\(String(format: "%.2f", fps)) frames/s, \(threads) thread\(threads == 1 ? "" : "s"))\n"
        out += "audio: " + (audio.isEmpty ? "none in the input" : audio.map { "stream \($0.stream) (\($0.codec)) \($0.action)" }.joined(separator: ", ")) + "\n"
        out += "statistics: \(stats) with \(norm)\(match == "moments" ? "" : " (\(match) match)"); flicker: \(flicker.summary)\n"
        return out
    }
}

/// Stylizes videos through the `ffmpeg` and `ffprobe` programs: ffmpeg decodes the input to
/// raw RGB frames on a pipe, the engine stylizes each frame, and a second ffmpeg encodes
/// them from a pipe into a temporary file in the output's folder, taking the audio from the
/// input; the file is renamed into place only when complete.
///
///     ffmpeg (decode, scale) ─pipe─▶ reader ─queue(2)─▶ network (calling thread) ─queue(2)─▶ writer ─pipe─▶ ffmpeg (encode, mux audio)
///
/// The three stages overlap; the queues are bounded, so memory does not grow with the length
/// of the video, and the frames in flight (at most 10, see `framesInFlight`) are taken off the
/// engine's memory budget. The statistics at every site come from `VideoStatisticsMode`;
/// frames are processed in order, so results depend only on the inputs and options, not on
/// the thread count (both ffmpeg processes run single-threaded for the same reason).
///
/// On any failure or cancellation both ffmpeg processes are killed and reaped, the pipes are
/// closed and the temporary output removed: nothing partial is left.
public final class VideoStylizer: @unchecked Sendable {
    public let engine: StyleEngine

    /// `--stats` when none is given, chosen by the flicker measurements in the README: each
    /// frame's own statistics changed the output's mean colour least from frame to frame (0.05-0.4x
    /// the input's change, against about 1x for running and clip statistics) with the same
    /// frame difference, on the synthetic pan and on a camera clip, for both model families;
    /// and it needs neither a first pass nor state.
    public static let defaultStatistics = VideoStatisticsMode.frame

    /// Frames that can be held at once besides the network's working memory: one being read,
    /// two queued for the network, the one in the network and its output, the previous pair
    /// kept by the flicker meter, two queued for the encoder and one being written.
    public static let framesInFlight = 10

    public init(engine: StyleEngine) { self.engine = engine }

    /// Runs `job`. Throws `VideoError`s naming the file, `EngineError.cancelled` when stopped.
    public func run(_ job: VideoJob, control: VideoControl = .init()) throws -> VideoSummary {
        let start = Date()
        let notes = NoteSink(control.note)
        let tools = try FFmpegTools.locate(for: job.input)
        let container = try VideoContainer.of(path: job.output)
        let target = OutputTarget(path: job.output, container: container)
        try target.check(protecting: job.inputs)
        if let crf = job.crf, let range = container.crfRange, !range.contains(crf) {
            throw OptionError(.crf, "\(option: .crf) must be in \(range.lowerBound)...\(range.upperBound) for .\(container.rawValue), got \(crf)")
        }
        if job.crf != nil, container == .pngFrames { notes.add(OptionMessage("\(option: .crf) has no effect on PNG frames (lossless)").rendered(.flag)) }
        if let limit = job.frameLimit, limit < 1 { throw OptionError(.frames, "\(option: .frames) must be at least 1") }
        try StyleEngine.validate(family: engine.family, styles: job.styles, options: job.options)
        try job.statistics.validate(match: job.options.resolvedMatch(family: engine.family))
        let info = try VideoProbe.probe(job.input, tools: tools)

        let geometry = FrameGeometry(info: info, contentSize: job.contentSize, upright: !container.keepsRotationMetadata,
                                     even: container.needsEvenSize)
        if job.contentSize == nil, geometry.width < geometry.sourceWidth {
            notes.add("frames scaled from \(geometry.sourceWidth)x\(geometry.sourceHeight) to \(geometry.width)x\(geometry.height) "
                      + "(videos larger than 720p are scaled down; --content-size 0 keeps the size)")
        }
        var rotationText = "none"
        if info.rotation != 0 {
            if container.keepsRotationMetadata {
                rotationText = "kept as metadata (\(Self.degrees(info.rotation)))"
            } else {
                rotationText = "applied to the pixels (\(Self.degrees(info.rotation)))"
                notes.add("rotation \(Self.degrees(info.rotation)) applied to the frames: \(container == .pngFrames ? "PNG files" : "." + container.rawValue + " files") have no rotation field this pipeline can write")
            }
        }
        let audio = FrameEncoder.audioPlans(info: info, container: container)
        for plan in audio where plan.action != "copied" {
            notes.add(plan.action == "dropped"
                      ? "audio stream \(plan.stream) (\(plan.codec)) not written: PNG frames have no audio"
                      : "audio stream \(plan.stream) (\(plan.codec)) \(plan.action): .\(container.rawValue) cannot hold \(plan.codec)")
        }

        var options = job.options
        let inFlight = Self.framesInFlight * geometry.frameBytes
        options.maxMemoryBytes = job.options.maxMemoryBytes - inFlight
        guard options.maxMemoryBytes >= job.options.maxMemoryBytes / 4 else {
            throw OptionError(.maxMemory, "\(option: .maxMemory) \(MemoryBudget.format(job.options.maxMemoryBytes)) is too small for "
                + "\(geometry.width)x\(geometry.height) frames: \(Self.framesInFlight) frames in flight take \(MemoryBudget.format(inFlight)); "
                + "give at least \(MemoryBudget.format(inFlight * 4 / 3 + 1)) or a smaller \(option: .contentSize)")
        }
        let total = job.frameLimit.map { limit in info.estimatedFrames.map { min($0, limit) } ?? limit } ?? info.estimatedFrames
        let engineControl = RunControl(cancellation: control.cancellation, note: { notes.add($0) })

        // Pass 1 (clip statistics): each frame's statistics at every site, merged.
        var schedule = StatisticsSchedule(mode: job.statistics)
        var firstPass = 0.0
        if job.statistics == .clip {
            let t0 = Date()
            var clip = ClipStatistics()
            let decoder = try FrameDecoder(tools: tools, info: info, geometry: geometry, frameLimit: job.frameLimit)
            defer { decoder.stop() }
            while let frame = try decoder.next() {
                try control.cancellation?.check()
                try clip.add(engine.contentStatistics(frame, styles: job.styles, options: options, control: engineControl))
                control.progress?(VideoProgress(phase: "statistics", done: clip.frames, total: total,
                                                seconds: Date().timeIntervalSince(t0), passes: 2, pass: 1))
            }
            schedule = StatisticsSchedule(mode: .clip, clip: clip)
            firstPass = Date().timeIntervalSince(t0)
        }

        // Pass 2: decode, stylize, encode.
        try target.prepare()
        control.temporaries?.add(target.temporary)
        defer { control.temporaries?.remove(target.temporary) }
        let pipeline = Pipeline()
        let encoder: FrameEncoder, decoder: FrameDecoder
        do {
            encoder = try FrameEncoder(tools: tools, info: info, geometry: geometry, target: target, audio: audio, crf: job.crf,
                                       frameLimit: job.frameLimit)
            do { decoder = try FrameDecoder(tools: tools, info: info, geometry: geometry, frameLimit: job.frameLimit) }
            catch { encoder.abort(); throw error }
        } catch { target.discard(); throw error }

        let decoded = BoundedQueue<Image>(capacity: 2)
        let stylized = BoundedQueue<Image>(capacity: 2)
        let reader = PipelineThread(name: "video-decode") {
            do {
                while let frame = try decoder.next() {
                    guard decoded.push(frame) else { return }
                }
                decoded.close()
            } catch {
                pipeline.fail(error)
                decoded.cancel()
            }
        }
        let writer = PipelineThread(name: "video-encode") {
            ChildProcess.blockSIGPIPE()
            while let frame = stylized.pop() {
                do { try encoder.write(frame) } catch {
                    pipeline.fail(error)
                    stylized.cancel()
                    return
                }
            }
        }
        /// Stops everything after a failure or cancellation: children killed, threads joined,
        /// children reaped, temporary output removed.
        func abandon() {
            decoded.cancel(); stylized.cancel()
            decoder.kill(); encoder.kill()     // unblocks the threads' reads and writes
            reader.join(); writer.join()
            decoder.stop(); encoder.abort()    // reaps them and closes the pipes
            target.discard()
        }

        var meter = FlickerMeter()
        let t1 = Date()
        var count = 0
        do {
            let stopped = { control.cancellation?.isCancelled ?? false }
            while let frame = decoded.pop(stop: stopped) {
                try control.cancellation?.check()
                if pipeline.failed { break }
                let out = try engine.stylize(frame, styles: job.styles, options: options, statistics: schedule.policy(),
                                             control: engineControl)
                meter.add(input: frame, output: out)
                guard stylized.push(out, stop: stopped) else { break }
                count += 1
                control.progress?(VideoProgress(phase: "stylizing", done: count, total: total, seconds: Date().timeIntervalSince(t1),
                                                passes: job.statistics == .clip ? 2 : 1, pass: job.statistics == .clip ? 2 : 1))
            }
            try control.cancellation?.check()
            if let error = pipeline.error { throw error }
            stylized.close()
            writer.join()
            reader.join()
            if let error = pipeline.error { throw error }
            try encoder.finish()
            try Self.verify(target, frames: count, tools: tools)
            if container.keepsRotationMetadata, info.rotation != 0 {
                try MP4DisplayMatrix.write(info.displayMatrix ?? MP4DisplayMatrix.rotation(degrees: info.rotation),
                                           file: target.temporaryPath)
            }
            try control.cancellation?.check()
            _ = try target.commit()
        } catch {
            abandon()
            throw error
        }
        let seconds = Date().timeIntervalSince(start)
        return VideoSummary(
            input: job.input, output: job.output, container: container, model: engine.family.rawValue,
            styles: job.styles.map(\.name), norm: job.options.norm.description,
            match: job.options.resolvedMatch(family: engine.family).name, stats: job.statistics.description,
            source: .init(width: info.width, height: info.height, codec: info.videoCodec, frameRate: info.frameRate,
                          frames: info.frameCount, duration: info.duration, rotation: info.rotation),
            width: geometry.width, height: geometry.height, frames: count, frameRate: info.frameRate,
            duration: Double(count) / info.frameRate.value, rotation: rotationText, audio: audio,
            threads: ThreadBudget.threads, seconds: seconds, firstPassSeconds: firstPass,
            fps: Double(count) / max(seconds, 1e-9), flicker: meter.figures, notes: notes.all)
    }

    /// Checks that the finished temporary output holds every frame before it is renamed into
    /// place: ffmpeg 5.1 can exit 0 after failed writes (a full disk leaves a truncated MP4),
    /// so the file is read back with ffprobe (video packets counted), or for PNG frames every
    /// file must be there and end with the IEND chunk.
    static func verify(_ target: OutputTarget, frames: Int, tools: FFmpegTools) throws {
        var problem: String? = nil
        if let folder = target.temporaryFolder {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            if names.count != frames {
                problem = "\(names.count) of \(frames) frame files were written"
            } else if let bad = names.sorted().first(where: { !pngIsComplete(folder + "/" + $0) }) {
                problem = "the frame file \(bad) is incomplete"
            }
        } else {
            let run = try FFmpegTools.capture(tools.ffprobe, ["-v", "error", "-count_packets", "-select_streams", "v:0",
                                                             "-show_entries", "stream=nb_read_packets", "-of", "csv=p=0",
                                                             FFmpegTools.fileURL(target.temporaryPath)])
            let packets = Int(String(decoding: run.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
            if !run.termination.succeeded || packets != frames {
                let said = FrameDecoder.describe(run.errorText, path: target.temporaryPath, replacing: target.temporaryPath, with: target.path)
                problem = (packets.map { "the file written holds \($0) of \(frames) frames" } ?? "the file written cannot be read back")
                    + (said.isEmpty ? "" : " (ffprobe: \(said))")
            }
        }
        guard var problem else { return }
        var fs = statvfs()
        if statvfs(target.directory, &fs) == 0, fs.f_bavail == 0 { problem = "No space left on device: " + problem }
        throw VideoError.encodeFailed(file: target.path, frames: frames, detail: problem)
    }

    /// Whether a PNG file ends with its IEND chunk (a truncated write does not).
    static func pngIsComplete(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard let size = try? handle.seekToEnd(), size >= 12 else { return false }
        try? handle.seek(toOffset: size - 12)
        let tail = [UInt8]((try? handle.read(upToCount: 12)) ?? Data())
        return tail == [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
    }

    static func degrees(_ d: Double) -> String {
        d == d.rounded() ? "\(Int(d)) degrees" : String(format: "%.1f degrees", d)
    }
}

/// The first error of any stage.
final class Pipeline: @unchecked Sendable {
    private let lock = NSLock()
    private var _error: Error?
    func fail(_ error: Error) { lock.lock(); if _error == nil { _error = error }; lock.unlock() }
    var error: Error? { lock.lock(); defer { lock.unlock() }; return _error }
    var failed: Bool { error != nil }
}

/// Notes said once each, in order.
final class NoteSink: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: [String] = []
    private let forward: (@Sendable (String) -> Void)?
    init(_ forward: (@Sendable (String) -> Void)?) { self.forward = forward }
    func add(_ note: String) {
        lock.lock()
        let fresh = !seen.contains(note)
        if fresh { seen.append(note) }
        lock.unlock()
        if fresh { forward?(note) }
    }
    var all: [String] { lock.lock(); defer { lock.unlock() }; return seen }
}
