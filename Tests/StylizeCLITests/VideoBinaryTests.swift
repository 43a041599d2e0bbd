import Foundation
import StyleVideo
import XCTest
#if canImport(Glibc)
import Glibc
#endif
import StylizeTestSupport

/// `stylize video` end to end: the real binary, real ffmpeg/ffprobe, clips made by ffmpeg from
/// the sample images, and a seeded tiny network (the default model would be slower and is not
/// what these tests are about).
final class VideoBinaryTests: XCTestCase {
    var root = ""
    var weights = ""
    var style = ""

    override func setUpWithError() throws {
        root = try makeTemporaryFolder(self)
        weights = root + "/tiny.safetensors"
        try TinyModels.vgg(to: weights)
        style = packageRoot + "/Images/autumn.jpg"
    }

    func stylize(_ args: [String], environment: [String: String] = [:],
                 whileRunning: (RunningProcess) throws -> Void = { _ in }) throws -> ProcessRun {
        try runStylize(args, environment: environment, whileRunning: whileRunning)
    }

    func md5(_ path: String) throws -> String {
        try runProgram(try VideoFixtures.tool("md5sum"), [path]).stdout.split(separator: " ").first.map(String.init) ?? ""
    }

    /// Frames in = frames out, same rate and duration, audio copied unchanged (same packets,
    /// same duration), a file ffmpeg decodes without a message, the input untouched, no
    /// temporary file left, and frames that really are stylized.
    func testHappyPathKeepsFramesRateAndAudio() throws {
        let clip = root + "/clip.mp4"
        try VideoFixtures.makeClip(clip, frames: 12)
        let before = try md5(clip)
        let out = root + "/out.mp4"
        let run = try stylize(["video", clip, style, "-o", out, "--weights", weights, "--json", "--stats", "frame"])
        XCTAssertEqual(run.status, 0, run.stderr)

        let input = try VideoFixtures.probe(clip), output = try VideoFixtures.probe(out)
        let vin = VideoFixtures.streams(input, "video")[0], vout = VideoFixtures.streams(output, "video")[0]
        XCTAssertEqual(vin.int("nb_read_frames"), 12)
        XCTAssertEqual(vout.int("nb_read_frames"), 12)
        XCTAssertEqual(vout.string("r_frame_rate"), "25/1")
        XCTAssertEqual(vout.string("codec_name"), "h264")
        XCTAssertEqual(vout.string("pix_fmt"), "yuv420p")
        XCTAssertEqual(vout.int("width"), 96)
        XCTAssertEqual(vout.int("height"), 64)
        XCTAssertEqual(vout.double("duration")!, 0.48, accuracy: 0.001)
        let ain = VideoFixtures.streams(input, "audio"), aout = VideoFixtures.streams(output, "audio")
        XCTAssertEqual(aout.count, 1)
        XCTAssertEqual(aout.first?.string("codec_name"), "aac")
        XCTAssertEqual(aout.first?.double("duration") ?? -1, ain[0].double("duration")!, accuracy: 0.0005)
        XCTAssertEqual(try VideoFixtures.audioPacketsMD5(out), try VideoFixtures.audioPacketsMD5(clip), "audio not copied unchanged")
        XCTAssertEqual(try VideoFixtures.decodeErrors(out), "")
        XCTAssertEqual(try md5(clip), before, "the input changed")
        XCTAssertEqual(temporaryFiles(under: root), [])

        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        XCTAssertEqual(summary["frames"] as? Int, 12)
        XCTAssertEqual(summary["width"] as? Int, 96)
        XCTAssertEqual(summary["stats"] as? String, "frame")
        XCTAssertEqual((summary["audio"] as? [[String: Any]])?.first?["action"] as? String, "copied")
        let flicker = summary["flicker"] as? [String: Any] ?? [:]
        XCTAssertEqual(flicker["frames"] as? Int, 12)
        XCTAssertGreaterThan(flicker["difference_input"] as? Double ?? 0, 0)

        let a = try VideoFixtures.firstFrameRGB(clip, width: 96, height: 64)
        let b = try VideoFixtures.firstFrameRGB(out, width: 96, height: 64)
        XCTAssertEqual(a.count, 96 * 64 * 3)
        let difference = zip(a, b).map { abs(Int($0) - Int($1)) }.reduce(0, +)
        XCTAssertGreaterThan(Double(difference) / Double(a.count), 10, "the output looks like the input")
    }

