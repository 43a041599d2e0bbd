import Foundation
import ImageCodecs
import StylizeEngine
import XCTest
@testable import StyleServer
import StylizeTestSupport

/// Every endpoint and every error status, against a live server on a loopback socket
/// (`RawHTTPClient`), with the shipped default AdaIN weights and the tiny Magenta networks.
final class ServerEndpointTests: XCTestCase {
    typealias F = TestServer

    var content: [UInt8] = []
    var style: [UInt8] = []

    override func setUpWithError() throws {
        content = try Fixtures.png(Pictures.blocks(width: 72, height: 56, seed: 3))
        style = try Fixtures.jpeg(Pictures.blocks(width: 64, height: 64, seed: 5))
    }

    // MARK: - Page, assets, health, models

    func testPageAssetsAndSecurityHeaders() async throws {
        let s = try await TestServer()
        let page = try s.client.get("/")
        XCTAssertEqual(page.status, 200)
        XCTAssertEqual(page.headers["content-type"], "text/html; charset=utf-8")
        for id in ["content-file", "style-file", "style-gallery", "preset", "alpha", "norm", "groups", "preserve-color",
                   "model", "run", "download", "result", "view-compare", "contrast", "brightness", "variants"] {
            XCTAssertTrue(page.text.contains("id=\"\(id)\""), "page lacks #\(id)")
        }
        XCTAssertFalse(page.text.contains("http://") || page.text.contains("https://"), "the page loads nothing from elsewhere")
        let script = try s.client.get("/app.js")
        XCTAssertEqual(script.status, 200)
        XCTAssertEqual(script.headers["content-type"], "text/javascript; charset=utf-8")
        XCTAssertTrue(script.text.contains("/v1/stylize") && script.text.contains("/v1/compare"))
        let css = try s.client.get("/app.css")
        XCTAssertEqual(css.status, 200)
        XCTAssertEqual(css.headers["content-type"], "text/css; charset=utf-8")
        for answer in [page, script, css] {
            XCTAssertEqual(answer.headers["x-content-type-options"], "nosniff")
            XCTAssertTrue(answer.headers["content-security-policy"]?.contains("default-src 'self'") ?? false)
            XCTAssertNil(answer.headers["access-control-allow-origin"], "no CORS")
        }
        try await s.stop()
    }

    func testHealthAndModelsWithoutMagentaWeights() async throws {
        let s = try await TestServer { $0.queueCapacity = 3; $0.timeoutSeconds = 42 }
        let health = try s.client.get("/healthz")
        XCTAssertEqual(health.status, 200)
        XCTAssertEqual(health.json["status"] as? String, "ok")
        XCTAssertEqual(health.json["threads"] as? Int, ThreadBudget.threads)
        XCTAssertEqual(health.json["timeout_seconds"] as? Double, 42)
        XCTAssertEqual((health.json["queue"] as? [String: Any])?["capacity"] as? Int, 3)

        let models = try s.client.get("/v1/models")
        XCTAssertEqual(models.status, 200)
        let list = try XCTUnwrap(models.json["models"] as? [[String: Any]])
        let adain = try XCTUnwrap(list.first { $0["id"] as? String == "adain" })
        XCTAssertEqual(adain["available"] as? Bool, true)
        XCTAssertEqual(adain["weights"] as? String, "default.safetensors")
        let magenta = try XCTUnwrap(list.first { $0["id"] as? String == "magenta" })
        XCTAssertEqual(magenta["available"] as? Bool, false)
        XCTAssertTrue((magenta["reason"] as? String ?? "").contains("Magenta weights not found"), "\(magenta)")

        // Magenta requests are 503 with the reason, and the server stays up.
        let r = try s.client.post("/v1/stylize", parts: [F.file("content", content, filename: "c.png"), F.field("preset", "3")])
        XCTAssertEqual(r.status, 503)
        XCTAssertEqual(r.errorCode, "model_unavailable")
        XCTAssertTrue(r.errorMessage?.contains("magenta") ?? false)
        let r2 = try s.client.post("/v1/stylize", parts: [F.file("content", content, filename: "c.png"),
                                                          F.file("style", style, filename: "s.jpg"), F.field("model", "magenta")])
        XCTAssertEqual(r2.status, 503)
        XCTAssertEqual(try s.client.get("/healthz").status, 200)
        try await s.stop()
    }

