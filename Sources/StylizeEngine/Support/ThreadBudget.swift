import StyleKernels

/// The process-wide thread budget (`--threads`): kernels never use more threads than this.
public enum ThreadBudget {
    /// Threads available to the kernels; defaults to all cores.
    public static var threads: Int {
        get { Parallel.threadCount }
        set { Parallel.threadCount = newValue }
    }
}