    /// PCM audio cannot go into MP4: it is re-encoded to AAC with a note, and copied into MKV;
    /// WebM gets VP9 and Opus; odd sizes become even; PNG frames are numbered from 1.
    func testOtherContainersAudioReencodingAndFrames() throws {
        let clip = root + "/pcm.mkv"
        try VideoFixtures.makeClip(clip, width: 95, height: 63, frames: 8, audio: "pcm_s16le", pixelFormat: "yuv444p")
        let mp4 = root + "/a.mp4", mkv = root + "/a.mkv", webm = root + "/a.webm"
        let r1 = try stylize(["video", clip, style, "-o", mp4, "--weights", weights])
        XCTAssertEqual(r1.status, 0, r1.stderr)
        XCTAssertTrue(r1.stderr.contains("note: audio stream 1 (pcm_s16le) re-encoded to aac: .mp4 cannot hold pcm_s16le"), r1.stderr)
        var p = try VideoFixtures.probe(mp4)
        XCTAssertEqual(VideoFixtures.streams(p, "audio").first?.string("codec_name"), "aac")
        XCTAssertEqual(VideoFixtures.streams(p, "video").first?.int("width"), 94)
        XCTAssertEqual(VideoFixtures.streams(p, "video").first?.int("height"), 62)
        XCTAssertEqual(VideoFixtures.streams(p, "video").first?.int("nb_read_frames"), 8)

        let r2 = try stylize(["video", clip, style, "-o", mkv, "--weights", weights, "--quiet"])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        XCTAssertEqual(r2.stdout + r2.stderr, "")
        p = try VideoFixtures.probe(mkv)
        XCTAssertEqual(VideoFixtures.streams(p, "audio").first?.string("codec_name"), "pcm_s16le")
        XCTAssertEqual(try VideoFixtures.audioPacketsMD5(mkv), try VideoFixtures.audioPacketsMD5(clip))

        let r3 = try stylize(["video", clip, style, "-o", webm, "--weights", weights])
        XCTAssertEqual(r3.status, 0, r3.stderr)
        p = try VideoFixtures.probe(webm)
        XCTAssertEqual(VideoFixtures.streams(p, "video").first?.string("codec_name"), "vp9")
        XCTAssertEqual(VideoFixtures.streams(p, "video").first?.int("nb_read_frames"), 8)
        XCTAssertEqual(VideoFixtures.streams(p, "audio").first?.string("codec_name"), "opus")
        for file in [mp4, mkv, webm] { XCTAssertEqual(try VideoFixtures.decodeErrors(file), "", file) }

        let frames = root + "/frames"
        let r4 = try stylize(["video", clip, style, "-o", frames + "/f%03d.png", "--weights", weights])
        XCTAssertEqual(r4.status, 0, r4.stderr)
        XCTAssertTrue(r4.stderr.contains("not written: PNG frames have no audio"), r4.stderr)
        let names = try FileManager.default.contentsOfDirectory(atPath: frames).sorted()
        XCTAssertEqual(names, (1...8).map { String(format: "f%03d.png", $0) })
        let first = try VideoFixtures.probe(frames + "/f001.png")
        XCTAssertEqual(VideoFixtures.streams(first, "video").first?.int("width"), 95)   // PNG keeps odd sizes
        XCTAssertEqual(temporaryFiles(under: root), [])
    }

