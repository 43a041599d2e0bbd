/// Errors raised while building a model from a weights file. Each names the file.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case unknownArchitecture(file: String, architecture: String?)
    case missingTensor(file: String, name: String)
    case badShape(file: String, name: String, expected: String, got: [Int])
    case badMetadata(file: String, key: String, value: String?)
    case badTensor(file: String, name: String, reason: String)
    case imageTooSmall(width: Int, height: Int, minimum: Int)

    public var description: String {
        switch self {
        case .unknownArchitecture(let file, let arch):
            return "\(file): unknown model architecture '\(arch ?? "(none)")' (expected adain-vgg19 or adain-mobilenet-s8)"
        case .missingTensor(let file, let name):
            return "\(file): missing tensor '\(name)'"
        case .badShape(let file, let name, let expected, let got):
            return "\(file): tensor '\(name)' has shape \(got), expected \(expected)"
        case .badMetadata(let file, let key, let value):
            return "\(file): metadata '\(key)' is \(value.map { "'\($0)'" } ?? "missing") or invalid"
        case .badTensor(let file, let name, let reason):
            return "\(file): tensor '\(name)': \(reason)"
        case .imageTooSmall(let width, let height, let minimum):
            return "image of \(width)x\(height) pixels is too small for this model (each side needs at least \(minimum))"
        }
    }
}
