import Foundation
import ImageCodecs
import XCTest
import StylizeTestSupport

/// The built `stylize` under `qemu-x86_64 -cpu Nehalem` (SSE4.2, no AVX): the binary must
/// choose the portable kernels at start-up and run a real transfer, instead of stopping
/// with an illegal instruction. Needs the Debian package `qemu-user` (`.ci/run` installs
/// it); skipped, saying so, when `qemu-x86_64` is not on the PATH.
final class NehalemEmulationTests: XCTestCase {
    /// Runs `stylize arguments` under qemu with a Nehalem CPU and extra environment.
    func runEmulated(_ arguments: [String], environment: [String: String] = [:]) throws -> ProcessRun {
        #if !arch(x86_64)
        throw XCTSkip("qemu-x86_64 emulation test: this is not an x86-64 build")
        #else
        guard let qemu = findProgram("qemu-x86_64") else {
            throw XCTSkip("qemu-x86_64 not found on PATH (Debian package qemu-user): the Nehalem emulation test did not run")
        }
        return try runProgram(qemu, ["-cpu", "Nehalem", try stylizeBinary().path] + arguments, environment: environment,
                              unsetting: ["STYLIZE_WEIGHTS", "STYLIZE_ISA"])
        #endif
    }

    let samples = packageRoot + "/Images"

    func testTransferRunsWithGenericKernelsOnANehalemCPU() throws {
        let version = try runEmulated(["--version"])
        XCTAssertEqual(version.status, 0, version.stderr)
        XCTAssertTrue(version.stdout.contains("kernels: generic (CPU supports: generic); bf16: emulated"), version.stdout)

        let root = try makeTemporaryFolder(self)
        let output = root + "/out.png"
        let run = try runEmulated([samples + "/chelsea.jpg", samples + "/autumn.jpg", "--content-size", "64",
                                   "--style-size", "64", "--threads", "2", "-o", output])
        XCTAssertEqual(run.status, 0, "exit status \(run.status) (4 = SIGILL); stderr: \(run.stderr)")
        let image = try ImageIO.decode(file: output)
        XCTAssertEqual(min(image.width, image.height), 64)
        XCTAssertGreaterThan(Set(image.rgb).count, 16, "a real picture, not a flat image")
    }

    /// `--precision bf16` on a CPU without AVX512_BF16 runs the exact emulation: the emulated
    /// run gives the same pixels as a native run with the portable kernels (`STYLIZE_ISA=generic`,
    /// whose bf16 kernels are the emulation too), on a CPU that has the instruction or not.
    func testBF16RunsEmulatedOnANehalemCPUWithTheNativePixels() throws {
        let root = try makeTemporaryFolder(self)
        let arguments = [samples + "/chelsea.jpg", samples + "/autumn.jpg", "--content-size", "64", "--style-size", "64",
                         "--threads", "2", "--precision", "bf16"]
        let emulated = try runEmulated(arguments + ["-o", root + "/qemu.png"])
        XCTAssertEqual(emulated.status, 0, emulated.stderr)
        let native = try runProgram(try stylizeBinary().path, arguments + ["-o", root + "/native.png"],
                                    environment: ["STYLIZE_ISA": "generic"], unsetting: ["STYLIZE_WEIGHTS", "STYLIZE_BF16"])
        XCTAssertEqual(native.status, 0, native.stderr)
        let a = try ImageIO.decode(file: root + "/qemu.png"), b = try ImageIO.decode(file: root + "/native.png")
        XCTAssertEqual(a.rgb, b.rgb, "the emulated bf16 run differs from the native portable one")
        let f32 = try runEmulated(Array(arguments.dropLast(2)) + ["-o", root + "/f32.png"])
        XCTAssertEqual(f32.status, 0, f32.stderr)
        XCTAssertNotEqual(try ImageIO.decode(file: root + "/f32.png").rgb, a.rgb, "bf16 should change the arithmetic")
    }

    func testAskingForAVX2OnANehalemCPUFallsBackWithAWarning() throws {
        let run = try runEmulated(["--version"], environment: ["STYLIZE_ISA": "avx2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("kernels: generic"), run.stdout)
        XCTAssertTrue(run.stderr.contains("STYLIZE_ISA=avx2"), run.stderr)
    }
}
