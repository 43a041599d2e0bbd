import Hummingbird

/// The page, its script and stylesheet, and the OpenAPI document, compiled into the binary
/// (so an installed `stylize` needs no asset folder and the server reads no file for them).
enum Assets {
    enum Name {
        case page, script, liveScript, style, openAPI
    }

    static func response(_ name: Name) -> Response {
        let (text, type): (String, String)
        switch name {
        case .page: (text, type) = (pageHTML, "text/html; charset=utf-8")
        case .script: (text, type) = (script, "text/javascript; charset=utf-8")
        case .liveScript: (text, type) = (liveScript, "text/javascript; charset=utf-8")
        case .style: (text, type) = (stylesheet, "text/css; charset=utf-8")
        case .openAPI: (text, type) = (openAPI, "application/yaml; charset=utf-8")
        }
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
