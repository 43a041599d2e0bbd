import Foundation
import XCTest
@testable import ImageCodecs
import StylizeEngine
#if canImport(Glibc)
import Glibc
#endif
import StylizeTestSupport

/// Faults while writing, through the real `stylize` binary and through the library:
/// a full disk, an unwritable folder, an output that is an input, odd output names.
/// Each must be a clear error naming the path, leave no partial or temporary file,
/// and leave every input byte-for-byte as it was.
final class FaultWhileWritingTests: XCTestCase {
    var dir = ""
    var model = ""
    var content = ""
    var style = ""
    /// Inputs and their bytes before the run, checked after every test.
    var inputs: [String: [UInt8]] = [:]

    override func setUpWithError() throws {
        dir = try makeTemporaryFolder()
        model = dir + "/tiny.safetensors"
        try writeTinyModel(to: model)
        content = dir + "/content.png"
        style = dir + "/style.jpg"
        try ImageIO.write(Pictures.ramps(width: 48, height: 40, seed: 1), to: content)
        try ImageIO.write(Pictures.ramps(width: 24, height: 20, seed: 2), to: style)
        inputs = [:]
        for path in [model, content, style] { inputs[path] = try readFile(path) }
    }

    override func tearDownWithError() throws {
        for (path, bytes) in inputs {
            XCTAssertEqual(try readFile(path), bytes, "input \(path) changed")
        }
        try? FileManager.default.removeItem(atPath: dir)
    }

    /// Runs `stylize CONTENT STYLE -o OUTPUT` with the tiny model at full size.
    func stylize(_ output: String, content: String? = nil, extra: [String] = []) throws -> ProcessRun {
        try runStylize([content ?? self.content, style, "-o", output, "--weights", model,
                           "--content-size", "0", "--style-size", "0", "--threads", "1"] + extra, in: dir)
    }

    func testSucceedsOnAHealthyDisk() throws {
        let result = try stylize(dir + "/out.png")
        XCTAssertEqual(result.status, 0, result.stderr)
        let image = try ImageIO.decode(file: dir + "/out.png")
        XCTAssertEqual([image.width, image.height], [48, 40])
        XCTAssertEqual(try listing(dir), ["content.png", "out.png", "style.jpg", "tiny.safetensors"])
    }

