import Foundation
import StylizeEngine
#if canImport(Glibc)
import Glibc
#endif

/// Failures of the video pipeline. Each message names the file it is about.
public enum VideoError: Error, CustomStringConvertible, Equatable {
    /// `ffmpeg` or `ffprobe` is not installed (not found on PATH).
    case toolMissing(file: String, tool: String)
    /// ffprobe could not read the file as a media file, or it is a still image.
    case notAVideo(file: String, detail: String)
    /// The file has streams, but none of them is a video (e.g. audio only).
    case noVideoStream(file: String, streams: String)
    /// The decoder stopped with an error, or its output ended inside a frame.
    case decodeFailed(file: String, frames: Int, detail: String)
    /// The encoder stopped with an error (full disk, unwritable folder, ...).
    case encodeFailed(file: String, frames: Int, detail: String)
    /// The output path or format cannot be used.
    case badOutput(file: String, detail: String)
    /// A file operation failed.
    case io(file: String, detail: String)
    /// A system call failed (message and errno).
    case system(String, Int32)
    /// A write found the child's input closed (internal: turned into `encodeFailed`).
    case brokenPipe

    public var description: String {
        switch self {
        case .toolMissing(let file, let tool):
            return "\(file): cannot process videos: \(tool) was not found on PATH. Install it with: sudo apt-get install ffmpeg"
        case .notAVideo(let file, let detail):
            return "\(file): not a video ffmpeg can read" + (detail.isEmpty ? "" : " (\(detail))")
        case .noVideoStream(let file, let streams):
            return "\(file): has no video stream (\(streams.isEmpty ? "no streams" : "streams: " + streams))"
        case .decodeFailed(let file, let frames, let detail):
            return "\(file): decoding failed after \(frames) frame\(frames == 1 ? "" : "s"): \(detail)"
        case .encodeFailed(let file, let frames, let detail):
            return "\(file): writing the video failed after \(frames) frame\(frames == 1 ? "" : "s"): \(detail); nothing was written"
        case .badOutput(let file, let detail):
            return "\(file): \(detail)"
        case .io(let file, let detail):
            return "\(file): \(detail)"
        case .system(let what, let code):
            return "\(what): \(String(cString: strerror(code)))"
        case .brokenPipe:
            return "the encoder closed its input"
        }
    }
}

extension OptionName {
    /// `--crf`: the encoder's constant rate factor.
    public static let crf = OptionName(field: "crf")
    /// `--frames N`: only the first N frames.
    public static let frames = OptionName(field: "frames")
}
