import XCTest
@testable import ImageCodecs
import StylizeTestSupport

/// `ImageIO.write`: format from the extension, atomic replacement, no temp
/// files left behind, inputs protected.
final class WriteTests: XCTestCase {
    var dir = ""

    override func setUpWithError() throws { dir = try makeTemporaryFolder(self) }

    func listing() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    func testWritesEachFormatByExtension() throws {
        let image = Pictures.noise(width: 12, height: 8, seed: 1, alpha: true)
        for name in ["a.png", "b.PNG", "c.jpg", "d.JPEG", "e.jpeg"] {
            try ImageIO.write(image, to: dir + "/" + name)
            let bytes = try FileAccess.read(dir + "/" + name)
            XCTAssertEqual(ImageFormat(sniffing: bytes), name.lowercased().hasSuffix("png") ? .png : .jpeg, name)
        }
        XCTAssertEqual(try ImageIO.decode(file: dir + "/a.png"), image, "PNG keeps alpha")
        XCTAssertNil(try ImageIO.decode(file: dir + "/c.jpg").alpha, "JPEG drops alpha")
        XCTAssertEqual(try listing(), ["a.png", "b.PNG", "c.jpg", "d.JPEG", "e.jpeg"], "no temporary files left")
    }

    /// `write` streams the encoder's output into the file (through a 64 KiB buffer): the file
    /// holds exactly the bytes `encode` returns, for outputs of many buffers and of less than one.
    func testStreamedFileEqualsTheEncodedBytes() throws {
        for (image, tag) in [(Pictures.noise(width: 300, height: 200, seed: 11), "rgb"),
                             (Pictures.noise(width: 240, height: 170, seed: 12, alpha: true), "rgba"),
                             (Pictures.noise(width: 9, height: 7, seed: 13), "small")] {
            for format in [ImageFormat.png, .jpeg] {
                let path = dir + "/\(tag).\(format == .png ? "png" : "jpg")"
                try ImageIO.write(image, to: path, quality: 90)
                let encoded = try ImageIO.encode(image, as: format, quality: 90, name: path)
                XCTAssertEqual(try FileAccess.read(path), encoded, path)
                if tag != "small" { XCTAssertGreaterThan(encoded.count, 65536, path) }
            }
        }
    }

    func testReplacesExistingFile() throws {
        let path = dir + "/out.png"
        try ImageIO.write(Pictures.noise(width: 4, height: 4, seed: 2), to: path)
        let second = Pictures.noise(width: 6, height: 3, seed: 3)
        try ImageIO.write(second, to: path)
        XCTAssertEqual(try ImageIO.decode(file: path), second)
        XCTAssertEqual(try listing(), ["out.png"])
    }

    func testUnknownExtensionsAreRefused() throws {
        let image = Pictures.noise(width: 2, height: 2, seed: 4)
        for name in ["out.bmp", "out", "out.", ".png", "out.png.txt"] {
            let error = assertCodecError(.unsupportedOutputFormat, name) { try ImageIO.write(image, to: dir + "/" + name) }
            XCTAssert(error?.detail.contains(".jpg, .jpeg or .png") ?? false)
        }
        XCTAssertEqual(try listing(), [])
    }

