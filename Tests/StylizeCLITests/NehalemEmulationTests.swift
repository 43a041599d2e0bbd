import Foundation
import ImageCodecs
import XCTest

/// The built `stylize` under `qemu-x86_64 -cpu Nehalem` (SSE4.2, no AVX): the binary must
/// choose the portable kernels at start-up and run a real transfer, instead of stopping
/// with an illegal instruction. Needs the Debian package `qemu-user` (`.ci/run` installs
/// it); skipped, saying so, when `qemu-x86_64` is not on the PATH.
final class NehalemEmulationTests: XCTestCase {
    /// `qemu-x86_64` on the PATH, or nil.
    func qemu() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/qemu-x86_64"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs `stylize arguments` under qemu with a Nehalem CPU and extra environment.
    func runEmulated(_ arguments: [String], environment: [String: String] = [:]) throws -> CLIRun {
        #if !arch(x86_64)
        throw XCTSkip("qemu-x86_64 emulation test: this is not an x86-64 build")
        #else
        guard let qemu = qemu() else {
            throw XCTSkip("qemu-x86_64 not found on PATH (Debian package qemu-user): the Nehalem emulation test did not run")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: qemu)
        process.arguments = ["-cpu", "Nehalem", try stylizeBinary().path] + arguments
        var env = ProcessInfo.processInfo.environment
        env["STYLIZE_WEIGHTS"] = nil
        env["STYLIZE_ISA"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        // stderr goes to a file, stdout to a pipe read to its end: neither can fill up and block the child.
        let errPath = NSTemporaryDirectory() + "stylize-qemu-stderr-" + UUID().uuidString
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errPath) }
        let errFile = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let out = Pipe()
        process.standardOutput = out
        process.standardError = errFile
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errFile.close()
        let errData = FileManager.default.contents(atPath: errPath) ?? Data()
        return CLIRun(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
        #endif
    }

    var samples: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Images").path
    }

    func testTransferRunsWithGenericKernelsOnANehalemCPU() throws {
        let version = try runEmulated(["--version"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertTrue(version.stdout.contains("kernels: generic (CPU supports: generic)"), version.stdout)

        let root = try makeTemporaryFolder(self)
        let output = root + "/out.png"
        let run = try runEmulated([samples + "/chelsea.jpg", samples + "/autumn.jpg", "--content-size", "64",
                                   "--style-size", "64", "--threads", "2", "-o", output])
        XCTAssertEqual(run.status, 0, "exit status \(run.status) (4 = SIGILL); stderr: \(run.stderr)")
        let image = try ImageIO.decode(file: output)
        XCTAssertEqual(min(image.width, image.height), 64)
        XCTAssertGreaterThan(Set(image.rgb).count, 16, "a real picture, not a flat image")
    }

    func testAskingForAVX2OnANehalemCPUFallsBackWithAWarning() throws {
        let run = try runEmulated(["--version"], environment: ["STYLIZE_ISA": "avx2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("kernels: generic"), run.stdout)
        XCTAssertTrue(run.stderr.contains("STYLIZE_ISA=avx2"), run.stderr)
    }
}