    /// A clip filmed "upright" on a phone: stored 96x64 with rotation -90. MP4 output keeps the
    /// stored frames and the rotation; MKV output gets upright 64x96 frames and a note.
    func testRotationIsKept() throws {
        let clip = root + "/rot.mp4"
        try VideoFixtures.makeClip(clip, frames: 6)
        try MP4DisplayMatrix.write(MP4DisplayMatrix.rotation(degrees: -90), file: clip)
        func rotation(_ p: [String: Any]) -> Double? {
            let v = VideoFixtures.streams(p, "video")[0]
            let side = (v["side_data_list"] as? [[String: Any]])?.first { $0["side_data_type"] as? String == "Display Matrix" }
            return (side?["rotation"] as? Double) ?? (side?["rotation"] as? Int).map(Double.init)
        }
        XCTAssertEqual(rotation(try VideoFixtures.probe(clip)), -90, "ffprobe does not see the rotation written into the test clip")

        let out = root + "/rot_out.mp4"
        let r = try stylize(["video", clip, style, "-o", out, "--weights", weights, "--json"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let p = try VideoFixtures.probe(out)
        XCTAssertEqual(rotation(p), -90)
        XCTAssertEqual(VideoFixtures.streams(p, "video")[0].int("width"), 96)
        XCTAssertEqual(VideoFixtures.streams(p, "video")[0].int("nb_read_frames"), 6)
        XCTAssertTrue(r.stdout.contains("\"rotation\" : \"kept as metadata (-90 degrees)\""), r.stdout)

        let mkv = root + "/rot_out.mkv"
        let r2 = try stylize(["video", clip, style, "-o", mkv, "--weights", weights])
        XCTAssertEqual(r2.status, 0, r2.stderr)
        XCTAssertTrue(r2.stderr.contains("rotation -90 degrees applied to the frames"), r2.stderr)
        let q = try VideoFixtures.probe(mkv)
        XCTAssertEqual(VideoFixtures.streams(q, "video")[0].int("width"), 64)
        XCTAssertEqual(VideoFixtures.streams(q, "video")[0].int("height"), 96)
        XCTAssertNil(rotation(q))
    }

    /// Each bad input is a clear error naming the file, exit status 1, and no output.
    func testBadInputs() throws {
        let out = root + "/out.mp4"
        let text = root + "/notes.mp4"
        try "just some words, not a video\n".write(toFile: text, atomically: true, encoding: .utf8)
        var r = try stylize(["video", text, style, "-o", out, "--weights", weights])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(text): not a video ffmpeg can read"), r.stderr)

        let audioOnly = root + "/tone.m4a"
        try runProgram(try VideoFixtures.tool("ffmpeg"), ["-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                                                                  "sine=duration=0.5", "-c:a", "aac", audioOnly])
        r = try stylize(["video", audioOnly, style, "-o", out, "--weights", weights])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(audioOnly): has no video stream (streams: audio (aac))"), r.stderr)

        r = try stylize(["video", root + "/missing.mp4", style, "-o", out, "--weights", weights])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(root)/missing.mp4: no such file"), r.stderr)

        let clip = root + "/clip.mp4"
        try VideoFixtures.makeClip(clip, frames: 4)
        r = try stylize(["video", clip, style, "-o", out, "--weights", weights], environment: ["PATH": root + "/nothing-here"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(clip): cannot process videos: ffmpeg was not found on PATH. Install it with: sudo apt-get install ffmpeg"), r.stderr)

        r = try stylize(["video", clip, style, "-o", clip, "--weights", weights])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("refusing to overwrite an input file"), r.stderr)
        r = try stylize(["video", clip, style, "-o", root + "/out.gif", "--weights", weights])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("unsupported output type '.gif'"), r.stderr)
        r = try stylize(["video", clip, style, "-o", out, "--weights", weights, "--crf", "99"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("--crf must be in 0...51"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(temporaryFiles(under: root), [])
    }

    /// ffmpeg dying in the middle: the decoder's output cut after a few frames, or the encoder
    /// giving up after a few frames. A clear error naming the file, no output, no temporary file,
    /// no process left behind.
    func testFFmpegDyingMidStream() throws {
        let clip = root + "/clip.mp4"
        try VideoFixtures.makeClip(clip, frames: 12)
        let out = root + "/out.mp4"
        let frame = 96 * 64 * 3
        // Decoder: the real ffmpeg's frames, cut inside the fourth one, then exit status 1.
        var env = try VideoFixtures.wrapperPath(in: root + "/dec", body: """
            case "$*" in *pipe:1*) "$REAL" "$@" | head -c \(3 * frame + 100); exit 1;; esac
            exec "$REAL" "$@"
            """)
        var r = try stylize(["video", clip, style, "-o", out, "--weights", weights], environment: env)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(clip): decoding failed after 3 frames: ffmpeg exit status 1"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(temporaryFiles(under: root), [])

        // Encoder: reads two frames, complains and exits 3.
        env = try VideoFixtures.wrapperPath(in: root + "/enc", body: """
            case "$*" in *pipe:0*) head -c \(2 * frame) > /dev/null; echo "simulated encoder crash" >&2; exit 3;; esac
            exec "$REAL" "$@"
            """)
        r = try stylize(["video", clip, style, "-o", out, "--weights", weights], environment: env)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("\(out): writing the video failed after"), r.stderr)
        XCTAssertTrue(r.stderr.contains("ffmpeg exit status 3: simulated encoder crash; nothing was written"), r.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: out))
        XCTAssertEqual(temporaryFiles(under: root), [])
        XCTAssertEqual(VideoFixtures.processes(mentioning: root), [])
    }

    /// A full disk: the output folder is an 8 KiB tmpfs (as root), or else the run is limited
    /// to 8 KiB files (RLIMIT_FSIZE through prlimit); the output would be about 40 KiB. Either way the encoder fails; the error
    /// names the output and nothing is left.
    func testFullDisk() throws {
        let clip = root + "/clip.mp4"
        try VideoFixtures.makeClip(clip, width: 192, height: 128, frames: 25)
        let small = root + "/small"
        try FileManager.default.createDirectory(atPath: small, withIntermediateDirectories: true)
        let mounted = (try? runProgram("/bin/mount", ["-t", "tmpfs", "-o", "size=8k", "tmpfs", small]))?.status == 0
        if mounted { addTeardownBlock { _ = try? runProgram("/bin/umount", [small]) } }
        let out = small + "/out.mp4"
        let args = ["video", clip, style, "-o", out, "--weights", weights]
        let r: ProcessRun
        if mounted {
            r = try stylize(args)
            XCTAssertTrue(r.stderr.contains("No space left on device"), r.stderr)
        } else {
            r = try runProgram(try VideoFixtures.tool("prlimit"), ["--fsize=8192", try stylizeBinary().path] + args,
                               unsetting: ["STYLIZE_WEIGHTS"])
            XCTAssertTrue(r.stderr.contains("SIGXFSZ") || r.stderr.contains("File too large"), r.stderr)
        }
        XCTAssertEqual(r.status, 1, r.stderr)
        XCTAssertTrue(r.stderr.contains("\(out): writing the video failed"), r.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: small), [])
    }

    /// SIGINT (exit 130) and SIGTERM (143) while a run is under way: no output, no temporary
    /// file, no ffmpeg left running. The decoder is made to stall after two frames, so the
    /// signal always arrives mid-run, while the encoder has its temporary file open.
    func testInterruptionLeavesNothing() throws {
        let clip = root + "/clip.mp4"
        try VideoFixtures.makeClip(clip, frames: 12)
        let env = try VideoFixtures.wrapperPath(in: root + "/stall", body: """
            case "$*" in *pipe:1*) "$REAL" "$@" | { head -c \(2 * 96 * 64 * 3); sleep 120; }; exit 0;; esac
            exec "$REAL" "$@"
            """)
        for (sig, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
            let outDir = root + "/out\(sig)"
            try FileManager.default.createDirectory(atPath: outDir, withIntermediateDirectories: true)
            var stopped = false
            let r = try stylize(["video", clip, style, "-o", outDir + "/out.mp4", "--weights", weights], environment: env) { video in
                video.wait(seconds: 60, interval: 0.05) { !temporaryFiles(under: outDir).isEmpty }
                XCTAssertTrue(video.isRunning, "the run ended before it could be interrupted")
                XCTAssertEqual(temporaryFiles(under: outDir).count, 1, "the encoder never created its temporary file")
                video.signal(sig)
                stopped = video.waitForExit(seconds: 20)
                if !stopped { video.signal(SIGTERM) }
            }
            XCTAssertTrue(stopped, "no exit 20 s after the signal")
            let stderr = r.stderr
            XCTAssertEqual(r.status, status, stderr)
            XCTAssertTrue(stderr.contains("no output written"), stderr)
            XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outDir), [])
            usleep(200_000)
            XCTAssertEqual(VideoFixtures.processes(mentioning: root), [], "processes left behind")
        }
    }

    /// `--stats clip` (and running) give byte-identical files whatever the thread count.
    func testOutputIndependentOfThreadCount() throws {
        let clip = root + "/clip.mp4"
        try VideoFixtures.makeClip(clip, width: 128, height: 80, frames: 10)
        for stats in ["clip", "running"] {
            var hashes: [String] = []
            var frameHashes: [[String]] = []
            for threads in ["1", "2"] {
                let out = root + "/\(stats)\(threads).mp4"
                let r = try stylize(["video", clip, style, "-o", out, "--weights", weights, "--stats", stats, "--threads", threads])
                XCTAssertEqual(r.status, 0, r.stderr)
                hashes.append(try md5(out))
                let dir = root + "/\(stats)\(threads)"
                let r2 = try stylize(["video", clip, style, "-o", dir + "/%03d.png", "--weights", weights, "--stats", stats,
                                      "--threads", threads, "--quiet"])
                XCTAssertEqual(r2.status, 0, r2.stderr)
                frameHashes.append(try FileManager.default.contentsOfDirectory(atPath: dir).sorted().map { try md5(dir + "/" + $0) })
            }
            XCTAssertEqual(hashes[0], hashes[1], "--stats \(stats): the .mp4 depends on the thread count")
            XCTAssertEqual(frameHashes[0].count, 10)
            XCTAssertEqual(frameHashes[0], frameHashes[1], "--stats \(stats): the frames depend on the thread count")
        }
    }

    /// Magenta's family through the tiny test networks: style images and presets, every --stats.
    func testMagentaTinyNetworks() throws {
        let clip = root + "/clip.mp4"
        try VideoFixtures.makeClip(clip, width: 64, height: 48, frames: 6)
        let reference = packageRoot + "/Tests/StyleModelsTests/MagentaReference"
        for stats in ["frame", "running", "clip"] {
            let out = root + "/m_\(stats).mp4"
            let r = try stylize(["video", clip, style, "-o", out, "--model", "magenta", "--weights",
                                 reference + "/tiny-arbitrary.safetensors", "--stats", stats, "--json"])
            XCTAssertEqual(r.status, 0, r.stderr)
            XCTAssertTrue(r.stdout.contains("\"model\" : \"magenta\""), r.stdout)
            XCTAssertEqual(VideoFixtures.streams(try VideoFixtures.probe(out), "video").first?.int("nb_read_frames"), 6)
        }
        let r = try stylize(["video", clip, "--preset", "3", "-o", root + "/p.mp4", "--weights",
                             reference + "/tiny-multistyle26.safetensors", "--stats", "clip", "--norm", "layer"])
        XCTAssertEqual(r.status, 0, r.stderr)
    }

    /// `compare --video`: every norm with every statistics mode (plus AdaBN with the weights'
    /// population), a strip of frames and a report; `--measure` on a stylized output.
    func testCompareVideoAndMeasure() throws {
        let clip = root + "/clip.mp4"
        try VideoFixtures.makeClip(clip, frames: 8)
        let report = root + "/r.json", strip = root + "/strip.png"
        let r = try stylize(["compare", "--video", clip, style, "-o", strip, "--report", report, "--weights", weights,
                             "--content-size", "32", "--strip", "3", "--matches", "moments"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any] ?? [:]
        let variants = json["variants"] as? [[String: Any]] ?? []
        XCTAssertEqual(variants.count, 13)
        XCTAssertEqual(Set(variants.map { "\($0["name"]!) \($0["stats"]!)" }).count, 13)
        XCTAssertTrue(variants.contains { $0["stats"] as? String == "weights population" })
        XCTAssertEqual(json["frames"] as? Int, 8)
        XCTAssertEqual(json["strip_frames"] as? [Int], [1, 4, 8])
        for v in variants { XCTAssertEqual((v["flicker"] as? [String: Any])?["frames"] as? Int, 8) }
        let sheet = try VideoFixtures.probe(strip)
        XCTAssertGreaterThan(VideoFixtures.streams(sheet, "video").first?.int("height") ?? 0, 14 * 32)
        XCTAssertTrue(r.stdout.contains("AdaGN (G=8)  clip"), r.stdout)

        let out = root + "/out.mp4"
        XCTAssertEqual(try stylize(["video", clip, style, "-o", out, "--weights", weights, "--quiet"]).status, 0)
        let m = try stylize(["compare", "--video", clip, "--measure", out])
        XCTAssertEqual(m.status, 0, m.stderr)
        XCTAssertTrue(m.stdout.contains("8 frames"), m.stdout)
        XCTAssertTrue(m.stdout.contains("colour change x"), m.stdout)
        let same = try stylize(["compare", "--video", clip, "--measure", clip])
        XCTAssertTrue(same.stdout.contains("colour change x1.00"), same.stdout)
        XCTAssertTrue(same.stdout.contains("frame difference x1.00"), same.stdout)
    }

    /// `--match` in a video: the covariance match with running statistics (a running mean and
    /// covariance) writes every frame; the distribution match refuses shared statistics with the
    /// reason; `compare --video` reports the swaps' flicker beside the norms', and skips EFDM with
    /// shared statistics saying why.
    func testStatisticMatches() throws {
        let clip = root + "/clip.mp4"
        try VideoFixtures.makeClip(clip, width: 64, height: 48, frames: 6)
        let out = root + "/wct.mp4"
        let run = try stylize(["video", clip, style, "-o", out, "--weights", weights, "--match", "covariance", "--stats", "running", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let summary = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] ?? [:]
        XCTAssertEqual(summary["match"] as? String, "covariance")
        XCTAssertEqual(summary["stats"] as? String, "running(m=0.1)")
        XCTAssertEqual(VideoFixtures.streams(try VideoFixtures.probe(out), "video").first?.int("nb_read_frames"), 6)
        let refused = try stylize(["video", clip, style, "-o", root + "/efdm.mp4", "--weights", weights, "--match", "distribution", "--stats", "clip"])
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--stats clip cannot share the distribution match's statistics across frames"), refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root + "/efdm.mp4"))

        let report = root + "/swaps.json"
        let c = try stylize(["compare", "--video", clip, style, "-o", root + "/strip.png", "--report", report, "--weights", weights,
                             "--content-size", "32", "--norms", "instance", "--matches", "moments,covariance,distribution",
                             "--stats", "frame,clip"])
        XCTAssertEqual(c.status, 0, c.stderr)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any] ?? [:]
        let rows = (json["variants"] as? [[String: Any]] ?? []).map { "\($0["name"]!) \($0["stats"]!) \($0["match"]!)" }
        XCTAssertEqual(rows, ["AdaIN frame moments", "AdaIN clip moments", "WCT frame covariance", "WCT clip covariance", "EFDM frame distribution"])
        let skipped = json["skipped"] as? [[String: Any]] ?? []
        XCTAssertEqual(skipped.map { $0["name"] as? String }, ["EFDM x clip"])
        XCTAssertTrue((skipped.first?["reason"] as? String ?? "").contains("cannot share the distribution match"), "\(skipped)")
    }

    func testHelp() throws {
        let help = try stylize(["video", "--help"])
        XCTAssertEqual(help.status, 0)
        for option in ["--stats", "--momentum", "--crf", "--content-size", "--max-memory", "--preset", "--json", "--threads", "--frames", "--match"] {
            XCTAssertTrue(help.stdout.contains(option), option)
        }
        let compare = try stylize(["compare", "--help"])
        for option in ["--video", "--measure", "--strip", "--matches"] { XCTAssertTrue(compare.stdout.contains(option), option) }
    }
}
