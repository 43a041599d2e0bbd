import Foundation
import ImageCodecs
import StyleNN
import StylizeEngine

/// The controls of one live client that the server applies to its frames: model, style
/// (a styles-folder image, an uploaded image or a Magenta preset), alpha, norm with G, and
/// the statistics across frames. The page's size, mirror, snapshot and recording are its own.
///
/// A client changes them with a text message `{"type": "controls", "norm": "group", "groups": 8}`:
/// the fields given change, the others stay. As in the HTTP API, the server reads only the
/// syntax of each field; the values are the engine's to judge (`NormKind.checked`,
/// `VideoStatisticsMode(streamingName:)`, `StyleEngine.validate`), and a refused message
/// changes nothing. Numbers may come as JSON numbers or as text (the page passes its URL's
/// query parameters through as they are).
struct LiveControls: Sendable {
    /// The style as the client chose it.
    enum Style: Sendable {
        case named(StyleFolder.Entry)
        case preset(String)
        case upload(Image, name: String)

        /// How the engine receives it: a folder image by its path (the engine's style cache
        /// keys it by path, so it is read and encoded once), an upload by its pixels.
        var reference: StyleRef {
            switch self {
            case .named(let entry): return .file(entry.path)
            case .preset(let spec): return .preset(spec)
            case .upload(let image, let name): return .image(image, name: name)
            }
        }

        var isPreset: Bool { if case .preset = self { return true } else { return false } }

        /// How the client is told the style.
        var summary: [String: Any] {
            switch self {
            case .named(let entry): return ["style_name": entry.name]
            case .preset(let spec): return ["preset": spec]
            case .upload(let image, let name): return ["style_upload": name, "style_size": "\(image.width)x\(image.height)"]
            }
        }
    }

    var model: ModelFamily = .adain
    var style: Style?
    var alpha: Float = 1
    var normName = "instance"
    var groups = 32
    /// The statistic match (nil: the engine's default for the model).
    var match: StatisticMatch?
    var stats: VideoStatisticsMode = .frame

    /// The fields a control message may carry (besides "type").
    static let fields: Set<String> = ["model", "style_name", "preset", "alpha", "norm", "groups", "match", "stats"]

    /// The norm as the engine takes it.
    var norm: NormKind { get throws { try NormKind.checked(name: normName, groups: normName.lowercased() == "group" ? groups : nil) } }

    /// The options of a frame's run (`maxMemoryBytes`: the server's job budget). Frames are
    /// stylized at the size they arrive (the page scales them), so `contentSize` plays no part.
    func options(maxMemoryBytes: Int) throws -> TransferOptions {
        var o = TransferOptions()
        o.alpha = alpha
        o.norm = try norm
        o.match = match
        o.maxMemoryBytes = maxMemoryBytes
        return o
    }

