/// An option a person sets, named once for every front end: the command line spells it
/// `--max-memory`, the HTTP API `max_memory`. Modules add their own options as static
/// members (`OptionName.alpha`, `OptionName.port`, ...).
public struct OptionName: Hashable, Sendable, CustomStringConvertible {
    /// The command-line flag, e.g. "--max-memory".
    public let flag: String
    /// The API field, e.g. "max_memory".
    public let field: String

    /// `flag` defaults to `--` + the field with "_" written as "-".
    public init(field: String, flag: String? = nil) {
        self.field = field
        self.flag = flag ?? "--" + field.replacingOccurrences(of: "_", with: "-")
    }

    /// The field name (a library user's neutral spelling).
    public var description: String { field }

    /// How a front end spells an option.
    public enum Spelling: Sendable {
        /// "--max-memory" (the command line).
        case flag
        /// "max_memory" (the HTTP API, and library messages).
        case field
    }

    public func spelled(_ spelling: Spelling) -> String { spelling == .flag ? flag : field }
}

extension OptionName {
    public static let alpha = OptionName(field: "alpha")
    public static let styleWeights = OptionName(field: "style_weights")
    public static let norm = OptionName(field: "norm")
    public static let groups = OptionName(field: "groups")
    public static let norms = OptionName(field: "norms")
    public static let match = OptionName(field: "match")
    public static let matches = OptionName(field: "matches")
    public static let contentSize = OptionName(field: "content_size")
    public static let styleSize = OptionName(field: "style_size")
    public static let tile = OptionName(field: "tile")
    public static let maxMemory = OptionName(field: "max_memory")
    public static let mask = OptionName(field: "mask")
    public static let preset = OptionName(field: "preset")
    public static let style = OptionName(field: "style")
    public static let model = OptionName(field: "model")
    public static let contrast = OptionName(field: "contrast")
    public static let brightness = OptionName(field: "brightness")
    public static let stats = OptionName(field: "stats")
    public static let momentum = OptionName(field: "momentum")
}

/// A message about options, whose option names are filled in by the front end that shows
/// it: `"\(option: .alpha) must be between 0 and 1"` reads "--alpha must be ..." on the
/// command line and "alpha must be ..." in an API answer.
public struct OptionMessage: Sendable, Equatable, ExpressibleByStringInterpolation {
    enum Piece: Sendable, Equatable {
        case text(String)
        case option(OptionName)
    }
    var pieces: [Piece]

    public init(stringLiteral value: String) { pieces = [.text(value)] }

    public init(stringInterpolation: Interpolation) { pieces = stringInterpolation.pieces }

    public struct Interpolation: StringInterpolationProtocol {
        var pieces: [Piece] = []
        public init(literalCapacity: Int, interpolationCount: Int) {}
        public mutating func appendLiteral(_ literal: String) { pieces.append(.text(literal)) }
        public mutating func appendInterpolation(option: OptionName) { pieces.append(.option(option)) }
        public mutating func appendInterpolation<T>(_ value: T) { pieces.append(.text("\(value)")) }
    }

    /// Two messages one after the other.
    public static func + (a: OptionMessage, b: OptionMessage) -> OptionMessage {
        var joined = a
        joined.pieces += b.pieces
        return joined
    }

    /// The message with every option spelled as `spelling` says.
    public func rendered(_ spelling: OptionName.Spelling) -> String {
        pieces.map { piece in
            switch piece {
            case .text(let t): return t
            case .option(let o): return o.spelled(spelling)
            }
        }.joined()
    }
}

/// A value of an option that the engine cannot use, with a message that names the option
/// (and any other option it mentions) in the words of whoever shows it
/// (`rendered(.flag)` on the command line, `rendered(.field)` in the API). One type for
/// every option check of every command, so each rule is written once.
public struct OptionError: Error, Equatable, CustomStringConvertible {
    /// The option whose value is wrong.
    public let option: OptionName
    public let message: OptionMessage

    public init(_ option: OptionName, _ message: OptionMessage) {
        self.option = option
        self.message = message
    }

    public func rendered(_ spelling: OptionName.Spelling) -> String { message.rendered(spelling) }

    /// The message with field names (`max_memory`), as a library user reads it.
    public var description: String { rendered(.field) }
}
