import Foundation
import XCTest
@testable import StyleVideo

/// ffprobe answers (abridged from real ffprobe 5.1 output), frame sizes, output kinds and the
/// encoder's arguments.
final class ProbeAndOutputTests: XCTestCase {
    func probe(_ json: String) throws -> VideoInfo { try VideoProbe.parse(json: Data(json.utf8), path: "clip.mp4") }

    /// A phone clip: 1920x1080 stored, rotated -90 (shown 1080x1920), AAC audio, 30000/1001 fps.
    let phone = """
    {"streams": [
      {"index": 0, "codec_name": "h264", "codec_type": "video", "width": 1920, "height": 1080,
       "r_frame_rate": "30000/1001", "avg_frame_rate": "30000/1001", "start_time": "0.000000", "duration": "4.004000",
       "nb_frames": "120", "sample_aspect_ratio": "1:1", "disposition": {"attached_pic": 0},
       "side_data_list": [{"side_data_type": "Display Matrix",
          "displaymatrix": "\\n00000000:            0       65536           0\\n00000001:       -65536           0           0\\n00000002:            0           0  1073741824\\n",
          "rotation": -90}]},
      {"index": 1, "codec_name": "aac", "codec_type": "audio", "duration": "4.010000", "start_time": "0.000000"}],
     "format": {"format_name": "mov,mp4,m4a,3gp,3g2,mj2", "start_time": "0.000000", "duration": "4.010000"}}
    """

    func testPhoneClip() throws {
        let info = try probe(phone)
        XCTAssertEqual(info.width, 1920)
        XCTAssertEqual(info.height, 1080)
        XCTAssertEqual(info.displayWidth, 1080)
        XCTAssertEqual(info.displayHeight, 1920)
        XCTAssertEqual(info.rotation, -90)
        XCTAssertEqual(info.displayMatrix, [0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30])
        XCTAssertEqual(info.frameRate, FrameRate(30000, 1001))
        XCTAssertEqual(info.frameCount, 120)
        XCTAssertEqual(info.estimatedFrames, 120)
        XCTAssertEqual(info.audio, [AudioStreamInfo(index: 1, codec: "aac", duration: 4.01)])
        // The matrix ffmpeg's av_display_rotation_set(-90) makes is the one stored.
        XCTAssertEqual(MP4DisplayMatrix.rotation(degrees: -90), info.displayMatrix)
        XCTAssertEqual(MP4DisplayMatrix.rotation(degrees: 0), MP4DisplayMatrix.identity)
        XCTAssertEqual(MP4DisplayMatrix.rotation(degrees: 180), [-65536, 0, 0, 0, -65536, 0, 0, 0, 1 << 30])

        // Kept as metadata in MP4: frames processed as stored, shorter side 1080 > 720 -> 1280x720.
        let stored = FrameGeometry(info: info, contentSize: nil, upright: false, even: true)
        XCTAssertEqual([stored.width, stored.height], [1280, 720])
        // Turned upright for Matroska: 720x1280.
        let upright = FrameGeometry(info: info, contentSize: nil, upright: true, even: true)
        XCTAssertEqual([upright.width, upright.height], [720, 1280])
        XCTAssertEqual(FrameGeometry(info: info, contentSize: 0, upright: false, even: true).width, 1920)
        XCTAssertEqual(FrameGeometry(info: info, contentSize: 361, upright: false, even: true).height, 360)   // even
        XCTAssertEqual(FrameGeometry(info: info, contentSize: 361, upright: false, even: false).height, 361)
    }

    func testAudioOnlyFileHasNoVideoStream() throws {
        // An MP3 with cover art: the picture stream does not count as video.
        let json = """
        {"streams": [{"index": 0, "codec_name": "mp3", "codec_type": "audio"},
                     {"index": 1, "codec_name": "mjpeg", "codec_type": "video", "width": 300, "height": 300,
                      "disposition": {"attached_pic": 1}}],
         "format": {"format_name": "mp3"}}
        """
        XCTAssertThrowsError(try probe(json)) { error in
            XCTAssertEqual(error as? VideoError, .noVideoStream(file: "clip.mp4", streams: "audio (mp3), video (mjpeg)"))
            XCTAssertTrue("\(error)".hasPrefix("clip.mp4: has no video stream"), "\(error)")
        }
    }

    func testStillImageIsNotAVideo() throws {
        let json = """
        {"streams": [{"index": 0, "codec_name": "png", "codec_type": "video", "width": 64, "height": 48,
                      "r_frame_rate": "25/1", "avg_frame_rate": "0/0"}], "format": {"format_name": "png_pipe"}}
        """
        XCTAssertThrowsError(try probe(json)) { XCTAssertTrue("\($0)".contains("still image"), "\($0)") }
    }

