import StyleNN
import StylizeEngine

extension Form {
    /// `match` as a statistic match; nil when absent (the engine's default). Only the syntax
    /// is checked here: which norms and models it combines with is the engine's rule
    /// (`TransferOptions.validate`, `StyleEngine.validate`).
    func match() throws -> StatisticMatch? {
        guard let name = text("match") else { return nil }
        guard let m = StatisticMatch(rawValue: name.lowercased()) else {
            throw APIError.badRequest("match must be one of \(StatisticMatch.names.joined(separator: ", ")), got '\(name.prefix(40))'")
        }
        return m
    }

    /// The compare view's variants: every match of `matches` (default: all three for the
    /// AdaIN family, moments for Magenta) under every norm of `norms` it combines with, group
    /// once per G of `groups`.
    func variants(family: ModelFamily) throws -> [SwapVariant] {
        let groups = try (text("groups") ?? "8,32").split(separator: ",").map { g -> Int in
            guard let v = Int(g.trimmingCharacters(in: .whitespaces)) else {
                throw APIError.badRequest("groups must be comma-separated whole numbers, got '\(g.prefix(20))'")
            }
            return v
        }
        let matches = text("matches") ?? (family == .adain ? StatisticMatch.names.joined(separator: ",") : "moments")
        return try VariantRunner.variants(norms: (text("norms") ?? "instance,batch,layer,group").split(separator: ",").map(String.init),
                                          groups: groups, matches: matches.split(separator: ",").map(String.init))
    }
}
