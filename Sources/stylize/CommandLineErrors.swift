import ArgumentParser
import StylizeEngine

/// Errors in the command line's words: an `OptionError` names its options by their flags
/// (`--max-memory`), where the library and the HTTP API use field names (`max_memory`).
enum CommandLineErrors {
    /// The text of `error` as the command line shows it.
    static func text(_ error: any Error) -> String {
        if let e = error as? OptionError { return e.rendered(.flag) }
        return "\(error)"
    }

    /// A usage error (exit 64, with the usage line) for a value the library refused.
    static func usage(_ error: any Error) -> ValidationError { ValidationError(text(error)) }

    /// Runs `body`, turning what it throws into a usage error in the command line's words
    /// (for option checks the library makes).
    static func checked(_ body: () throws -> Void) throws {
        do { try body() } catch { throw usage(error) }
    }

    /// The error the tool exits with: an `OptionError` in flag words, anything else as is.
    static func forExit(_ error: any Error) -> any Error {
        if let e = error as? OptionError { return Message(description: e.rendered(.flag)) }
        return error
    }

    /// An error whose text is already in the command line's words.
    struct Message: Error, CustomStringConvertible {
        let description: String
    }
}
