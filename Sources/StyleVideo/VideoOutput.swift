import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The kinds of output the pipeline writes, chosen by the output path.
public enum VideoContainer: String, Sendable, Codable {
    /// `.mp4`, `.m4v`: H.264 (libx264), yuv420p.
    case mp4
    /// `.mov`: H.264, yuv420p.
    case mov
    /// `.mkv`: H.264, yuv420p.
    case mkv
    /// `.webm`: VP9 (libvpx-vp9), yuv420p; audio Opus or Vorbis.
    case webm
    /// A PNG frame pattern such as `out/%05d.png` (frames numbered from 1, no audio).
    case pngFrames = "png-frames"

    /// The container for an output path, or an error naming it.
    public static func of(path: String) throws -> VideoContainer {
        let name = (path as NSString).lastPathComponent
        let ext = (name as NSString).pathExtension.lowercased()
        switch ext {
        case "mp4", "m4v": return .mp4
        case "mov": return .mov
        case "mkv": return .mkv
        case "webm": return .webm
        case "png":
            guard patternRange(in: name) != nil else {
                throw VideoError.badOutput(file: path, detail: "a PNG output needs a frame-number pattern in its name, such as out/%05d.png")
            }
            return .pngFrames
        default:
            throw VideoError.badOutput(file: path, detail: "unsupported output type '.\(ext)'; use .mp4, .mov, .mkv, .webm or a PNG pattern such as out/%05d.png")
        }
    }

    /// The range of the one `%d` / `%0Nd` in a file name, nil when there is none (or more than one `%`).
    static func patternRange(in name: String) -> Range<String.Index>? {
        guard name.filter({ $0 == "%" }).count == 1,
              let r = name.range(of: #"%0?[0-9]?d"#, options: .regularExpression) else { return nil }
        return r
    }

    /// The ffmpeg muxer.
    var muxer: String {
        switch self {
        case .mp4: return "mp4"
        case .mov: return "mov"
        case .mkv: return "matroska"
        case .webm: return "webm"
        case .pngFrames: return "image2"
        }
    }

    /// Whether frames are stored as 4:2:0 (both sides must be even).
    var needsEvenSize: Bool { self != .pngFrames }

    /// Whether the container has a rotation field the pipeline can write (MP4/QuickTime track
    /// matrix); for the others the rotation is applied to the pixels instead.
    var keepsRotationMetadata: Bool { self == .mp4 || self == .mov }

    /// The default `--crf` of the video codec (H.264: 18, visually lossless; VP9: 31, the
    /// value its documentation suggests for 720p-1080p).
    public var defaultCRF: Int? {
        switch self {
        case .mp4, .mov, .mkv: return 18
        case .webm: return 31
        case .pngFrames: return nil
        }
    }

    /// The range `--crf` accepts.
    var crfRange: ClosedRange<Int>? {
        switch self {
        case .mp4, .mov, .mkv: return 0...51
        case .webm: return 0...63
        case .pngFrames: return nil
        }
    }

    /// Audio codecs (ffmpeg names) that can be copied into this container unchanged; nil = all.
    var copyableAudio: Set<String>? {
        switch self {
        case .mp4: return ["aac", "mp3", "ac3", "eac3", "alac", "opus"]
        case .mov: return ["aac", "mp3", "ac3", "eac3", "alac", "pcm_s16le", "pcm_s16be", "pcm_s24le", "pcm_s24be",
                           "pcm_s32le", "pcm_s32be", "pcm_f32le", "pcm_f32be", "pcm_u8"]
        case .webm: return ["opus", "vorbis"]
        case .mkv: return nil
        case .pngFrames: return []
        }
    }

    /// The encoder used when an audio stream cannot be copied, with its arguments.
    var audioEncoder: (name: String, arguments: [String])? {
        switch self {
        case .mp4, .mov, .mkv: return ("aac", ["aac", "-b:a", "192k"])
        case .webm: return ("opus", ["libopus", "-b:a", "128k"])
        case .pngFrames: return nil
        }
    }
}

/// What happens to one audio stream of the input.
public struct AudioPlan: Sendable, Equatable, Codable {
    /// Index of the stream in the input.
    public let stream: Int
    /// The input's codec.
    public let codec: String
    /// "copied", "re-encoded to aac", "re-encoded to opus" or "dropped".
    public let action: String
}

/// Where and how the output is written: a temporary file (or folder, for PNG frames) in the
/// output's folder, renamed into place only when complete.
struct OutputTarget {
    let path: String
    let container: VideoContainer
    let directory: String
    /// The file ffmpeg writes (a temporary file, or a pattern inside a temporary folder).
    let temporaryPath: String
    /// For PNG frames: the temporary folder; nil for a single file.
    let temporaryFolder: String?

