import StyleKernels

/// The process-wide thread budget (`--threads`): kernels never use more threads than this.
public enum ThreadBudget {
    /// Threads available to the kernels; defaults to all cores.
    public static var threads: Int {
        get { Parallel.threadCount }
        set { Parallel.threadCount = newValue }
    }

    /// Sets the budget from an option value (nil keeps all cores); at least one thread.
    public static func set(_ requested: Int?) throws {
        guard let requested else { return }
        guard requested >= 1 else { throw OptionError(.threads, "\(option: .threads) must be at least 1, got \(requested)") }
        threads = requested
    }
}

extension OptionName {
    /// `--threads N`: the process's thread budget.
    public static let threads = OptionName(field: "threads")
}
