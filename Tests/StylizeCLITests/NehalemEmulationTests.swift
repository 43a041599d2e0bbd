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
