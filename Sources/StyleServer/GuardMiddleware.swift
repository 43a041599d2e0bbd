import Foundation
import HTTPTypes
import Hummingbird

/// In front of every route:
/// - refuses requests whose Host is not a loopback name when the server binds loopback
///   (a DNS-rebinding page cannot reach it), and POSTs and WebSocket upgrades whose Origin
///   is another site (no CORS headers are ever sent, so other pages cannot read answers
///   either; the live view's upgrades are checked here too, see `makeWebSocketRouter`);
/// - turns every error into the JSON error answer (`APIError`), a wrong method on a known
///   path into 405 with Allow;
/// - adds the security headers (no sniffing, no framing, a same-origin content policy);
/// - writes the access line.
struct GuardMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let settings: ServerSettings
    /// Known paths (router syntax) and their methods.
    let known: [String: [String]]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = Date()
        var response: Response
        do {
            try Self.check(request, settings: settings)
            response = try await next(request, context)
        } catch {
            var api = APIError.from(error)
            if api.status == 404, case let methods? = methods(for: request.uri.path), !methods.contains(request.method.rawValue) {
                api = APIError(405, "method_not_allowed", "\(request.method.rawValue) is not allowed on \(request.uri.path) (allowed: \(methods.joined(separator: ", ")))",
                               allow: methods)
            }
            response = api.response()
        }
        response.headers[.xContentTypeOptions] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        response.headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        response.headers[.contentSecurityPolicy] = "default-src 'self'; img-src 'self' data: blob:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        settings.accessLog?("\(request.method.rawValue) \(request.uri.path.prefix(200)) \(response.status.code) "
            + String(format: "%.3f s", Date().timeIntervalSince(start)))
        return response
    }

    /// The methods of the known path `path` matches (literal segments or a `{parameter}`).
    func methods(for path: String) -> [String]? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        for (pattern, methods) in known {
            let p = pattern.split(separator: "/", omittingEmptySubsequences: false)
            guard p.count == segments.count else { continue }
            if zip(p, segments).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) { return methods }
        }
        return nil
    }

    /// The host and origin checks of every request (and of every WebSocket upgrade).
    static func check(_ request: Request, settings: ServerSettings) throws {
        let host = request.head.authority ?? ""
        if settings.bindsLoopback, !isLoopback(hostOnly(host)) {
            throw APIError(403, "bad_host", "this server answers only requests addressed to a loopback host (127.0.0.1, localhost), not '\(host.prefix(80))'")
        }
        let upgrade = request.headers[.upgrade]?.lowercased().contains("websocket") ?? false
        if request.method == .post || upgrade, let origin = request.headers[.origin] {
            let originHost = origin.components(separatedBy: "://").dropFirst().first ?? origin
            guard originHost.lowercased() == host.lowercased() else {
                throw APIError(403, "cross_origin", "cross-origin requests are refused (Origin '\(origin.prefix(80))' is not this server)")
            }
        }
    }

    static func hostOnly(_ authority: String) -> String {
        if authority.hasPrefix("["), let end = authority.firstIndex(of: "]") {
            return String(authority[authority.index(after: authority.startIndex)..<end])
        }
        return String(authority.split(separator: ":", maxSplits: 1).first ?? "")
    }

    static func isLoopback(_ host: String) -> Bool {
        let h = host.lowercased()
        return h == "localhost" || h == "::1" || h.hasPrefix("127.")
    }
}
