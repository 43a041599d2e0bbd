import StylizeEngine
/// Who watches a batch run (`BatchRunner`): the command-line tool's progress bar, a test, a
/// server. Called from the batch's threads, so implementations must be thread-safe.
public protocol BatchObserver: AnyObject, Sendable {
    /// The run starts with `total` pairs, `alreadyDone` of which need no work (skipped/refused).
    func begin(total: Int, alreadyDone: Int)
    /// A pair was run (written or failed).
    func finished(_ result: BatchItemResult)
    /// A remark that is not a pair's result (e.g. a style shrunk to fit the budget).
    func note(_ text: String)
    /// The run is over.
    func end()
}