    // MARK: - Styles folder and path traversal

    func testStylesListOnlyTheFolderImages() async throws {
        let s = try await TestServer()
        let answer = try s.client.get("/v1/styles")
        XCTAssertEqual(answer.status, 200)
        let styles = try XCTUnwrap(answer.json["styles"] as? [[String: Any]])
        XCTAssertEqual(styles.map { $0["name"] as? String }, ["blocks.jpg", "waves.png"],
                       "no text file, no subfolder, no link leading out of the folder")
        XCTAssertEqual(styles.map { $0["format"] as? String }, ["jpeg", "png"])
        let file = try s.client.get(styles[1]["url"] as! String)
        XCTAssertEqual(file.status, 200)
        XCTAssertEqual(file.headers["content-type"], "image/png")
        XCTAssertEqual(file.body, Array(try Data(contentsOf: s.stylesFolder.appendingPathComponent("waves.png"))))
        try await s.stop()
    }

    func testNoPathTraversal() async throws {
        let s = try await TestServer()
        let secret = Array(try Data(contentsOf: s.secret))
        let passwd = Array((try? Data(contentsOf: URL(fileURLWithPath: "/etc/passwd"))) ?? Data("root:".utf8))
        let targets = [
            "/v1/styles/..%2Fsecret.png", "/v1/styles/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/v1/styles/%2e%2e%2fsecret.png",
            "/v1/styles/../secret.png", "/v1/styles/outside.png", "/v1/styles/sub%2Finner.png", "/v1/styles/notes.txt",
            "/v1/styles/%2Fetc%2Fpasswd", "/v1/styles/..", "/v1/styles/.", "/v1/styles/..%5Csecret.png",
            "/../../../../etc/passwd", "/app.js/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/styles/../secret.png",
        ]
        for target in targets {
            let a = try s.client.get(target)
            XCTAssertTrue([404, 400].contains(a.status), "\(target): \(a.status)")
            XCTAssertEqual(a.headers["content-type"], "application/json; charset=utf-8", target)
            XCTAssertNotNil(a.errorCode, target)
            XCTAssertNil(Multipart.find(Array(secret.suffix(24)), in: a.body, from: 0), "\(target) leaked the secret file")
            XCTAssertNil(Multipart.find(Array(passwd.prefix(12)), in: a.body, from: 0), "\(target) leaked /etc/passwd")
        }
        XCTAssertEqual(try s.client.get("/v1/styles/outside.png").errorCode, "unknown_style")
        // A style name in a form is looked up in the listing, never joined to a path.
        for name in ["../secret.png", "outside.png", "/etc/passwd", "sub/inner.png", "..", "notes.txt"] {
            let a = try s.client.post("/v1/stylize", parts: [F.file("content", content, filename: "c.png"), F.field("style_name", name)])
            XCTAssertEqual(a.status, 400, name)
            XCTAssertEqual(a.errorCode, "unknown_style", name)
        }
        try await s.stop()
    }

    // MARK: - Stylize

