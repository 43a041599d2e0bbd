import Foundation
import StyleNN
import StyleModels
import StylizeEngine

/// The model families the server offers and whether each can run here. A family whose
/// weights are missing is reported unavailable (with the reason) instead of stopping the
/// server; requests for it are answered 503 model_unavailable.
final class ModelCatalog: @unchecked Sendable {
    /// The AdaIN engine (also the feature space of the compare view's distances).
    let adain: StyleEngine?
    let adainProblem: String?
    let adainWeightsName: String?
    /// The Magenta engine (its networks load when first used).
    let magenta: StyleEngine?
    /// Why Magenta style images (arbitrary network) / presets (26-style network) cannot run.
    let magentaArbitraryProblem: String?
    let magentaPresetsProblem: String?

    init(settings: ServerSettings) {
        do {
            let path = try WeightsLocator(environment: settings.environment).adain(explicit: settings.adainWeights)
            adain = try StyleEngine(family: .adain, weights: path, precision: settings.precision)
            adainProblem = nil
            adainWeightsName = URL(fileURLWithPath: path).lastPathComponent
        } catch {
            adain = nil
            adainProblem = "\(error)"
            adainWeightsName = nil
        }
        func problem(_ file: String) -> String? {
            do { _ = try WeightsLocator(environment: settings.environment).magenta(file, explicit: settings.magentaWeights); return nil }
            catch { return "\(error)" }
        }
        magentaArbitraryProblem = problem(WeightsLocator.magentaArbitraryFile)
        magentaPresetsProblem = problem(WeightsLocator.magentaMultistyleFile)
        magenta = (magentaArbitraryProblem == nil || magentaPresetsProblem == nil)
            ? try? StyleEngine(family: .magenta, weights: settings.magentaWeights, precision: settings.precision) : nil
    }

    /// The engine for `family` with style images (`preset == false`) or presets, or the 503 answer.
    func engine(_ family: ModelFamily, presets: Bool) throws -> StyleEngine {
        switch family {
        case .adain:
            if let adain { return adain }
            throw APIError(503, "model_unavailable", "the adain model is not available: \(adainProblem ?? "unknown")")
        case .magenta:
            let problem = presets ? magentaPresetsProblem : magentaArbitraryProblem
            if let magenta, problem == nil { return magenta }
            throw APIError(503, "model_unavailable",
                           "the magenta model is not available for \(presets ? "presets" : "style images"): \(problem ?? "unknown")")
        }
    }

    /// The `GET /v1/models` answer.
    var json: [String: Any] {
        let norms = ["instance", "batch", "layer", "group"]
        var adainEntry: [String: Any] = [
            "id": "adain", "name": "AdaIN (Huang & Belongie 2017)", "available": adain != nil,
            "style_images": adain != nil, "presets": false, "norms": norms, "matches": StatisticMatch.names,
        ]
        if let adainWeightsName { adainEntry["weights"] = adainWeightsName }
        if let adainProblem { adainEntry["reason"] = adainProblem }
        var magentaEntry: [String: Any] = [
            "id": "magenta", "name": "Magenta arbitrary stylization (Ghiasi et al. 2017)",
            "available": magenta != nil,
            "style_images": magenta != nil && magentaArbitraryProblem == nil,
            "presets": magenta != nil && magentaPresetsProblem == nil,
            "preset_count": Self.presetCount, "norms": norms, "matches": ["moments"],
        ]
        let reasons = [magentaArbitraryProblem, magentaPresetsProblem].compactMap { $0 }
        if !reasons.isEmpty { magentaEntry["reason"] = Array(Set(reasons)).sorted().joined(separator: " ") }
        return ["models": [adainEntry, magentaEntry]]
    }

    /// Magenta's built-in styles (the 26-style network).
    static let presetCount = 26

    /// Checks a preset spec ("19", "3:0.5,12:0.5") before it is queued, with the grammar of
    /// `MagentaMultistyle.presetWeights`: indices 0-25, optional non-negative weights, not all zero.
    static func validatePreset(_ spec: String) throws {
        let bad = APIError(400, "unknown_preset", "unknown preset '\(spec.prefix(40))': give an index 0-\(presetCount - 1) or a blend such as 3:0.5,12:0.5")
        let parts = spec.split(separator: ",", omittingEmptySubsequences: false)
        guard !parts.isEmpty, spec.utf8.count <= 400 else { throw bad }
        var sum: Float = 0
        for part in parts {
            let f = part.split(separator: ":", omittingEmptySubsequences: false)
            guard (1...2).contains(f.count), let i = Int(f[0].trimmingCharacters(in: .whitespaces)),
                  (0..<presetCount).contains(i) else { throw bad }
            var w: Float = 1
            if f.count == 2 {
                guard let v = Float(f[1].trimmingCharacters(in: .whitespaces)), v.isFinite, v >= 0 else { throw bad }
                w = v
            }
            sum += w
        }
        guard sum > 0 else { throw bad }
    }
}
