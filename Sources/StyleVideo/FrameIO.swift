import Foundation
import ImageCodecs
#if canImport(Glibc)
import Glibc
#endif

/// The size frames are processed at, and whether the decoder applies the input's rotation.
public struct FrameGeometry: Sendable, Equatable {
    /// The decoded frame size before scaling (rotated when `upright`).
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// The size the network sees and the output has.
    public let width: Int
    public let height: Int
    /// true: the decoder turns the frames upright (the rotation becomes pixels); false: the
    /// frames stay as stored and the output keeps the rotation as metadata.
    public let upright: Bool

    /// The shorter side of the automatic size: videos larger than 720p are scaled down.
    public static let automaticLimit = 720

    /// `contentSize`: nil = the video's size, scaled down to a shorter side of 720 when larger;
    /// 0 = the video's size; N = shorter side N (as `--content-size` for images). Sizes are
    /// rounded down to even numbers when `even` (4:2:0 video).
    public init(info: VideoInfo, contentSize: Int?, upright: Bool, even: Bool) {
        self.upright = upright
        let w = upright ? info.displayWidth : info.width, h = upright ? info.displayHeight : info.height
        sourceWidth = w; sourceHeight = h
        let shorter = min(w, h)
        let n: Int
        switch contentSize {
        case nil: n = shorter > Self.automaticLimit ? Self.automaticLimit : 0
        case let size?: n = size
        }
        var (tw, th) = (w, h)
        if n > 0 && n != shorter {
            if w <= h { (tw, th) = (n, max(1, (2 * h * n + w) / (2 * w))) }
            else { (tw, th) = (max(1, (2 * w * n + h) / (2 * h)), n) }
        }
        if even { tw = max(2, tw - tw % 2); th = max(2, th - th % 2) }
        width = tw; height = th
    }

    init(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int, upright: Bool) {
        self.sourceWidth = sourceWidth; self.sourceHeight = sourceHeight
        self.width = width; self.height = height; self.upright = upright
    }

    /// Bytes of one RGB frame.
    public var frameBytes: Int { width * height * 3 }
}

/// Frames of a video file decoded by an `ffmpeg` process into raw RGB on a pipe, scaled to
/// the geometry's size by ffmpeg (area averaging when shrinking, bicubic when enlarging).
final class FrameDecoder: @unchecked Sendable {
    let info: VideoInfo
    let geometry: FrameGeometry
    private let process: ChildProcess
    private(set) var framesRead = 0
    private var finished = false

    /// `frameLimit`: stop after this many frames (nil: all).
    init(tools: FFmpegTools, info: VideoInfo, geometry: FrameGeometry, frameLimit: Int? = nil) throws {
        self.info = info
        self.geometry = geometry
        let shrinking = geometry.width * geometry.height <= geometry.sourceWidth * geometry.sourceHeight
        let flags = (shrinking ? "area" : "bicubic") + "+accurate_rnd+full_chroma_int+full_chroma_inp"
        var args = ["-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1"]
        if !geometry.upright { args.append("-noautorotate") }
        args += ["-i", FFmpegTools.fileURL(info.path), "-map", "0:\(info.videoStream)", "-an", "-sn", "-dn",
                 "-fps_mode", "passthrough", "-threads", "1",
                 "-vf", "scale=\(geometry.width):\(geometry.height):flags=\(flags),format=rgb24"]
        if let frameLimit { args += ["-frames:v", String(frameLimit)] }
        args += ["-pix_fmt", "rgb24", "-f", "rawvideo", "pipe:1"]
        process = try ChildProcess(executable: tools.ffmpeg, arguments: args, pipeStdin: false, pipeStdout: true)
    }