    func testStylizeUploadedStyleMatchesTheEngine() async throws {
        let s = try await TestServer()
        let a = try s.client.post("/v1/stylize", parts: [
            F.file("content", content, filename: "photo.png"), F.file("style", style, filename: "painting.jpg"),
            F.field("alpha", "0.8"), F.field("content_size", "0"),
        ])
        XCTAssertEqual(a.status, 200, a.text)
        XCTAssertEqual(a.headers["content-type"], "image/png")
        XCTAssertEqual(a.headers["content-disposition"], "inline; filename=\"photo_stylized_painting.png\"")
        XCTAssertEqual(a.headers["x-stylize-size"], "72x56")
        let result = try ImageIO.decode(bytes: a.body, name: "result")
        // The same pixels as the engine called directly with the same inputs and options.
        let engine = try StyleEngine(family: .adain, weights: Fixtures.defaultWeights)
        var options = TransferOptions()
        options.alpha = 0.8
        let expected = try engine.stylize(try ImageIO.decode(bytes: content, name: "c"),
                                          styles: [.image(try ImageIO.decode(bytes: style, name: "s"), name: "s")], options: options)
        XCTAssertEqual(result.rgb, expected.rgb)
        let decodedContent = try ImageIO.decode(bytes: content, name: "c")
        let diff = zip(result.rgb, decodedContent.rgb).map { abs(Int($0) - Int($1)) }.reduce(0, +) / result.rgb.count
        XCTAssertGreaterThan(diff, 5, "the result must differ from the content")
        try await s.stop()
    }

    func testStylizeStyleNameOptionsAndFormats() async throws {
        let s = try await TestServer()
        let base: [FormPart] = [F.file("content", try Fixtures.jpeg(Pictures.blocks(width: 90, height: 60, seed: 8)), filename: "p.jpg"),
                                F.field("style_name", "waves.png")]
        // content_size resizes the shorter side; a JPEG content answers JPEG unless format says otherwise.
        let jpeg = try s.client.post("/v1/stylize", parts: base + [F.field("content_size", "40")])
        XCTAssertEqual(jpeg.status, 200, jpeg.text)
        XCTAssertEqual(jpeg.headers["content-type"], "image/jpeg")
        XCTAssertEqual(jpeg.headers["x-stylize-size"], "60x40")
        XCTAssertEqual(ImageFormat(sniffing: jpeg.body), .jpeg)
        // Every norm (group with a G dividing the 192 channels), colour preservation, PNG output.
        var outputs: [[UInt8]] = []
        for (norm, extra) in [("instance", []), ("batch", []), ("layer", []), ("group", [F.field("groups", "8")])] as [(String, [FormPart])] {
            let a = try s.client.post("/v1/stylize", parts: base + extra + [F.field("norm", norm), F.field("content_size", "40"),
                                                                            F.field("format", "png"), F.field("preserve_color", "on")])
            XCTAssertEqual(a.status, 200, "\(norm): \(a.text)")
            XCTAssertEqual(a.headers["content-type"], "image/png")
            outputs.append(try ImageIO.decode(bytes: a.body, name: norm).rgb)
        }
        XCTAssertEqual(Set(outputs.map { $0.hashValue }).count, 4, "each norm gives its own result")
        // Every statistic match (the default is moments), each with its own result.
        var matched: [[UInt8]] = []
        for match in ["moments", "covariance", "distribution"] {
            let a = try s.client.post("/v1/stylize", parts: base + [F.field("match", match), F.field("content_size", "40"), F.field("format", "png")])
            XCTAssertEqual(a.status, 200, "\(match): \(a.text)")
            matched.append(try ImageIO.decode(bytes: a.body, name: match).rgb)
        }
        XCTAssertEqual(Set(matched.map { $0.hashValue }).count, 3, "each match gives its own result")
        let unnamed = try s.client.post("/v1/stylize", parts: base + [F.field("content_size", "40"), F.field("format", "png")])
        XCTAssertEqual(try ImageIO.decode(bytes: unnamed.body, name: "default").rgb, matched[0], "no match field: moments")
        // Same request twice: identical bytes (deterministic), also with a different thread count.
        let once = try s.client.post("/v1/stylize", parts: base + [F.field("content_size", "40"), F.field("format", "png")])
        let saved = ThreadBudget.threads
        ThreadBudget.threads = saved == 1 ? 2 : 1
        let twice = try s.client.post("/v1/stylize", parts: base + [F.field("content_size", "40"), F.field("format", "png")])
        ThreadBudget.threads = saved
        XCTAssertEqual(once.status, 200)
        XCTAssertEqual(once.body, twice.body, "results must not depend on the thread count")
        try await s.stop()
    }

