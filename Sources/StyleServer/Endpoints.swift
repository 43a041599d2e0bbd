import Foundation
import HTTPTypes
import Hummingbird
import ImageCodecs
import StyleModels
import StyleNN
import StylizeEngine

extension StyleServer {
    static let stylizeFields: Set<String> = ["content", "style", "style_name", "preset", "model", "alpha", "norm", "groups",
                                             "match", "preserve_color", "content_size", "style_size", "format", "quality"]
    static let compareFields: Set<String> = ["content", "style", "style_name", "model", "alpha", "norms", "groups",
                                             "matches", "contrast", "brightness", "content_size", "style_size"]

    /// `POST /v1/stylize`: the stylized image (PNG or JPEG).
    func stylize(_ request: Request) async throws -> Response {
        try await withUpload(request) { [self] parts, cancellation in
            let form = try Form(parts, allowed: Self.stylizeFields)
            guard let content = try form.file("content") else {
                throw APIError(400, "missing_content", "give the content image in the field 'content'")
            }
            let contentName = uploadName("content", content)
            try precheck(content.data, name: contentName)
            let style = try styleInput(form, allowPreset: true)
            let isPreset: Bool
            if case .preset = style { isPreset = true } else { isPreset = false }
            let family = try form.model(default: isPreset ? .magenta : .adain)
            var options = TransferOptions()
            options.alpha = try form.float("alpha") ?? 1
            options.norm = try form.norm()
            options.match = try form.match()
            options.preserveColor = try form.bool("preserve_color")
            options.contentSize = try form.int("content_size") ?? 512
            options.styleSize = try form.int("style_size") ?? 512
            options.maxMemoryBytes = settings.jobMemoryBytes
            let quality = try form.int("quality") ?? 92
            try OutputQuality.validate(quality)
            try StyleEngine.validate(family: family, styles: [style.reference], options: options)
            for (field, side) in [("content_size", options.contentSize), ("style_size", options.styleSize)] where side > settings.maxSide {
                throw APIError.badRequest("\(field) must be at most \(settings.maxSide) on this server, got \(side)")
            }
            let engine = try models.engine(family, presets: isPreset)
            var format: ImageFormat? = nil
            if let f = form.text("format") {
                guard let chosen = ImageFormat(pathExtension: f) else {
                    throw APIError.badRequest("format must be png or jpeg, got '\(f.prefix(20))'")
                }
                format = chosen
            }
            let contentBytes = content.data
            let runOptions = options, outputFormat = format
            let styleName: String
            switch style {
            case .upload: styleName = stem(form.part("style")?.filename ?? "style")
            case .named(let entry): styleName = stem(entry.name)
            case .preset(let spec): styleName = "preset" + safeFileName(spec)
            }
            let outputStem = stem(content.filename ?? "content") + "_stylized_" + styleName
            let queued = Date()
            let result = try await queue.submit(cancellation: cancellation) { () throws -> (bytes: [UInt8], format: ImageFormat, width: Int, height: Int, seconds: Double, waited: Double) in
                let start = Date()
                let decoded = try ImageIO.decode(bytes: contentBytes, name: contentName)
                let input = runOptions.contentSize > 0 ? decoded.resized(shorterSide: runOptions.contentSize) : decoded
                let ref: StyleRef
                if case .preset(let spec) = style {
                    ref = .preset(spec)
                } else {
                    let (image, name) = try Self.decodeStyle(style)!
                    ref = .image(image, name: name)
                }
                let control = RunControl(cancellation: cancellation)
                let output = try engine.stylize(input, styles: [ref], options: runOptions, control: control)
                try cancellation.check()
                let outFormat = outputFormat ?? (ImageFormat(sniffing: contentBytes) ?? .png)
                let bytes = try ImageIO.encode(output, as: outFormat, quality: quality, name: "result")
                return (bytes, outFormat, output.width, output.height, Date().timeIntervalSince(start), start.timeIntervalSince(queued))
            }
            var headers = HTTPFields()
            headers[.contentType] = result.format == .png ? "image/png" : "image/jpeg"
            headers[.contentDisposition] = "inline; filename=\"\(outputStem).\(result.format == .png ? "png" : "jpg")\""
            headers[.cacheControl] = "no-store"
            headers[HTTPField.Name("X-Stylize-Size")!] = "\(result.width)x\(result.height)"
            headers[HTTPField.Name("X-Stylize-Seconds")!] = String(format: "%.3f", result.seconds)
            headers[HTTPField.Name("X-Stylize-Queue-Seconds")!] = String(format: "%.3f", result.waited)
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: result.bytes)))
        }
    }

    /// `POST /v1/compare`: every variant with its distances, images as data URLs.
    func compare(_ request: Request) async throws -> Response {
        try await withUpload(request) { [self] parts, cancellation in
            let form = try Form(parts, allowed: Self.compareFields)
            guard let content = try form.file("content") else {
                throw APIError(400, "missing_content", "give the content image in the field 'content'")
            }
            let contentName = uploadName("content", content)
            try precheck(content.data, name: contentName)
            let style = try styleInput(form, allowPreset: false)
            let family = try form.model(default: .adain)
            let engine = try models.engine(family, presets: false)
            guard let measure = try? models.adain?.adainNetwork() else {
                throw APIError(503, "model_unavailable", "the compare view measures distances with the adain model, which is not available: \(models.adainProblem ?? "unknown")")
            }
            let alpha = try form.float("alpha") ?? 1
            let contrast = try form.float("contrast") ?? 1
            let brightness = try form.float("brightness") ?? 0
            try ContentAdjustment.validate(contrast: contrast, brightness: brightness)
            let contentSize = try form.int("content_size", default: 256, limit: 16...1024)
            let styleSize = try form.int("style_size", default: 256, limit: 16...1024)
            let variants = try form.variants(family: family)
            guard variants.count <= 12 else { throw APIError.badRequest("at most 12 variants per comparison, got \(variants.count)") }
            var checked = TransferOptions()
            checked.alpha = alpha
            try checked.validate(styleCount: 1)
            let contentBytes = content.data
            let maxMemory = settings.jobMemoryBytes, reserved = settings.maxMemoryBytes - settings.jobMemoryBytes
            let baselines = self.baselines
            let queued = Date()
            let body = try await queue.submit(cancellation: cancellation) { () throws -> [UInt8] in
                let start = Date()
                let contentImage = try ImageIO.decode(bytes: contentBytes, name: contentName).resized(shorterSide: contentSize)
                let (styleImage, styleName) = try Self.decodeStyle(style)!
                let job = CompareJob(engine: engine, measure: measure, content: contentImage,
                                     style: styleImage.resized(shorterSide: styleSize), styleName: styleName, variants: variants,
                                     alpha: alpha, contrast: contrast, brightness: brightness, maxMemoryBytes: maxMemory,
                                     serverReservedBytes: reserved, baselines: baselines)
                let out = try job.run(control: RunControl(cancellation: cancellation))
                func dataURL(_ image: Image) throws -> String {
                    "data:image/jpeg;base64," + Data(try ImageIO.encode(image, as: .jpeg, quality: 92, name: "variant")).base64EncodedString()
                }
                let variants: [[String: Any]] = try out.variants.map { v in
                    var entry: [String: Any] = ["name": v.name, "norm": v.norm, "match": v.match, "caption": v.caption,
                                                "style_distance": v.styleDistance,
                                                "content_distance": v.contentDistance, "seconds": v.seconds, "image": try dataURL(v.image)]
                    entry["change"] = v.change.map { $0 as Any } ?? NSNull()
                    return entry
                }
                let json: [String: Any] = [
                    "model": family.rawValue, "width": contentImage.width, "height": contentImage.height,
                    "contrast": Double(contrast), "brightness": Double(brightness), "alpha": Double(alpha),
                    "content": try dataURL(out.adjustedContent),
                    "variants": variants,
                    "skipped": out.skipped.map { ["name": $0.name, "reason": $0.reason] },
                    "seconds": Date().timeIntervalSince(start), "queue_seconds": start.timeIntervalSince(queued),
                ]
                return Array(try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]))
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/json; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
