import Foundation

/// A frame rate as the fraction ffmpeg gives ("30000/1001").
public struct FrameRate: Sendable, Equatable, Codable, CustomStringConvertible {
    public let numerator: Int
    public let denominator: Int

    public init(_ numerator: Int, _ denominator: Int) { self.numerator = numerator; self.denominator = denominator }

    /// Parses "N/D" or "N"; nil for "0/0" and other unusable values.
    public init?(parsing text: String) {
        let parts = text.split(separator: "/")
        guard let n = Int(parts.first ?? ""), n > 0 else { return nil }
        let d = parts.count > 1 ? Int(parts[1]) ?? 0 : 1
        guard d > 0, parts.count <= 2 else { return nil }
        numerator = n; denominator = d
    }

    public var value: Double { Double(numerator) / Double(denominator) }
    public var description: String { "\(numerator)/\(denominator)" }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let r = FrameRate(parsing: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad rate \(text)"))
        }
        self = r
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// One audio stream of a probed file.
public struct AudioStreamInfo: Sendable, Equatable {
    /// The stream's index in the file (ffmpeg's `0:N`).
    public let index: Int
    /// ffmpeg's codec name ("aac", "opus", "pcm_s16le").
    public let codec: String
    /// Seconds, when the container says.
    public let duration: Double?
}

/// What `ffprobe` says about a video file: the first video stream (cover pictures of audio
/// files do not count), its rotation, and the audio streams.
public struct VideoInfo: Sendable, Equatable {
    public let path: String
    /// ffprobe's format name ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm").
    public let formatName: String
    /// Index of the video stream in the file.
    public let videoStream: Int
    public let videoCodec: String
    /// The size of the frames as stored (before any rotation is applied for display).
    public let width: Int
    public let height: Int
    /// The rate the frames are written at: the stream's average frame rate when usable
    /// (frame count / duration), else its base rate.
    public let frameRate: FrameRate
    /// Frames according to the container (nil when it does not say, e.g. Matroska).
    public let frameCount: Int?
    /// Seconds of the video stream (or the file) when known.
    public let duration: Double?
    /// Start of the video stream relative to the start of the file, seconds (>= 0).
    public let videoStartOffset: Double
    /// Degrees counter-clockwise the frames are rotated for display (ffprobe's
    /// `rotation`: -90 = turn 90 degrees clockwise), 0 when none.
    public let rotation: Double
    /// The display matrix as stored (9 values, 16.16 / 2.30 fixed point) when there is one.
    public let displayMatrix: [Int32]?
    /// Sample aspect ratio when it is not square ("4:3"), else nil.
    public let sampleAspectRatio: String?
    public let audio: [AudioStreamInfo]

    /// The frame size as displayed (width and height swapped for a quarter turn).
    public var displayWidth: Int { quarterTurn ? height : width }
    public var displayHeight: Int { quarterTurn ? width : height }
    var quarterTurn: Bool { Int((abs(rotation).truncatingRemainder(dividingBy: 180)).rounded()) == 90 }

    /// A frame count for progress and ETA: the container's, else duration x rate.
    public var estimatedFrames: Int? {
        if let frameCount, frameCount > 0 { return frameCount }
        if let duration, duration > 0 { return Int((duration * frameRate.value).rounded()) }
        return nil
    }
}

/// Runs `ffprobe -print_format json -show_format -show_streams` and interprets the answer.
public enum VideoProbe {
    public static func probe(_ path: String, tools: FFmpegTools) throws -> VideoInfo {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw VideoError.io(file: path, detail: "no such file")
        }
        guard !isDir.boolValue else { throw VideoError.io(file: path, detail: "is a folder, not a video file") }
        guard FileManager.default.isReadableFile(atPath: path) else { throw VideoError.io(file: path, detail: "cannot be read (permission denied)") }
        let run = try FFmpegTools.capture(tools.ffprobe, ["-v", "error", "-print_format", "json", "-show_format", "-show_streams",
                                                          FFmpegTools.fileURL(path)])
        guard run.termination.succeeded else {
            let detail = lastLine(run.errorText).replacingOccurrences(of: FFmpegTools.fileURL(path) + ": ", with: "")
            throw VideoError.notAVideo(file: path, detail: detail.isEmpty ? "ffprobe: \(run.termination)" : detail)
        }
        return try parse(json: run.output, path: path)
    }

