import Foundation

/// The `ffmpeg` and `ffprobe` programs (Debian package `ffmpeg`), found on PATH.
public struct FFmpegTools: Sendable, Equatable {
    public let ffmpeg: String
    public let ffprobe: String

    public init(ffmpeg: String, ffprobe: String) { self.ffmpeg = ffmpeg; self.ffprobe = ffprobe }

    /// Looks both programs up in `PATH` (of `environment`). `file` is the video the caller
    /// wants to process; it is named in the error when a program is missing.
    public static func locate(for file: String,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FFmpegTools {
        let path = environment["PATH"] ?? "/usr/bin:/bin"
        func find(_ tool: String) throws -> String {
            for dir in path.split(separator: ":", omittingEmptySubsequences: true) {
                let candidate = String(dir) + "/" + tool
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDir), !isDir.boolValue,
                   FileManager.default.isExecutableFile(atPath: candidate) {
                    return candidate
                }
            }
            throw VideoError.toolMissing(file: file, tool: tool)
        }
        return FFmpegTools(ffmpeg: try find("ffmpeg"), ffprobe: try find("ffprobe"))
    }

    /// A path as an ffmpeg URL that always means a local file: `file:` + the path, so names
    /// that start with "-" or look like other protocols ("http:", "concat:") are read as files.
    static func fileURL(_ path: String) -> String { "file:" + path }

    /// Runs a program to completion, returning its standard output and how it ended
    /// (standard error in `errorText`).
    static func capture(_ executable: String, _ arguments: [String]) throws -> (output: Data, termination: ChildTermination, errorText: String) {
        let child = try ChildProcess(executable: executable, arguments: arguments, pipeStdin: false, pipeStdout: true)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try child.read(into: $0) }
            data.append(contentsOf: buffer[0..<n])
            if n < buffer.count { break }
        }
        let t = child.wait()
        return (data, t, child.errorText)
    }
}