    func testMagentaPresetsAndStyleImagesWithTinyNetworks() async throws {
        let s = try await TestServer(magenta: true)
        let models = try XCTUnwrap(try s.client.get("/v1/models").json["models"] as? [[String: Any]])
        let magenta = try XCTUnwrap(models.first { $0["id"] as? String == "magenta" })
        XCTAssertEqual(magenta["available"] as? Bool, true)
        XCTAssertEqual(magenta["presets"] as? Bool, true)
        XCTAssertEqual(magenta["style_images"] as? Bool, true)
        let c = F.file("content", content, filename: "c.png")
        let preset = try s.client.post("/v1/stylize", parts: [c, F.field("preset", "3:0.5,12:0.5"), F.field("content_size", "0")])
        XCTAssertEqual(preset.status, 200, preset.text)
        XCTAssertEqual(preset.headers["x-stylize-size"], "72x56")
        XCTAssertEqual(preset.headers["content-disposition"], "inline; filename=\"c_stylized_preset3_0.5_12_0.5.png\"")
        let image = try s.client.post("/v1/stylize", parts: [c, F.field("style_name", "blocks.jpg"), F.field("model", "magenta"),
                                                             F.field("content_size", "0"), F.field("alpha", "0.5")])
        XCTAssertEqual(image.status, 200, image.text)
        XCTAssertNotEqual(preset.body, image.body)
        for spec in ["26", "99", "-1", "x", "3:-1", "3:0", "", "1,,2"] where !spec.isEmpty {
            let bad = try s.client.post("/v1/stylize", parts: [c, F.field("preset", spec)])
            XCTAssertEqual(bad.status, 400, spec)
            XCTAssertEqual(bad.errorCode, "unknown_preset", spec)
            XCTAssertTrue(bad.errorMessage?.contains("unknown preset") ?? false)
        }
        let wrongModel = try s.client.post("/v1/stylize", parts: [c, F.field("preset", "3"), F.field("model", "adain")])
        XCTAssertEqual(wrongModel.status, 400)
        XCTAssertEqual(wrongModel.errorMessage, "preset styles belong to the Magenta models; use model magenta")
        try await s.stop()
    }

    // MARK: - Errors