    /// Interprets ffprobe's JSON (separate from `probe` so it can be tested on stored answers).
    public static func parse(json: Data, path: String) throws -> VideoInfo {
        guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw VideoError.notAVideo(file: path, detail: "ffprobe gave no readable answer")
        }
        let streams = root["streams"] as? [[String: Any]] ?? []
        let format = root["format"] as? [String: Any] ?? [:]
        let formatName = format["format_name"] as? String ?? ""
        func double(_ v: Any?) -> Double? { (v as? String).flatMap(Double.init) ?? (v as? Double) }
        func int(_ v: Any?) -> Int? { (v as? String).flatMap { Int($0) } ?? (v as? Int) }

        let video = streams.first { s in
            (s["codec_type"] as? String) == "video"
                && int((s["disposition"] as? [String: Any])?["attached_pic"]) != 1
        }
        let audio = streams.compactMap { s -> AudioStreamInfo? in
            guard (s["codec_type"] as? String) == "audio", let index = int(s["index"]) else { return nil }
            return AudioStreamInfo(index: index, codec: s["codec_name"] as? String ?? "unknown", duration: double(s["duration"]))
        }
        guard let video else {
            let kinds = streams.map { "\($0["codec_type"] as? String ?? "?") (\($0["codec_name"] as? String ?? "?"))" }
            throw VideoError.noVideoStream(file: path, streams: kinds.joined(separator: ", "))
        }
        if formatName.hasSuffix("_pipe") || formatName == "image2" || formatName == "png" {
            throw VideoError.notAVideo(file: path, detail: "a still image (\(formatName)); stylize it with 'stylize IMAGE STYLE'")
        }
        guard let width = int(video["width"]), let height = int(video["height"]), width > 0, height > 0 else {
            throw VideoError.notAVideo(file: path, detail: "the video stream has no frame size")
        }
        let base = (video["r_frame_rate"] as? String).flatMap(FrameRate.init(parsing:))
        let average = (video["avg_frame_rate"] as? String).flatMap(FrameRate.init(parsing:))
        // The average rate keeps the duration of variable-rate clips; implausible values
        // (some containers report 90000/1) fall back to the base rate.
        let rate: FrameRate
        if let average, average.value > 0.5, average.value <= 240 { rate = average }
        else if let base, base.value > 0.5, base.value <= 240 { rate = base }
        else { rate = FrameRate(25, 1) }

        var rotation = 0.0
        var matrix: [Int32]? = nil
        for side in video["side_data_list"] as? [[String: Any]] ?? [] where (side["side_data_type"] as? String) == "Display Matrix" {
            rotation = double(side["rotation"]) ?? (side["rotation"] as? Int).map(Double.init) ?? 0
            matrix = (side["displaymatrix"] as? String).flatMap(parseDisplayMatrix)
        }
        if rotation == 0, let tag = (video["tags"] as? [String: Any])?["rotate"] as? String, let r = Double(tag) {
            rotation = -r   // the old "rotate" tag counts clockwise
        }
        rotation = rotation == 0 ? 0 : rotation   // no -0
        let sar = video["sample_aspect_ratio"] as? String
        let videoStart = double(video["start_time"]) ?? 0
        let fileStart = double(format["start_time"]) ?? videoStart
        return VideoInfo(
            path: path, formatName: formatName, videoStream: int(video["index"]) ?? 0,
            videoCodec: video["codec_name"] as? String ?? "unknown", width: width, height: height,
            frameRate: rate, frameCount: int(video["nb_frames"]).flatMap { $0 > 0 ? $0 : nil },
            duration: double(video["duration"]) ?? double(format["duration"]),
            videoStartOffset: max(0, videoStart - fileStart), rotation: rotation, displayMatrix: matrix,
            sampleAspectRatio: (sar == nil || sar == "1:1" || sar == "0:1" || sar == "N/A") ? nil : sar,
            audio: audio)
    }

    /// ffprobe prints a display matrix as three lines "0000000N: a b c"; returns the 9 values.
    static func parseDisplayMatrix(_ text: String) -> [Int32]? {
        var values: [Int32] = []
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            values += line[line.index(after: colon)...].split(separator: " ").compactMap { Int32($0) }
        }
        return values.count == 9 ? values : nil
    }

    static func lastLine(_ text: String) -> String {
        text.split(separator: "\n").last.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
    }
}