    /// The next frame, nil at the end of the video. Throws `decodeFailed` when ffmpeg ends
    /// with an error or its output stops inside a frame.
    func next() throws -> Image? {
        guard !finished else { return nil }
        let count = geometry.frameBytes
        var got = 0
        let rgb = try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            got = try process.read(into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
        if got == count {
            framesRead += 1
            return Image(width: geometry.width, height: geometry.height, rgb: rgb)
        }
        finished = true
        let end = process.wait()
        let detail = FrameDecoder.describe(process.errorText, path: info.path)
        guard end.succeeded else {
            throw VideoError.decodeFailed(file: info.path, frames: framesRead,
                                          detail: "ffmpeg \(end)" + (detail.isEmpty ? "" : ": " + detail))
        }
        if got > 0 {
            throw VideoError.decodeFailed(file: info.path, frames: framesRead,
                                          detail: "ffmpeg's output ended inside a frame (\(got) of \(count) bytes)")
        }
        if framesRead == 0 {
            throw VideoError.decodeFailed(file: info.path, frames: 0,
                                          detail: "no frame could be decoded" + (detail.isEmpty ? "" : ": " + detail))
        }
        return nil
    }

    /// Kills the decoder without closing its pipe (safe while another thread reads from it).
    func kill() { process.signal(SIGKILL) }

    /// Stops the decoder early (killed and reaped, pipe closed); safe to call more than once,
    /// but not while another thread is reading.
    func stop() {
        finished = true
        process.killAndWait()
    }

    /// The last two lines of ffmpeg's messages, with the `file:` prefix removed.
    static func describe(_ text: String, path: String, replacing temporary: String? = nil, with output: String? = nil) -> String {
        var lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        lines = Array(lines.suffix(2))
        var s = lines.joined(separator: "; ").replacingOccurrences(of: FFmpegTools.fileURL(path), with: path)
            .replacingOccurrences(of: #"\[[^\]]* @ 0x[0-9a-f]+\] "#, with: "", options: .regularExpression)
        if let temporary, let output {
            s = s.replacingOccurrences(of: FFmpegTools.fileURL(temporary), with: output)
                .replacingOccurrences(of: temporary, with: output)
        }
        return s
    }
}

/// An `ffmpeg` process that encodes raw RGB frames from a pipe into the output's temporary
/// file, taking the audio streams (and the file's metadata) from the input.
final class FrameEncoder: @unchecked Sendable {
    let target: OutputTarget
    let info: VideoInfo
    private let process: ChildProcess
    private(set) var framesWritten = 0

    /// The arguments for `ffmpeg` (separate so tests can check them).
    static func arguments(info: VideoInfo, geometry: FrameGeometry, target: OutputTarget, audio: [AudioPlan], crf: Int?,
                          frameLimit: Int? = nil) -> [String] {
        var args = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y",
                    "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", "\(geometry.width)x\(geometry.height)",
                    "-framerate", info.frameRate.description]
        if info.videoStartOffset > 0.0005 { args += ["-itsoffset", String(format: "%.6f", info.videoStartOffset)] }
        args += ["-i", "pipe:0"]
        let container = target.container
        let attachInput = container != .pngFrames
        if attachInput { args += ["-i", FFmpegTools.fileURL(info.path)] }
        args += ["-map", "0:v:0"]
        let sar = info.sampleAspectRatio.map { ",setsar=" + $0.replacingOccurrences(of: ":", with: "/") } ?? ""
        switch container {
        case .mp4, .mov, .mkv:
            args += ["-vf", "scale=out_color_matrix=bt709:out_range=tv:flags=area+accurate_rnd+full_chroma_int,format=yuv420p" + sar,
                     "-c:v", "libx264", "-preset", "medium", "-crf", String(crf ?? 18), "-pix_fmt", "yuv420p",
                     "-colorspace", "bt709", "-color_range", "tv", "-threads", "1"]
        case .webm:
            args += ["-vf", "scale=out_color_matrix=bt709:out_range=tv:flags=area+accurate_rnd+full_chroma_int,format=yuv420p" + sar,
                     "-c:v", "libvpx-vp9", "-crf", String(crf ?? 31), "-b:v", "0", "-deadline", "good", "-cpu-used", "4",
                     "-row-mt", "0", "-pix_fmt", "yuv420p", "-colorspace", "bt709", "-color_range", "tv", "-threads", "1"]
        case .pngFrames:
            args += ["-c:v", "png", "-pix_fmt", "rgb24", "-start_number", "1"]
        }
        var k = 0
        for plan in audio where plan.action != "dropped" {
            args += ["-map", "1:\(plan.stream)"]
            if plan.action == "copied" {
                args += ["-c:a:\(k)", "copy"]
            } else if let enc = container.audioEncoder {
                args += ["-c:a:\(k)", enc.arguments[0]] + stride(from: 1, to: enc.arguments.count, by: 2).flatMap {
                    [enc.arguments[$0].replacingOccurrences(of: ":a", with: ":a:\(k)"), enc.arguments[$0 + 1]]
                }
            }
            k += 1
        }
        if attachInput { args += ["-map_metadata", "1"] }
        // Only the first N frames: the audio ends with them.
        if let frameLimit, k > 0 { args += ["-t", String(format: "%.6f", Double(frameLimit) / info.frameRate.value)] }
        if container == .mp4 || container == .mov { args += ["-movflags", "+faststart"] }
        args += ["-f", container.muxer, FFmpegTools.fileURL(target.temporaryPath)]
        return args
    }

    /// What becomes of each audio stream of `info` in `container`.
    static func audioPlans(info: VideoInfo, container: VideoContainer) -> [AudioPlan] {
        info.audio.map { a in
            guard container != .pngFrames else { return AudioPlan(stream: a.index, codec: a.codec, action: "dropped") }
            if container.copyableAudio?.contains(a.codec) ?? true {
                return AudioPlan(stream: a.index, codec: a.codec, action: "copied")
            }
            return AudioPlan(stream: a.index, codec: a.codec, action: "re-encoded to " + container.audioEncoder!.name)
        }
    }

    init(tools: FFmpegTools, info: VideoInfo, geometry: FrameGeometry, target: OutputTarget, audio: [AudioPlan], crf: Int?,
         frameLimit: Int?) throws {
        self.target = target
        self.info = info
        process = try ChildProcess(executable: tools.ffmpeg,
                                   arguments: Self.arguments(info: info, geometry: geometry, target: target, audio: audio, crf: crf,
                                                             frameLimit: frameLimit),
                                   pipeStdin: true, pipeStdout: false)
    }

    /// Sends one frame. Throws `encodeFailed` (with ffmpeg's message) when the encoder has
    /// stopped, e.g. because the disk is full.
    func write(_ frame: Image) throws {
        do {
            try frame.rgb.withUnsafeBytes { try process.write($0) }
            framesWritten += 1
        } catch VideoError.brokenPipe {
            process.closeStdin()
            let end = process.wait()
            throw failure(end)
        }
    }

    /// Ends the input and waits for the encoder to finish the file.
    func finish() throws {
        process.closeStdin()
        let end = process.wait()
        guard end.succeeded else { throw failure(end) }
    }

    /// Kills the encoder without closing its pipe (safe while another thread writes to it).
    func kill() { process.signal(SIGKILL) }

    /// Kills the encoder (it finalizes nothing) and reaps it.
    func abort() { process.killAndWait() }

    private func failure(_ end: ChildTermination) -> VideoError {
        let detail = FrameDecoder.describe(process.errorText, path: info.path, replacing: target.temporaryPath, with: target.path)
        return VideoError.encodeFailed(file: target.path, frames: framesWritten,
                                       detail: "ffmpeg \(end)" + (detail.isEmpty ? "" : ": " + detail))
    }
}