    func testInputErrorsNameTheProblem() async throws {
        let s = try await TestServer()
        let c = F.file("content", content, filename: "c.png")
        let st = F.file("style", style, filename: "s.jpg")
        func post(_ parts: [FormPart], _ path: String = "/v1/stylize") throws -> RawHTTPClient.Answer { try s.client.post(path, parts: parts) }
        let cases: [(String, RawHTTPClient.Answer, Int, String, String)] = [
            ("text as content", try post([F.file("content", Array("hello, world".utf8), filename: "c.jpg"), st]), 415, "not_an_image", "content (c.jpg): not an image"),
            ("text as style", try post([c, F.file("style", Array("GIF89a....".utf8), filename: "s.gif")]), 415, "not_an_image", "style (s.gif): not an image"),
            ("empty content", try post([F.file("content", [], filename: "c.png"), st]), 415, "not_an_image", "empty"),
            ("truncated JPEG", try post([F.file("content", Array(try Fixtures.jpeg(Pictures.blocks(width: 64, height: 64, seed: 1)).prefix(400)), filename: "t.jpg"), st]),
             422, "bad_image", "content (t.jpg)"),
            ("pixel bomb", try post([F.file("content", try Fixtures.pngClaiming(width: 30000, height: 30000), filename: "big.png"), st]),
             413, "too_many_pixels", "30000x30000 is more than the limit"),
            ("no content", try post([st]), 400, "missing_content", "content"),
            ("no style", try post([c]), 400, "missing_style", "give a style file"),
            ("two styles", try post([c, st, F.field("style_name", "waves.png")]), 400, "several_styles", "only one"),
            ("unknown style", try post([c, F.field("style_name", "nope.jpg")]), 400, "unknown_style", "unknown style 'nope.jpg'"),
            ("unknown field", try post([c, st, F.field("strength", "1")]), 400, "bad_request", "unknown field 'strength'"),
            ("field twice", try post([c, st, F.field("alpha", "1"), F.field("alpha", "0")]), 400, "bad_request", "given twice"),
            ("alpha out of range", try post([c, st, F.field("alpha", "1.5")]), 400, "bad_option", "alpha must be between 0 and 1, got 1.5"),
            ("unknown norm", try post([c, st, F.field("norm", "weight")]), 400, "bad_option", "norm must be one of"),
            ("G not dividing", try post([c, st, F.field("norm", "group"), F.field("groups", "7")]), 400, "bad_option", "7"),
            ("unknown model", try post([c, st, F.field("model", "vgg")]), 400, "unknown_model", "unknown model 'vgg'"),
            ("bad format", try post([c, st, F.field("format", "gif")]), 400, "bad_request", "format must be png or jpeg"),
            ("bad boolean", try post([c, st, F.field("preserve_color", "maybe")]), 400, "bad_request", "preserve_color"),
            ("size over the limit", try post([c, st, F.field("content_size", "99999")]), 400, "bad_request", "content_size"),
            ("compare preset", try post([c, F.field("preset", "3")], "/v1/compare"), 400, "bad_request", "unknown field 'preset'"),
            ("compare bad contrast", try post([c, st, F.field("contrast", "9")], "/v1/compare"), 400, "bad_option", "contrast must be from 0 to 4"),
            ("alpha not a number", try post([c, st, F.field("alpha", "lots")]), 400, "bad_request", "alpha must be a number"),
            ("compare bad groups", try post([c, st, F.field("groups", "8,x")], "/v1/compare"), 400, "bad_request", "groups"),
            ("unknown match", try post([c, st, F.field("match", "wct")]), 400, "bad_request", "match must be one of moments, covariance, distribution, got 'wct'"),
            ("match without meaning", try post([c, st, F.field("norm", "layer"), F.field("match", "covariance")]), 400, "bad_option",
             "match covariance does not combine with norm layer: layer norm takes one mean and variance over all channels"),
            ("match with magenta", try post([c, st, F.field("model", "magenta"), F.field("match", "distribution")]), 400, "bad_option",
             "match distribution is for the adain family"),
            ("compare unknown match", try post([c, st, F.field("matches", "moments,wct")], "/v1/compare"), 400, "bad_option",
             "matches must name moments, covariance, distribution, got 'wct'"),
            ("compare no variant", try post([c, st, F.field("norms", "layer"), F.field("matches", "distribution")], "/v1/compare"), 400,
             "bad_option", "no variant: matches distribution combines with none of norms layer"),
            ("compare not an image", try post([F.file("content", Array("<svg/>".utf8), filename: "c.svg"), st], "/v1/compare"), 415, "not_an_image", "content (c.svg)"),
        ]
        for (what, answer, status, code, text) in cases {
            XCTAssertEqual(answer.status, status, "\(what): \(answer.text)")
            XCTAssertEqual(answer.errorCode, code, "\(what): \(answer.text)")
            XCTAssertTrue(answer.errorMessage?.contains(text) ?? false, "\(what): '\(answer.errorMessage ?? "")' lacks '\(text)'")
            XCTAssertEqual(answer.headers["content-type"], "application/json; charset=utf-8", what)
        }
        // Not multipart at all.
        let json = try s.client.send("POST", "/v1/stylize", headers: [("Content-Type", "application/json")], body: Array("{}".utf8))
        XCTAssertEqual(json.status, 415)
        XCTAssertEqual(json.errorCode, "not_multipart")
        let broken = try s.client.send("POST", "/v1/stylize", headers: [("Content-Type", "multipart/form-data; boundary=zz")],
                                       body: Array("--zz\r\nContent-Disposition: form-data; name=\"content\"\r\n\r\nabc".utf8))
        XCTAssertEqual(broken.status, 400)
        XCTAssertEqual(broken.errorCode, "bad_multipart")
        XCTAssertEqual(s.server.queueSnapshot.completed, 2, "only the truncated JPEG and the G=7 run reached the queue")
        try await s.stop()
    }

