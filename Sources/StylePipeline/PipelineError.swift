/// Errors of the stylization pipeline that are not codec or weight-format errors.
public enum PipelineError: Error, CustomStringConvertible, Equatable {
    case weightsNotFound(searched: [String])
    case invalidOption(String)
    case outputWouldOverwriteInput(output: String)
    /// The work was stopped (a signal, a time limit, a client that went away).
    case cancelled(String)

    public var description: String {
        switch self {
        case .weightsNotFound(let searched):
            return "no weights file found (looked at: \(searched.joined(separator: ", "))). "
                + "Run from the package root (it ships Weights/default.safetensors), pass --weights FILE, "
                + "set STYLIZE_WEIGHTS, or import the official pytorch-AdaIN files with 'stylize weights import'."
        case .invalidOption(let message):
            return message
        case .cancelled(let why):
            return "stopped: \(why)"
        case .outputWouldOverwriteInput(let output):
            return "\(output): refusing to overwrite an input file; choose another output path"
        }
    }
}