    /// These controls with the fields of `message` applied, checked as a whole: the syntax
    /// here, the values by the engine, the style and the model against what the server has.
    func applying(_ message: [String: ControlValue], styles: StyleFolder?, models: ModelCatalog, maxMemoryBytes: Int) throws -> LiveControls {
        for key in message.keys where key != "type" && !Self.fields.contains(key) {
            throw LiveError.badMessage("unknown control '\(key.prefix(40))' (known: \(Self.fields.sorted().joined(separator: ", ")))")
        }
        var next = self
        if let name = try Self.text(message, "style_name") {
            guard try Self.text(message, "preset") == nil else {
                throw APIError(400, "several_styles", "give only one of a style_name from GET /v1/styles or a preset")
            }
            guard let entry = styles?.entry(named: name) else {
                throw APIError(400, "unknown_style", "unknown style '\(name.prefix(80))': not an image of the styles folder (see GET /v1/styles)")
            }
            next.style = .named(entry)
        }
        if let spec = try Self.text(message, "preset") {
            try ModelCatalog.validatePreset(spec)
            next.style = .preset(spec)
            if try Self.text(message, "model") == nil { next.model = .magenta }   // presets are Magenta's, as in POST /v1/stylize
        }
        if let model = try Self.text(message, "model") {
            guard let family = ModelFamily(rawValue: model.lowercased()) else {
                throw APIError(400, "unknown_model", "unknown model '\(model.prefix(40))' (known: \(ModelFamily.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            next.model = family
        }
        if let alpha = try Self.number(message, "alpha") { next.alpha = Float(alpha) }
        if let norm = try Self.text(message, "norm") { next.normName = norm.lowercased() }
        if let groups = try Self.number(message, "groups") {
            guard groups == groups.rounded(), abs(groups) < 1e9 else {
                throw APIError.badRequest("groups must be a whole number, got \(groups)")
            }
            next.groups = Int(groups)
        }
        if let name = try Self.text(message, "match") {
            guard let m = StatisticMatch(rawValue: name.lowercased()) else {
                throw APIError.badRequest("match must be one of \(StatisticMatch.names.joined(separator: ", ")), got '\(name.prefix(40))'")
            }
            next.match = m
        }
        if let stats = try Self.text(message, "stats") { next.stats = try VideoStatisticsMode(streamingName: stats) }
        try next.check(models: models, maxMemoryBytes: maxMemoryBytes)
        return next
    }

    /// The engine's checks of these controls and the model's availability.
    func check(models: ModelCatalog, maxMemoryBytes: Int) throws {
        let options = try options(maxMemoryBytes: maxMemoryBytes)
        try stats.validate(match: options.resolvedMatch(family: model))
        if let style {
            try StyleEngine.validate(family: model, styles: [style.reference], options: options)
            _ = try models.engine(model, presets: style.isPreset)
        } else {
            try options.validate(styleCount: 1)
            _ = try models.engine(model, presets: false)
        }
    }

    /// The controls as the client is told them.
    var summary: [String: Any] {
        var out: [String: Any] = ["model": model.rawValue, "alpha": Double(alpha), "norm": normName, "groups": groups,
                                  "match": (match ?? TransferOptions().defaultMatch(family: model)).rawValue, "stats": stats.name]
        if let style { out.merge(style.summary) { a, _ in a } }
        return out
    }

    /// A text field: a JSON string, or a number written as text; nil when absent or empty.
    static func text(_ message: [String: ControlValue], _ key: String) throws -> String? {
        switch message[key] {
        case nil, .null?: return nil
        case .text(let s)?:
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            return t.isEmpty ? nil : t
        case .number(let v)?: return v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : String(v)
        case .bool?: throw APIError.badRequest("\(key) must be text, got true or false")
        }
    }

    /// A number field: a JSON number or a number written as text; nil when absent or empty.
    static func number(_ message: [String: ControlValue], _ key: String) throws -> Double? {
        switch message[key] {
        case nil, .null?: return nil
        case .number(let v)?: return v
        case .text(let s)?:
            let t = s.trimmingCharacters(in: .whitespacesAndNewlines)
            if t.isEmpty { return nil }
            guard let v = Double(t), v.isFinite else { throw APIError.badRequest("\(key) must be a number, got '\(t.prefix(40))'") }
            return v
        case .bool?: throw APIError.badRequest("\(key) must be a number, got true or false")
        }
    }
}

/// One field of a control message as JSON gives it.
enum ControlValue: Decodable, Sendable, Equatable {
    case text(String)
    case number(Double)
    case bool(Bool)
    case null

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .text(s) }
        else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "a control is text, a number, true/false or null") }
    }

    /// A control message: a JSON object of fields (nested values are refused).
    static func message(_ text: String) throws -> [String: ControlValue] {
        do { return try JSONDecoder().decode([String: ControlValue].self, from: Data(text.utf8)) }
        catch { throw LiveError.badMessage("a text message must be a JSON object of controls such as {\"type\": \"controls\", \"norm\": \"layer\"} with text, numbers or true/false as values") }
    }
}
