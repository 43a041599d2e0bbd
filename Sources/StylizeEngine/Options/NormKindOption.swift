import StyleNN

extension NormKind {
    /// A norm given as an option: `name` one of `NormKind.names`, `groups` (G >= 1) for
    /// "group" only. Errors are `OptionError`s naming `norm` or `groups`.
    public static func checked(name: String, groups: Int? = nil) throws -> NormKind {
        let lower = name.lowercased()
        guard names.contains(lower) else {
            throw OptionError(.norm, "\(option: .norm) must be one of \(names.joined(separator: ", ")), got '\(name.prefix(40))'")
        }
        guard lower == "group" else { return try NormKind(name: lower) }
        guard let groups, groups >= 1 else {
            throw OptionError(.groups, "\(option: .norm) group needs \(option: .groups) G >= 1, got \(groups.map(String.init) ?? "none")")
        }
        return .group(groups: groups)
    }
}
