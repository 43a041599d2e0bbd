import Foundation
import XCTest
import StylizeTestSupport

/// Clips made by ffmpeg inside the tests (nothing committed) and ffprobe/ffmpeg checks of outputs.
/// ffmpeg is required: `.ci/run` installs it (Debian package `ffmpeg`).
enum VideoFixtures {
    /// The absolute path of a program on PATH, or a failure that says how to install it.
    static func tool(_ name: String) throws -> String {
        if let path = findProgram(name) { return path }
        XCTFail("\(name) is not installed; the video tests need it: sudo apt-get install ffmpeg")
        throw CocoaError(.fileNoSuchFile)
    }

    /// A clip of `frames` frames at `fps`: a slow pan and zoom over a sample image from Images/
    /// (lavfi), with a 440 Hz sine tone in `audio` (an ffmpeg encoder name, or nil for none).
    /// The container follows the extension of `path`.
    static func makeClip(_ path: String, width: Int = 96, height: Int = 64, frames: Int = 12, fps: Int = 25,
                         audio: String? = "aac", image: String = "chelsea.jpg", pixelFormat: String = "yuv420p") throws {
        let seconds = Double(frames) / Double(fps)
        let source = packageRoot + "/Images/" + image
        var args = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-loop", "1", "-framerate", "\(fps)", "-i", source]
        if audio != nil {
            args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=\(seconds)"]
        }
        // Zoom in by 20 % over the clip while the window drifts right.
        let filter = "[0:v]scale=w='trunc(\(width * 2)*(1+0.2*t/\(seconds))/2)*2':h=-2:eval=frame,"
            + "crop=w=\(width):h=\(height):x='(iw-\(width))/2+\(width / 4)*t/\(seconds)':y='(ih-\(height))/2',setsar=1,format=\(pixelFormat)[v]"
        args += ["-filter_complex", filter, "-map", "[v]"]
        if let audio { args += ["-map", "1:a", "-c:a", audio] }
        let ext = (path as NSString).pathExtension.lowercased()
        args += ["-frames:v", "\(frames)", "-t", String(format: "%.4f", seconds)]
        args += ext == "webm" ? ["-c:v", "libvpx-vp9", "-crf", "30", "-b:v", "0"] : ["-c:v", "libx264", "-crf", "18"]
        args.append(path)
        let r = try runProgram(try tool("ffmpeg"), args)
        XCTAssertEqual(r.status, 0, "making \(path): \(r.stderr)")
    }

    /// ffprobe's JSON (streams with counted frames, format).
    static func probe(_ path: String) throws -> [String: Any] {
        let r = try runProgram(try tool("ffprobe"), ["-v", "error", "-count_frames", "-print_format", "json", "-show_streams", "-show_format", path])
        XCTAssertEqual(r.status, 0, r.stderr)
        return (try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    static func streams(_ probe: [String: Any], _ type: String) -> [[String: Any]] {
        (probe["streams"] as? [[String: Any]] ?? []).filter { $0["codec_type"] as? String == type }
    }

    /// What ffmpeg says when decoding every stream of the file (empty when it plays cleanly).
    static func decodeErrors(_ path: String) throws -> String {
        let r = try runProgram(try tool("ffmpeg"), ["-nostdin", "-v", "error", "-i", path, "-f", "null", "-"])
        return r.status == 0 ? r.stderr : "exit \(r.status): " + r.stderr
    }

    /// MD5 of the audio packets as stored (equal for a stream copied unchanged).
    static func audioPacketsMD5(_ path: String) throws -> String {
        let r = try runProgram(try tool("ffmpeg"), ["-nostdin", "-v", "error", "-i", path, "-map", "0:a:0", "-c", "copy", "-f", "md5", "-"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The first frame as raw RGB at w x h.
    static func firstFrameRGB(_ path: String, width: Int, height: Int) throws -> [UInt8] {
        let r = try runProgram(try tool("ffmpeg"), ["-nostdin", "-v", "error", "-i", path, "-frames:v", "1", "-vf", "scale=\(width):\(height)",
                                                    "-pix_fmt", "rgb24", "-f", "rawvideo", "-"])
        XCTAssertEqual(r.status, 0, r.stderr)
        return [UInt8](r.output)
    }

    /// A folder put first on PATH with an `ffmpeg` wrapper script (`body` runs with $REAL =
    /// the real ffmpeg and "$@" its arguments) and the real `ffprobe`: the environment
    /// variables to set (PATH).
    static func wrapperPath(in folder: String, body: String) throws -> [String: String] {
        let dir = folder + "/fakebin"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let script = "#!/bin/sh\nREAL=\(try tool("ffmpeg"))\n" + body + "\n"
        try script.write(toFile: dir + "/ffmpeg", atomically: true, encoding: .utf8)
        chmod(dir + "/ffmpeg", 0o755)
        try? FileManager.default.removeItem(atPath: dir + "/ffprobe")
        try FileManager.default.createSymbolicLink(atPath: dir + "/ffprobe", withDestinationPath: try tool("ffprobe"))
        return ["PATH": dir + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
    }

    /// Processes whose command line mentions `text` (other than this test process).
    static func processes(mentioning text: String) -> [String] {
        let me = ProcessInfo.processInfo.processIdentifier
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return pids.compactMap { pid -> String? in
            guard pid != me, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return nil }
            let line = String(decoding: data.map { $0 == 0 ? 32 : $0 }, as: UTF8.self)
            return line.contains(text) ? "\(pid): \(line)" : nil
        }
    }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String? { self[key] as? String }
    func double(_ key: String) -> Double? { (self[key] as? String).flatMap(Double.init) ?? (self[key] as? Double) }
    func int(_ key: String) -> Int? { (self[key] as? String).flatMap { Int($0) } ?? (self[key] as? Int) }
}
