import Foundation
import Hummingbird
import ImageCodecs
import StyleModels
import StyleNN
import StylizeEngine

/// An error answer of the API: an HTTP status, a stable machine-readable `code` and a
/// message naming the problem, sent as `{"error": {"status": 413, "code": "too_large", "message": "..."}}`.
public struct APIError: Error, Equatable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    /// Seconds for a Retry-After header (429, 503 while shutting down).
    public var retryAfter: Int?
    /// Methods for an Allow header (405).
    public var allow: [String]?

    public init(_ status: Int, _ code: String, _ message: String, retryAfter: Int? = nil, allow: [String]? = nil) {
        self.status = status; self.code = code; self.message = message; self.retryAfter = retryAfter; self.allow = allow
    }

    public var description: String { "\(status) \(code): \(message)" }

    static func badRequest(_ message: String) -> APIError { APIError(400, "bad_request", message) }
    static func notFound(_ message: String) -> APIError { APIError(404, "not_found", message) }

    /// The body of the answer.
    var json: [UInt8] {
        let body: [String: Any] = ["error": ["status": status, "code": code, "message": message]]
        return Array((try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])) ?? Data("{}".utf8))
    }

    /// The API answer for any error a handler or the engine threw. `part` names the upload
    /// a codec error concerns ("content", "style").
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError:
            return e
        case let e as JobQueue.QueueFull:
            return APIError(429, "queue_full",
                            "the server is busy: a job is running and the queue of waiting jobs is full; retry in \(e.retryAfter) s",
                            retryAfter: e.retryAfter)
        case let e as CodecError:
            return fromCodec(e)
        case let e as MultipartError:
            return APIError(400, "bad_multipart", "malformed multipart/form-data body: \(e)")
        case let e as BudgetRefusal:
            return APIError(413, "over_budget", e.description)
        case let e as OptionError where e.option == .maxMemory:
            // No request field sets the budget: the request is too large for the server's.
            return APIError(413, "over_budget", "the server's memory budget for one job (set by stylize serve --max-memory) "
                + "is too small for this request: " + e.rendered(.flag))
        case let e as OptionError:
            return APIError(400, "bad_option", e.rendered(.field))
        case let e as EngineError:
            switch e {
            case .cancelled(let why): return APIError(503, "cancelled", "the job was stopped: \(why)")
            case .noVariant, .unsupported: return APIError(400, "bad_option", e.description)
            case .fileNotFound: return APIError(503, "model_unavailable", e.description)
            case .outputWouldOverwriteInput, .writeFailed: return APIError(500, "internal", e.description)
            }
        case let e as MagentaError:
            if case .badPreset(let spec) = e {
                return APIError(400, "unknown_preset", "unknown preset '\(spec)': give an index 0-25 or a blend such as 3:0.5,12:0.5")
            }
            return APIError(503, "model_unavailable", "the magenta model cannot run: \(e)")
        case let e as NormError:
            return APIError(400, "bad_option", "\(e)")
        case let e as StylizerError:
            return APIError(400, "bad_option", "\(e)")
        case let e as SwapError:
            return APIError(400, "bad_option", "\(e)")
        case let e as ColorError:
            return APIError(400, "bad_option", "\(e)")
        case let e as HTTPError:
            switch e.status.code {
            case 413: return APIError(413, "too_large", e.body ?? "the request body is too large")
            case 404: return APIError(404, "not_found", "no such page or endpoint")
            default: return APIError(e.status.code, "http_error", e.body ?? e.status.reasonPhrase)
            }
        case let e as any HTTPResponseError:
            return APIError(e.status.code, e.status == .contentTooLarge ? "too_large" : "http_error", e.status.reasonPhrase)
        default:
            return APIError(500, "internal", "internal error: \(error)")
        }
    }

    /// Codec failures by kind: not an image 415, too many pixels 413, broken files 422.
    static func fromCodec(_ e: CodecError) -> APIError {
        switch e.kind {
        case .empty, .unknownFormat:
            return APIError(415, "not_an_image", "\(e.file): not an image: \(e.detail)")
        case .tooLarge:
            return APIError(413, "too_many_pixels", "\(e.file): image too large: \(e.detail)")
        case .truncated, .corrupt, .unsupported:
            return APIError(422, "bad_image", "\(e.file): \(e.detail)")
        case .io, .invalidImage, .unsupportedOutputFormat, .wouldOverwriteInput:
            return APIError(500, "internal", e.description)
        }
    }

    /// The JSON response.
    func response() -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        if let allow { headers[.allow] = allow.joined(separator: ", ") }
        return Response(status: HTTPResponse.Status(code: status), headers: headers,
                        body: ResponseBody(byteBuffer: ByteBuffer(bytes: json)))
    }
}