    /// The rename fails (the destination is a non-empty directory) after the
    /// temporary file was written: the error names the path and the temporary
    /// file is gone.
    func testFailedWriteLeavesNoTemporaryFile() throws {
        let target = dir + "/out.png"
        try FileManager.default.createDirectory(atPath: target + "/inside", withIntermediateDirectories: true)
        let error = assertCodecError(.io) { try ImageIO.write(Pictures.noise(width: 3, height: 3, seed: 5), to: target) }
        XCTAssertEqual(error?.file, target)
        XCTAssertEqual(try listing(), ["out.png"])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: target), ["inside"])
    }

    /// write(2) fails half-way (file size limit lowered to 1 KiB, SIGXFSZ
    /// ignored so the call returns EFBIG): error, temporary file removed, the
    /// existing output untouched. Works as root, unlike a read-only directory.
    func testFailureWhileWritingRemovesTemporaryFile() throws {
        let path = dir + "/out.png"
        try ImageIO.write(Pictures.noise(width: 2, height: 2, seed: 9), to: path)
        let before = try FileAccess.read(path)
        var saved = rlimit()
        getrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        var small = saved
        small.rlim_cur = 1024
        let oldHandler = signal(SIGXFSZ, SIG_IGN)
        XCTAssertEqual(setrlimit(Int32(RLIMIT_FSIZE.rawValue), &small), 0)
        let error = assertCodecError(.io) { try ImageIO.write(Pictures.noise(width: 64, height: 64, seed: 10), to: path) }
        let jpegError = assertCodecError(.io) { try ImageIO.write(Pictures.noise(width: 64, height: 64, seed: 10), to: dir + "/out.jpg") }
        setrlimit(Int32(RLIMIT_FSIZE.rawValue), &saved)
        signal(SIGXFSZ, oldHandler)
        XCTAssert(error?.detail.contains("write failed") ?? false, error?.description ?? "")
        XCTAssert(jpegError?.detail.contains("write failed") ?? false, jpegError?.description ?? "")
        XCTAssertEqual(try listing(), ["out.png"])
        XCTAssertEqual(try FileAccess.read(path), before)
    }

    func testMissingDirectoryIsAnError() throws {
        assertCodecError(.io) { try ImageIO.write(Pictures.noise(width: 3, height: 3, seed: 5), to: dir + "/no/such/dir/x.png") }
    }

    /// When not running as root, a read-only directory refuses the temporary file.
    func testUnwritableDirectory() throws {
        try XCTSkipIf(geteuid() == 0, "root can write into read-only directories")
        let locked = dir + "/locked"
        try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
        chmod(locked, 0o555)
        defer { chmod(locked, 0o755) }
        assertCodecError(.io) { try ImageIO.write(Pictures.noise(width: 3, height: 3, seed: 5), to: locked + "/x.png") }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: locked), [])
    }

    /// Writing over an input is refused, however the path is spelled.
    func testProtectedInputsAreNotOverwritten() throws {
        let input = dir + "/in.png"
        try ImageIO.write(Pictures.noise(width: 5, height: 5, seed: 6), to: input)
        let original = try FileAccess.read(input)
        let other = Pictures.noise(width: 2, height: 2, seed: 7)
        symlink(input, dir + "/link.png")
        for spelling in [input, dir + "/./in.png", dir + "/link.png"] {
            let error = assertCodecError(.wouldOverwriteInput, spelling) { try ImageIO.write(other, to: spelling, protecting: ["x.jpg", input]) }
            XCTAssert(error?.detail.contains(input) ?? false)
        }
        XCTAssertEqual(try FileAccess.read(input), original)
        // A different output next to it is fine.
        XCTAssertNoThrow(try ImageIO.write(other, to: dir + "/out.png", protecting: [input]))
    }

    func testEncodeRejectsInconsistentImages() {
        var image = Pictures.noise(width: 4, height: 4, seed: 8)
        image.rgb.removeLast()
        assertCodecError(.invalidImage) { _ = try ImageIO.encode(image, as: .png, name: "x.png") }
        assertCodecError(.invalidImage) { _ = try ImageIO.encode(image, as: .jpeg, name: "x.jpg") }
        var badAlpha = Pictures.noise(width: 4, height: 4, seed: 8)
        badAlpha.alpha = [1, 2, 3]
        assertCodecError(.invalidImage) { _ = try ImageIO.encode(badAlpha, as: .png, name: "x.png") }
        var empty = Pictures.noise(width: 1, height: 1, seed: 8)
        empty.width = 0; empty.height = 0; empty.rgb = []
        assertCodecError(.invalidImage) { _ = try ImageIO.encode(empty, as: .png, name: "x.png") }
        let ok = Pictures.noise(width: 4, height: 4, seed: 8)
        assertCodecError(.invalidImage) { _ = try ImageIO.encode(ok, as: .jpeg, quality: 0, name: "x.jpg") }
        assertCodecError(.invalidImage) { _ = try ImageIO.encode(ok, as: .jpeg, quality: 101, name: "x.jpg") }
    }
}
