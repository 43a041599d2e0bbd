/// Errors of the engine that are not codec, weight-format or option errors (options:
/// `OptionError`).
public enum EngineError: Error, CustomStringConvertible, Equatable {
    /// A file the engine needs (weights, a package file) was not found; `searched` lists
    /// where it was looked for, `hint` says how to get it.
    case fileNotFound(what: String, searched: [String], hint: String)
    case outputWouldOverwriteInput(output: String)
    /// The work was stopped (a signal, a time limit, a client that went away).
    case cancelled(String)
    /// No variant of a comparison could be run; why, one line per variant.
    case noVariant([String])
    /// A file could not be written (reports; images go through `ImageIO.write`'s errors).
    case writeFailed(path: String, reason: String)
    /// A request the engine cannot carry out (not an option's value), with the reason.
    case unsupported(String)

    public var description: String {
        switch self {
        case .fileNotFound(let what, let searched, let hint):
            return "\(what) not found (looked at: \(searched.joined(separator: ", "))). \(hint)"
        case .cancelled(let why):
            return "stopped: \(why)"
        case .outputWouldOverwriteInput(let output):
            return "\(output): refusing to overwrite an input file; choose another output path"
        case .noVariant(let reasons):
            return "no variant could be run: " + reasons.joined(separator: "; ")
        case .writeFailed(let path, let reason):
            return "\(path): cannot write: \(reason)"
        case .unsupported(let why):
            return why
        }
    }
}
