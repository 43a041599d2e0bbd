import Foundation
import XCTest
@testable import StyleServer

/// `/openapi.yaml` describes exactly the server's handlers: every documented path and
/// method is routed, every route is documented, and what the tests see answered is in the
/// document. (The browser test also validates the document with openapi-spec-validator.)
final class OpenAPITests: XCTestCase {
    /// (path, method) pairs under `paths:`: paths at two spaces of indent, methods at four.
    static func operations(_ yaml: String) -> Set<String> {
        var out = Set<String>()
        var inPaths = false
        var path: String?
        for line in yaml.components(separatedBy: "\n") {
            if line == "paths:" { inPaths = true; continue }
            guard inPaths else { continue }
            if !line.hasPrefix(" "), !line.isEmpty { break }   // the next top-level key
            if line.hasPrefix("  /"), !line.hasPrefix("   ") {
                path = String(line.dropFirst(2).dropLast())   // "  /v1/models:"
            } else if line.hasPrefix("    "), !line.hasPrefix("     "), let path {
                let key = line.trimmingCharacters(in: .whitespaces).dropLast()
                if ["get", "post", "put", "delete", "patch", "head", "options"].contains(String(key)) {
                    out.insert("\(key.uppercased()) \(path)")
                }
            }
        }
        return out
    }

    func testDocumentedOperationsAreExactlyTheRoutes() async throws {
        let s = try await TestServer()
        let served = try s.client.get("/openapi.yaml")
        XCTAssertEqual(served.status, 200)
        XCTAssertEqual(served.headers["content-type"], "application/yaml; charset=utf-8")
        let documented = Self.operations(served.text)
        XCTAssertGreaterThanOrEqual(documented.count, 10)
        let routed = Set(s.server.routes.map { "\($0.method.rawValue) \($0.path)" })
        XCTAssertEqual(documented, routed, "documented but not routed: \(documented.subtracting(routed)); routed but not documented: \(routed.subtracting(documented))")

        // Each documented operation is answered by its handler (not 404/405) ...
        for op in documented.sorted() {
            let parts = op.split(separator: " ", maxSplits: 1)
            let path = parts[1].replacingOccurrences(of: "{name}", with: "waves.png")
            let answer = parts[0] == "POST"
                ? try s.client.post(path, parts: [TestServer.field("alpha", "1")])   // no content: the handler's own 400
                : try s.client.get(path)
            XCTAssertFalse([404, 405].contains(answer.status), "\(op): \(answer.status)")
            if parts[0] == "POST" { XCTAssertEqual(answer.errorCode, "missing_content", op) }
        }
        // ... and a method the document does not list on a documented path is 405.
        for op in documented where op.hasPrefix("GET ") {
            let path = String(op.dropFirst(4)).replacingOccurrences(of: "{name}", with: "waves.png")
            XCTAssertEqual(try s.client.send("PUT", path).status, 405, op)
        }
        try await s.stop()
    }

    func testEveryErrorStatusTheTestsSeeIsDocumented() {
        let yaml = Assets.openAPI
        for status in ["400", "403", "413", "415", "422", "429", "503"] {
            XCTAssertTrue(yaml.contains("\"\(status)\": {$ref: \"#/components/responses/"), "status \(status) undocumented")
        }
        for code in ["unknown_style", "unknown_preset", "too_large", "too_many_pixels", "not_an_image", "bad_image", "time_limit", "model_unavailable"] {
            XCTAssertTrue(yaml.contains(code), "error code \(code) undocumented")
        }
        for field in StyleServer.stylizeFields.union(StyleServer.compareFields) {
            XCTAssertTrue(yaml.contains("                \(field): {"), "form field \(field) undocumented")
        }
    }
}
