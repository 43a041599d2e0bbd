import Foundation
import StylizeEngine

/// A problem of one live connection, sent to the client as a text message
/// `{"type": "error", "code": "...", "message": "...", "field": "...", "frame": 12}` (field
/// only for an option, frame only for a frame that will not come back), then, when `closes`, the connection is closed with `closeCode` and the message
/// as the reason. Any other error (an option the engine refuses, a style image that does not
/// decode, a model that is not available) is sent with the code and message the HTTP API
/// gives it (`APIError.from`), and the connection stays open.
struct LiveError: Error, Equatable, CustomStringConvertible {
    var code: String
    var message: String
    /// The option concerned (`OptionError`s).
    var field: String? = nil
    /// The number of the frame concerned (so a client knows the frame will not come back).
    var frame: UInt32? = nil
    /// Whether the server closes the connection after saying it.
    var closes = false
    /// The WebSocket close code when `closes`: 1008 (policy), 1009 (too big), 1013 (try later).
    var closeCode: UInt16 = 1008

    var description: String { "\(code): \(message)" }

    static func badFrame(_ message: String) -> LiveError { LiveError(code: "bad_frame", message: message) }
    static func frameTooLarge(_ message: String) -> LiveError { LiveError(code: "frame_too_large", message: message) }
    static func badMessage(_ message: String) -> LiveError { LiveError(code: "bad_message", message: message) }

    static func tooManyClients(_ limit: Int) -> LiveError {
        LiveError(code: "too_many_clients",
                  message: "the live view is full: \(limit) client\(limit == 1 ? " is" : "s are") connected, the most this server takes "
                    + "(--live-clients); close another live view or retry later",
                  closes: true, closeCode: 1013)
    }

    static func idle(_ seconds: Double) -> LiveError {
        LiveError(code: "idle", message: "closed after \(StyleServer.seconds(seconds)) s without a frame or a control (--live-idle)",
                  closes: true, closeCode: 1000)
    }

    static func messageTooLarge(_ bytes: Int, limit: Int) -> LiveError {
        LiveError(code: "message_too_large", message: "a message of \(bytes) bytes is more than this server's live limit of \(limit) bytes",
                  closes: true, closeCode: 1009)
    }

    static let shuttingDown = LiveError(code: "shutting_down", message: "the server is shutting down", closes: true, closeCode: 1001)

    /// The same error about frame `number`.
    func about(frame number: UInt32?) -> LiveError {
        var e = self
        e.frame = number
        return e
    }

    /// Any error as the client is told it.
    static func from(_ error: any Error) -> LiveError {
        if let e = error as? LiveError { return e }
        if let e = error as? OptionError {
            return LiveError(code: "bad_option", message: e.rendered(.field), field: e.option.field)
        }
        let api = APIError.from(error)
        return LiveError(code: api.code, message: api.message)
    }

    /// The text message.
    var json: String {
        var body: [String: Any] = ["type": "error", "code": code, "message": message]
        if let field { body["field"] = field }
        if let frame { body["frame"] = Int(frame) }
        if closes { body["closes"] = true }
        let data = (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