    /// Unusable average rates fall back to the base rate; a video starting after the audio
    /// keeps its offset; odd sizes become even for 4:2:0.
    func testRatesOffsetsAndEvenSizes() throws {
        let json = """
        {"streams": [{"index": 0, "codec_name": "vp9", "codec_type": "video", "width": 853, "height": 481,
                      "r_frame_rate": "24/1", "avg_frame_rate": "0/0", "start_time": "0.120000", "sample_aspect_ratio": "4:3"}],
         "format": {"format_name": "matroska,webm", "start_time": "0.020000", "duration": "2.5"}}
        """
        let info = try probe(json)
        XCTAssertEqual(info.frameRate, FrameRate(24, 1))
        XCTAssertNil(info.frameCount)
        XCTAssertEqual(info.estimatedFrames, 60)
        XCTAssertEqual(info.videoStartOffset, 0.1, accuracy: 1e-9)
        XCTAssertEqual(info.sampleAspectRatio, "4:3")
        XCTAssertEqual(info.rotation, 0)
        let g = FrameGeometry(info: info, contentSize: nil, upright: true, even: true)
        XCTAssertEqual([g.width, g.height], [852, 480])
        XCTAssertNil(FrameRate(parsing: "0/0"))
        XCTAssertEqual(FrameRate(parsing: "30"), FrameRate(30, 1))
    }

    func testOutputKinds() throws {
        XCTAssertEqual(try VideoContainer.of(path: "a/b.MP4"), .mp4)
        XCTAssertEqual(try VideoContainer.of(path: "b.webm"), .webm)
        XCTAssertEqual(try VideoContainer.of(path: "b.mkv"), .mkv)
        XCTAssertEqual(try VideoContainer.of(path: "out/%05d.png"), .pngFrames)
        XCTAssertEqual(try VideoContainer.of(path: "out/frame_%d.png"), .pngFrames)
        XCTAssertThrowsError(try VideoContainer.of(path: "out/frame.png")) { XCTAssertTrue("\($0)".contains("%05d"), "\($0)") }
        XCTAssertThrowsError(try VideoContainer.of(path: "clip.gif")) {
            XCTAssertTrue("\($0)".hasPrefix("clip.gif: unsupported output type '.gif'"), "\($0)")
        }
    }

    /// Audio is copied when the container can hold the codec, else re-encoded; PNG frames drop it.
    func testAudioPlansAndEncoderArguments() throws {
        let json = """
        {"streams": [{"index": 0, "codec_name": "h264", "codec_type": "video", "width": 64, "height": 48,
                      "r_frame_rate": "25/1", "avg_frame_rate": "25/1"},
                     {"index": 1, "codec_name": "aac", "codec_type": "audio"},
                     {"index": 2, "codec_name": "pcm_s16le", "codec_type": "audio"}],
         "format": {"format_name": "matroska,webm"}}
        """
        let info = try probe(json)
        XCTAssertEqual(FrameEncoder.audioPlans(info: info, container: .mp4).map(\.action), ["copied", "re-encoded to aac"])
        XCTAssertEqual(FrameEncoder.audioPlans(info: info, container: .mov).map(\.action), ["copied", "copied"])
        XCTAssertEqual(FrameEncoder.audioPlans(info: info, container: .mkv).map(\.action), ["copied", "copied"])
        XCTAssertEqual(FrameEncoder.audioPlans(info: info, container: .webm).map(\.action), ["re-encoded to opus", "re-encoded to opus"])
        XCTAssertEqual(FrameEncoder.audioPlans(info: info, container: .pngFrames).map(\.action), ["dropped", "dropped"])

        let geometry = FrameGeometry(info: info, contentSize: nil, upright: false, even: true)
        let target = OutputTarget(path: "/tmp/x/out.mp4", container: .mp4)
        let args = FrameEncoder.arguments(info: info, geometry: geometry, target: target,
                                          audio: FrameEncoder.audioPlans(info: info, container: .mp4), crf: 20, frameLimit: 10)
        let line = args.joined(separator: " ")
        XCTAssertTrue(line.contains("-video_size 64x48 -framerate 25/1 -i pipe:0 -i file:clip.mp4"), line)
        XCTAssertTrue(line.contains("-map 1:1 -c:a:0 copy -map 1:2 -c:a:1 aac -b:a:1 192k"), line)
        XCTAssertTrue(line.contains("-c:v libx264 -preset medium -crf 20 -pix_fmt yuv420p"), line)
        XCTAssertTrue(line.contains("-threads 1"), line)
        XCTAssertTrue(line.contains("-t 0.400000"), line)
        XCTAssertTrue(target.temporaryPath.hasPrefix("/tmp/x/.out.mp4.stylize-tmp-"), target.temporaryPath)
        XCTAssertEqual(args.last, "file:" + target.temporaryPath)
        let png = OutputTarget(path: "/tmp/x/f/%04d.png", container: .pngFrames)
        XCTAssertTrue(png.temporaryPath.hasSuffix("/%04d.png"), png.temporaryPath)
        XCTAssertTrue(png.temporaryFolder!.hasPrefix("/tmp/x/f/.stylize-tmp-"), png.temporaryFolder!)
    }
}