    func testUploadCap413WithAndWithoutContentLength() async throws {
        let s = try await TestServer { $0.maxUploadBytes = 100_000 }
        let big = [UInt8](repeating: 0x41, count: 150_000)
        let declared = try s.client.post("/v1/stylize", parts: [F.file("content", big, filename: "big.png")])
        XCTAssertEqual(declared.status, 413)
        XCTAssertEqual(declared.errorCode, "too_large")
        XCTAssertTrue(declared.errorMessage?.contains("100000 bytes (--max-upload)") ?? false, declared.text)
        // Chunked, no Content-Length: refused once the body passes the cap.
        let boundary = "cap"
        let body = Multipart.encode([F.file("content", big, filename: "big.png")], boundary: boundary)
        var chunked: [UInt8] = []
        for start in stride(from: 0, to: body.count, by: 16384) {
            let chunk = body[start..<min(body.count, start + 16384)]
            chunked += Array(String(chunk.count, radix: 16).utf8) + [13, 10] + chunk + [13, 10]
        }
        chunked += Array("0\r\n\r\n".utf8)
        let streamed = try s.client.send("POST", "/v1/compare", headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)"),
                                                                          ("Transfer-Encoding", "chunked")], body: chunked)
        XCTAssertEqual(streamed.status, 413)
        XCTAssertEqual(streamed.errorCode, "too_large")
        XCTAssertEqual(try s.client.get("/healthz").status, 200)
        try await s.stop()
    }

    func testUnknownRoutes404WrongMethods405AndForeignRequests403() async throws {
        let s = try await TestServer()
        let missing = try s.client.get("/v2/stylize")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.errorCode, "not_found")
        let wrong = try s.client.send("DELETE", "/v1/stylize")
        XCTAssertEqual(wrong.status, 405)
        XCTAssertEqual(wrong.headers["allow"], "POST")
        XCTAssertEqual(wrong.errorCode, "method_not_allowed")
        XCTAssertEqual(try s.client.get("/v1/compare").status, 405)
        XCTAssertEqual(try s.client.send("POST", "/v1/models").headers["allow"], "GET")
        // A page elsewhere posting to the server (no CORS; Origin refused).
        let foreign = try s.client.post("/v1/stylize", parts: [F.file("content", content, filename: "c.png")],
                                        headers: [("Origin", "https://example.com")])
        XCTAssertEqual(foreign.status, 403)
        XCTAssertEqual(foreign.errorCode, "cross_origin")
        XCTAssertNil(foreign.headers["access-control-allow-origin"])
        let same = try s.client.post("/v1/stylize", parts: [F.file("content", content, filename: "c.png"), F.field("style_name", "waves.png"), F.field("content_size", "0")],
                                     headers: [("Origin", "http://127.0.0.1:\(s.port)")])
        XCTAssertEqual(same.status, 200, same.text)
        // DNS rebinding: a loopback server answers only loopback host names.
        let rebound = try s.client.get("/healthz", headers: [("Host", "evil.example:\(s.port)")])
        XCTAssertEqual(rebound.status, 403)
        XCTAssertEqual(rebound.errorCode, "bad_host")
        XCTAssertEqual(try s.client.get("/healthz", headers: [("Host", "localhost:\(s.port)")]).status, 200)
        try await s.stop()
    }

    // MARK: - Queue, time limit, disconnects

    func testFullQueueAnswers429WithRetryAfter() async throws {
        let s = try await TestServer { $0.queueCapacity = 1 }
        let release = DispatchSemaphore(value: 0)
        try await s.blockQueue(release: release)                        // running
        try await s.blockQueue(release: release, expectRunning: false)  // the one waiting place
        let busy = try s.client.post("/v1/stylize", parts: [F.file("content", content, filename: "c.png"), F.field("style_name", "waves.png")])
        XCTAssertEqual(busy.status, 429)
        XCTAssertEqual(busy.errorCode, "queue_full")
        let retry = try XCTUnwrap(busy.headers["retry-after"].flatMap { Int($0) })
        XCTAssertGreaterThanOrEqual(retry, 1)
        XCTAssertEqual(try s.client.get("/healthz").status, 200, "the server answers while busy")
        release.signal(); release.signal()
        try await s.waitFor("the queue to drain") { !s.server.queueSnapshot.running && s.server.queueSnapshot.waiting == 0 }
        let after = try s.client.post("/v1/stylize", parts: [F.file("content", content, filename: "c.png"), F.field("style_name", "waves.png")])
        XCTAssertEqual(after.status, 200)
        try await s.stop()
    }

    func testTimeLimit503WhileWaiting() async throws {
        let s = try await TestServer { $0.timeoutSeconds = 0.5 }
        let release = DispatchSemaphore(value: 0)
        try await s.blockQueue(release: release)
        let start = Date()
        let late = try s.client.post("/v1/compare", parts: [F.file("content", content, filename: "c.png"), F.field("style_name", "waves.png")])
        let waited = Date().timeIntervalSince(start)
        XCTAssertEqual(late.status, 503)
        XCTAssertEqual(late.errorCode, "time_limit")
        XCTAssertTrue(late.errorMessage?.contains("time limit of 0.5 s") ?? false, late.text)
        XCTAssertLessThan(waited, 10, "answered when the limit passed, not when the queue freed")
        XCTAssertEqual(s.server.queueSnapshot.waiting, 0, "the timed-out job left the queue")
        XCTAssertEqual(s.server.queueSnapshot.withdrawn, 1)
        release.signal()
        try await s.stop()
    }

    func testClientGoingAwayWithdrawsItsJob() async throws {
        let s = try await TestServer()
        let release = DispatchSemaphore(value: 0)
        try await s.blockQueue(release: release)
        let boundary = "gone"
        let body = Multipart.encode([F.file("content", content, filename: "c.png"), F.field("style_name", "waves.png"), F.field("content_size", "0")], boundary: boundary)
        let connection = try s.client.connect()
        try connection.send(RawHTTPClient.request("POST", "/v1/stylize", headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")],
                                                  body: body, host: "127.0.0.1:\(s.port)"))
        try await s.waitFor("the request to wait in the queue") { s.server.queueSnapshot.waiting == 1 }
        connection.close()
        try await s.waitFor("the job to be withdrawn") { s.server.queueSnapshot.waiting == 0 }
        XCTAssertEqual(s.server.queueSnapshot.withdrawn, 1)
        release.signal()
        try await s.waitFor("the blocker to finish") { !s.server.queueSnapshot.running }
        XCTAssertEqual(s.server.queueSnapshot.completed, 1, "only the blocker ran")
        try await s.stop()
    }

    // MARK: - Compare

    func testCompareEveryVariantWithDistancesAndContrastSlider() async throws {
        let s = try await TestServer()
        let parts = [F.file("content", try Fixtures.png(Pictures.blocks(width: 80, height: 64, seed: 21)), filename: "c.png"),
                     F.field("style_name", "blocks.jpg"), F.field("content_size", "48")]
        let plain = try s.client.post("/v1/compare", parts: parts)
        XCTAssertEqual(plain.status, 200, plain.text)
        let result = plain.json
        XCTAssertEqual(result["model"] as? String, "adain")
        XCTAssertEqual(result["width"] as? Int, 60)
        XCTAssertEqual(result["height"] as? Int, 48)
        let variants = try XCTUnwrap(result["variants"] as? [[String: Any]])
        XCTAssertEqual(variants.map { $0["name"] as? String }, ["AdaIN", "AdaBN", "AdaLN", "AdaGN (G=8)", "AdaGN (G=32)",
                                                                "WCT", "WCT-BN", "WCT (G=8)", "WCT (G=32)", "EFDM"])
        XCTAssertEqual(variants.map { $0["match"] as? String }, [String](repeating: "moments", count: 5)
                       + [String](repeating: "covariance", count: 4) + ["distribution"])
        XCTAssertTrue((variants[5]["caption"] as? String ?? "").hasPrefix("WCT: content whitened"), "\(variants[5])")
        for v in variants {
            let image = try decodeDataURL(v["image"] as? String)
            XCTAssertEqual([image.width, image.height], [60, 48])
            XCTAssertTrue((v["style_distance"] as? Double ?? -1) >= 0)
            XCTAssertTrue((v["content_distance"] as? Double ?? -1) >= 0)
            XCTAssertTrue(v["change"] is NSNull, "no change without an adjustment")
        }
        XCTAssertEqual(try decodeDataURL(result["content"] as? String).width, 60)

        let darker = try s.client.post("/v1/compare", parts: parts + [F.field("contrast", "0.5"), F.field("brightness", "-0.1")])
        XCTAssertEqual(darker.status, 200, darker.text)
        let moved = try XCTUnwrap(darker.json["variants"] as? [[String: Any]])
        let change = Dictionary(uniqueKeysWithValues: moved.map { ($0["name"] as! String, $0["change"] as! Double) })
        XCTAssertEqual(change.count, 10)
        // Instance normalization removes the content's contrast and brightness: AdaIN moves least,
        // and so do the instance matches of the covariance and the distribution.
        XCTAssertLessThan(change["AdaIN"]!, change["AdaLN"]!)
        XCTAssertLessThan(change["AdaIN"]!, change["AdaBN"]!)
        XCTAssertLessThan(change["WCT"]!, change["WCT-BN"]!)
        XCTAssertLessThan(change["EFDM"]!, change["AdaBN"]!)
        // matches and norms choose the variants.
        let chosen = try s.client.post("/v1/compare", parts: parts + [F.field("norms", "instance,layer"), F.field("matches", "covariance,distribution")])
        XCTAssertEqual(chosen.status, 200, chosen.text)
        XCTAssertEqual((chosen.json["variants"] as? [[String: Any]])?.map { $0["name"] as? String }, ["WCT", "EFDM"])
        XCTAssertEqual(darker.json["contrast"] as? Double, 0.5)
        try await s.stop()
    }

    func testCompareWithMagentaTinyNetworks() async throws {
        let s = try await TestServer(magenta: true)
        let a = try s.client.post("/v1/compare", parts: [F.file("content", content, filename: "c.png"), F.file("style", style, filename: "s.jpg"),
                                                         F.field("model", "magenta"), F.field("content_size", "32"), F.field("groups", "4")])
        XCTAssertEqual(a.status, 200, a.text)
        let variants = a.json["variants"] as? [[String: Any]] ?? []
        let skipped = a.json["skipped"] as? [[String: Any]] ?? []
        XCTAssertEqual(variants.count + skipped.count, 4)
        XCTAssertEqual(variants.first?["name"] as? String, "AdaIN")
        for v in variants { XCTAssertEqual(try decodeDataURL(v["image"] as? String).height, 32) }
        try await s.stop()
    }

    func decodeDataURL(_ url: String?) throws -> Image {
        let url = try XCTUnwrap(url)
        XCTAssertTrue(url.hasPrefix("data:image/jpeg;base64,"))
        let data = try XCTUnwrap(Data(base64Encoded: String(url.dropFirst("data:image/jpeg;base64,".count))))
        return try ImageIO.decode(bytes: Array(data), name: "variant")
    }
}