    /// The output folder is a 64 KiB tmpfs filled up to its last page (a filler
    /// file and an older output): the CLI fails naming the output and saying why,
    /// the older output keeps its bytes, and no partial or temporary file remains.
    func testFullDiskThroughTheCLI() throws {
        let disk = try ScratchMount(sizeKiB: 64)
        defer { disk.unmount() }
        let old = disk.path + "/out.png"
        try writeFile(old, Array(repeating: 7, count: 1000))
        var filler = [UInt8](repeating: 1, count: 4096)
        let fd = open(disk.path + "/filler", O_WRONLY | O_CREAT, 0o644)
        while filler.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) > 0 {}
        XCTAssertEqual(errno, ENOSPC)
        close(fd)
        filler = try readFile(disk.path + "/filler")
        let result = try stylize(old)
        XCTAssertNotEqual(result.status, 0)
        XCTAssert(result.stderr.contains(old), result.stderr)
        XCTAssert(result.stderr.contains("No space left on device"), result.stderr)
        XCTAssertEqual(try listing(disk.path), ["filler", "out.png"], "no partial or temporary file")
        XCTAssertEqual(try readFile(old), Array(repeating: 7, count: 1000), "the older output is intact")
        XCTAssertEqual(try readFile(disk.path + "/filler"), filler)
    }

    /// The same through the library: `ImageIO.write` into the full tmpfs.
    func testFullDiskThroughTheLibrary() throws {
        let disk = try ScratchMount(sizeKiB: 64)
        defer { disk.unmount() }
        let path = disk.path + "/noise.png"
        XCTAssertThrowsError(try ImageIO.write(Pictures.ramps(width: 300, height: 300, seed: 4), to: path)) { error in
            let e = error as? CodecError
            XCTAssertEqual(e?.kind, .io)
            XCTAssertEqual(e?.file, path)
            XCTAssert(e?.detail.contains("No space left on device") ?? false, "\(error)")
        }
        XCTAssertEqual(try listing(disk.path), [])
        // A small image still fits afterwards: nothing was left behind taking the space.
        try ImageIO.write(Pictures.ramps(width: 8, height: 8, seed: 5), to: path)
        XCTAssertEqual(try listing(disk.path), ["noise.png"])
    }

    /// An unwritable output folder: a read-only tmpfs as root (permissions do not stop
    /// root), a mode 0555 folder otherwise.
    func testUnwritableFolder() throws {
        var folder = dir + "/locked"
        var disk: ScratchMount?
        if geteuid() == 0 {
            disk = try ScratchMount(sizeKiB: 64, readOnly: true)
            folder = disk!.path
        } else {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
            chmod(folder, 0o555)
        }
        defer { disk?.unmount(); chmod(folder, 0o755) }
        let output = folder + "/out.jpg"
        let result = try stylize(output)
        XCTAssertNotEqual(result.status, 0)
        XCTAssert(result.stderr.contains(output), result.stderr)
        XCTAssert(result.stderr.contains("cannot create a file in \(folder)"), result.stderr)
        XCTAssertEqual(try listing(folder), [])
        // The library says the same.
        XCTAssertThrowsError(try ImageIO.write(Pictures.ramps(width: 4, height: 4, seed: 6), to: output)) { error in
            XCTAssertEqual((error as? CodecError)?.kind, .io)
            XCTAssertEqual((error as? CodecError)?.file, output)
        }
    }

    /// A missing output folder is an error naming the path, not a crash.
    func testMissingOutputFolder() throws {
        let output = dir + "/no/such/folder/out.png"
        let result = try stylize(output)
        XCTAssertNotEqual(result.status, 0)
        XCTAssert(result.stderr.contains(output), result.stderr)
        XCTAssertEqual(try listing(dir), ["content.png", "style.jpg", "tiny.safetensors"])
    }

    /// The output is an input: by the same path, another spelling, a symbolic link,
    /// a hard link (same inode, different name), and the style or the model file.
    func testOutputEqualToAnInputIsRefused() throws {
        link(content, dir + "/hard.png")
        symlink(content, dir + "/soft.png")
        let spellings = [content, "content.png", "./content.png", dir + "/../" + URL(fileURLWithPath: dir).lastPathComponent + "/content.png",
                         dir + "/soft.png", dir + "/hard.png", style]
        for output in spellings {
            let result = try stylize(output)
            XCTAssertNotEqual(result.status, 0, output)
            XCTAssert(result.stderr.contains("refusing to overwrite"), "\(output): \(result.stderr)")
            XCTAssert(result.stderr.contains(output), "\(output): \(result.stderr)")
        }
        XCTAssertEqual(try readFile(dir + "/hard.png"), inputs[content])
        XCTAssertEqual(try listing(dir), ["content.png", "hard.png", "soft.png", "style.jpg", "tiny.safetensors"])
        // The library refuses the hard link too (same device and inode).
        XCTAssertThrowsError(try ImageIO.write(Pictures.ramps(width: 4, height: 4, seed: 7), to: dir + "/hard.png",
                                               protecting: [content])) { error in
            XCTAssertEqual((error as? CodecError)?.kind, .wouldOverwriteInput)
        }
    }

    /// Default output names come from file names only (last path component), so odd
    /// input names can never place the output outside the working directory.
    func testDefaultOutputNamesStayInTheWorkingDirectory() throws {
        let odd = ["../../etc/passwd.png", "/abs/dir/photo.jpg", "a/b/../../../c.png", "..", ".", "../",
                   "name with spaces.jpg", "new\nline.png", "-dash.png", "x.png/", "//", "/"]
        for c in odd {
            for s in odd {
                let name = TransferRequest.defaultOutputName(content: c, styles: [s])
                XCTAssertFalse(name.contains("/"), "content \(c), style \(s) -> \(name)")
                XCTAssertFalse(name.hasPrefix("."), "content \(c), style \(s) -> hidden or relative \(name)")
                XCTAssertFalse(name.isEmpty)
            }
        }
        // Through the CLI: a content in a subfolder reached by "..": the output lands in the working directory.
        let work = dir + "/work"
        try FileManager.default.createDirectory(atPath: work + "/deeper", withIntermediateDirectories: true)
        let result = try runStylize(["../../content.png", "../../style.jpg", "--weights", model, "--content-size", "0",
                                        "--style-size", "0", "-q"], in: work + "/deeper")
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try listing(work + "/deeper"), ["content_stylized_style.png"])
        XCTAssertEqual(try listing(dir), ["content.png", "style.jpg", "tiny.safetensors", "work"])
    }
}