    init(path: String, container: VideoContainer) {
        self.path = path
        self.container = container
        let name = (path as NSString).lastPathComponent
        let dir = (path as NSString).deletingLastPathComponent
        directory = dir.isEmpty ? "." : dir
        let tag = "stylize-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        if container == .pngFrames {
            let folder = directory + "/." + tag
            temporaryFolder = folder
            temporaryPath = folder + "/" + name
        } else {
            let ext = (name as NSString).pathExtension
            temporaryFolder = nil
            temporaryPath = directory + "/." + name + "." + tag + "." + ext
        }
    }

    /// Refuses outputs that are one of the inputs (or, for a pattern, that a frame would
    /// replace an input), and folders that do not exist.
    func check(protecting inputs: [String]) throws {
        var isDir: ObjCBool = false
        if container == .pngFrames {
            // A missing folder is created by `prepare`, once the input has been probed.
            if FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), !isDir.boolValue {
                throw VideoError.badOutput(file: path, detail: "\(directory) is not a folder")
            }
            let name = (path as NSString).lastPathComponent
            let range = VideoContainer.patternRange(in: name)!
            let regex = "^" + NSRegularExpression.escapedPattern(for: String(name[..<range.lowerBound])) + "[0-9]+"
                + NSRegularExpression.escapedPattern(for: String(name[range.upperBound...])) + "$"
            for input in inputs where Self.sameDirectory(input, directory)
                && (input as NSString).lastPathComponent.range(of: regex, options: .regularExpression) != nil {
                throw VideoError.badOutput(file: path, detail: "the frames would replace the input \(input); choose another output pattern")
            }
        } else {
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir.boolValue else {
                throw VideoError.badOutput(file: path, detail: "the folder \(directory) does not exist")
            }
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
                throw VideoError.badOutput(file: path, detail: "is a folder")
            }
            for input in inputs where Self.sameFile(input, path) {
                throw VideoError.badOutput(file: path, detail: "refusing to overwrite an input file; choose another output path")
            }
        }
    }

    static func identity(_ path: String) -> (UInt64, UInt64)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    static func sameFile(_ a: String, _ b: String) -> Bool {
        if let x = identity(a), let y = identity(b) { return x == y }
        return (a as NSString).standardizingPath == (b as NSString).standardizingPath
    }

    static func sameDirectory(_ file: String, _ directory: String) -> Bool {
        let d = (file as NSString).deletingLastPathComponent
        return sameFile(d.isEmpty ? "." : d, directory)
    }

    /// Creates the folder of a PNG pattern if needed, and the temporary folder inside it.
    func prepare() throws {
        if let folder = temporaryFolder {
            do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
            catch { throw VideoError.badOutput(file: path, detail: "cannot create the folder \(directory): \(error.localizedDescription)") }
            guard mkdir(folder, 0o777) == 0 else {
                throw VideoError.badOutput(file: path, detail: "cannot create a temporary folder in \(directory): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Moves the finished output into place: one rename for a file; for PNG frames one
    /// rename per frame, then the empty temporary folder is removed. Returns the frame files.
    func commit() throws -> [String] {
        if let folder = temporaryFolder {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
            for name in names {
                guard rename(folder + "/" + name, directory + "/" + name) == 0 else {
                    throw VideoError.io(file: directory + "/" + name, detail: "cannot move the frame into place: \(String(cString: strerror(errno)))")
                }
            }
            rmdir(folder)
            return names.map { directory + "/" + $0 }
        }
        let fd = open(temporaryPath, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            let synced = fsync(fd) == 0
            close(fd)
            if !synced { throw VideoError.io(file: path, detail: "cannot flush the output to disk: \(String(cString: strerror(errno)))") }
        }
        guard rename(temporaryPath, path) == 0 else {
            throw VideoError.io(file: path, detail: "cannot move the output into place: \(String(cString: strerror(errno)))")
        }
        return [path]
    }

    /// Removes whatever was written (after a failure or an interruption).
    func discard() {
        if let folder = temporaryFolder {
            try? FileManager.default.removeItem(atPath: folder)
        } else {
            unlink(temporaryPath)
        }
    }

    /// The path to register for removal on a forced exit.
    var temporary: String { temporaryFolder ?? temporaryPath }
}
