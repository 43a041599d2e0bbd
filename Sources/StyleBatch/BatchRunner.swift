import Foundation
import ImageCodecs
import StyleNN
import StyleTensor
import StylizeEngine

/// Settings of a batch besides the work list.
public struct BatchOptions: Sendable {
    /// Everything that decides how each pair is stylized (one style per pair: no mixing or masks).
    public var transfer = TransferOptions()
    /// JPEG quality of the outputs.
    public var quality = 95
    /// Run pairs whose output already exists (default: skip them, which is how a stopped batch resumes).
    public var overwrite = false

    public init() {}
}

/// Runs a batch's work list through one loaded model.
///
/// Design: three stages joined by bounded queues (capacity 1), so at most a handful of
/// images are in memory however large the folder is:
///
///     decode thread ──queue(1)──▶ network (calling thread) ──queue(1)──▶ write thread
///     read, decode, resize        style statistics (cached),          encode, temp file,
///                                 encoder, swap, decoder              fsync, rename
///
/// The network stage does almost all the arithmetic; its kernels split their work over
/// the process's single thread budget (`ThreadBudget.threads`). Decoding and encoding
/// take a few percent of the network's time, so with a budget of 2 or more they run on
/// their own threads beside the kernels, hiding their latency; with a budget of 1 the
/// three stages run one after another on the calling thread, so exactly one core is used.
/// Each style is encoded once (the engine caches its statistics). Every pair goes through
/// `StyleEngine.stylize`, with the same memory budget and automatic tiling as a single
/// transfer; images waiting in the queues count against the budget (see `engineBudget`).
/// Every pair is computed on its own by deterministic kernels, so outputs are
/// bit-identical whatever the thread count and the order in which stages overlap.
///
/// Stopping: the stages check `cancellation` between items. The decode stage stops
/// reading, the network stage drops what is queued, and the write stage finishes the
/// images already stylized (each write is temporary file + rename, so a file is whole or
/// absent). Pairs not run are reported as `interrupted`.
public final class BatchRunner: @unchecked Sendable {
    public let engine: StyleEngine
    public let options: BatchOptions
    public let cancellation: Cancellation
    public let temporaries: TemporaryFiles
    public let progress: BatchObserver?
    let writer: BatchOutputWriter
    /// Called after each pair is recorded, with the number run so far (tests stop a batch with it).
    public var afterItem: (@Sendable (Int) -> Void)?

    private let lock = NSLock()
    private var results: [BatchItemResult] = []
    private var runCount = 0

    /// The most pixels of any content decoded so far (for `engineBudget`).
    private var largestContent = 0

    public init(engine: StyleEngine, options: BatchOptions, outputFolder: String,
                cancellation: Cancellation = .init(), temporaries: TemporaryFiles = .init(),
                progress: BatchObserver? = nil) {
        self.engine = engine; self.options = options; self.cancellation = cancellation
        self.temporaries = temporaries; self.progress = progress
        writer = BatchOutputWriter(outputFolder: outputFolder, temporaries: temporaries)
    }

    /// Runs `items` (already sharded) and returns the summary; never throws for a bad pair.
    public func run(_ items: [BatchItem], shard: BatchShard? = nil, skippedFiles: [BatchSkippedFile] = []) throws -> BatchSummary {
        try options.transfer.validate(styleCount: 1)
        let start = Date()
        var pending: [Int] = []
        results = items.map { BatchItemResult(input: $0.content, style: $0.style, output: $0.output, status: .interrupted) }
        for (i, item) in items.enumerated() {
            if let refusal = item.refusal {
                results[i].status = .failed
                results[i].error = refusal
            } else if !options.overwrite, FileManager.default.fileExists(atPath: item.output) {
                results[i].status = .skipped
            } else {
                pending.append(i)
            }
        }
        pendingTotal = pending.count
        progress?.begin(total: items.count, alreadyDone: items.count - pending.count)
        for i in results.indices where results[i].status == .failed { progress?.finished(results[i]) }
        if ThreadBudget.threads <= 1 {
            runSequentially(items, pending)
        } else {
            runPipelined(items, pending)
        }
        progress?.end()
        return BatchSummary(shard: shard?.description, threads: ThreadBudget.threads,
                            seconds: Date().timeIntervalSince(start),
                            stoppedBy: cancellation.signal.map(Cancellation.signalName), items: results,
                            skippedFiles: skippedFiles)
    }

    // MARK: - Stages

    /// A content image ready for the network.
    struct Decoded { let index: Int; let image: Image; let seconds: Double }
    /// A stylized image ready to be written.
    struct Stylized { let index: Int; let image: Image; let seconds: Double }
    /// A stage's output, the failure of its pair, or a pair stopped by the cancellation.
    enum Job<T> { case ok(T), failed(index: Int, error: String, seconds: Double), interrupted(index: Int) }

    func decode(_ items: [BatchItem], _ index: Int) -> Job<Decoded> {
        let t0 = Date()
        do {
            let image = try StyleEngine.loadContent(items[index].content, options: options.transfer)
            lock.lock(); largestContent = max(largestContent, image.pixelCount); lock.unlock()
            return .ok(Decoded(index: index, image: image, seconds: Date().timeIntervalSince(t0)))
        } catch {
            return .failed(index: index, error: "\(error)", seconds: Date().timeIntervalSince(t0))
        }
    }

    func stylize(_ items: [BatchItem], _ job: Job<Decoded>) -> Job<Stylized> {
        guard case .ok(let d) = job else {
            if case .failed(let i, let e, let s) = job { return .failed(index: i, error: e, seconds: s) }
            if case .interrupted(let i) = job { return .interrupted(index: i) }
            fatalError("unreachable")
        }
        let t0 = Date()
        do {
            var o = options.transfer
            o.maxMemoryBytes = engineBudget(pending: pendingCount)
            let out = try engine.stylize(d.image, styles: [.file(items[d.index].style)], options: o,
                                         control: RunControl(cancellation: cancellation, note: { [progress] in
                                             progress?.note("\(items[d.index].content): \($0)")
                                         }))
            return .ok(Stylized(index: d.index, image: out, seconds: d.seconds + Date().timeIntervalSince(t0)))
        } catch EngineError.cancelled {
            return .interrupted(index: d.index)
        } catch {
            return .failed(index: d.index, error: "\(error)", seconds: d.seconds + Date().timeIntervalSince(t0))
        }
    }

    /// Pairs not yet recorded (the stages can hold at most three of them besides the one
    /// in the network: one decoding or decoded, one stylized, one being written).
    var pendingCount: Int { lock.lock(); defer { lock.unlock() }; return pendingTotal - runCount }
    private var pendingTotal = 0

    /// The budget of one pair's network run: `--max-memory` minus what the other stages may
    /// hold meanwhile, taken as the 8-bit input and output pixels (6 bytes per pixel) of the
    /// largest content decoded so far for each other pair in flight. With a budget of one
    /// thread the stages run one after another and nothing else is held.
    func engineBudget(pending: Int) -> Int {
        guard ThreadBudget.threads > 1 else { return options.transfer.maxMemoryBytes }
        lock.lock(); let largest = largestContent; lock.unlock()
        let others = min(3, max(pending - 1, 0))
        return max(options.transfer.maxMemoryBytes - others * 6 * largest, options.transfer.maxMemoryBytes / 4)
    }

    func write(_ items: [BatchItem], _ job: Job<Stylized>) -> BatchItemResult {
        switch job {
        case .failed(let i, let e, let s):
            return BatchItemResult(input: items[i].content, style: items[i].style, output: items[i].output,
                                   status: .failed, error: e, seconds: s)
        case .interrupted(let i):
            return BatchItemResult(input: items[i].content, style: items[i].style, output: items[i].output, status: .interrupted)
        case .ok(let s):
            let item = items[s.index]
            let t0 = Date()
            do {
                try writer.write(s.image, to: item.output, quality: options.quality, protecting: [item.content, item.style])
                return BatchItemResult(input: item.content, style: item.style, output: item.output, status: .ok,
                                       seconds: s.seconds + Date().timeIntervalSince(t0))
            } catch {
                return BatchItemResult(input: item.content, style: item.style, output: item.output, status: .failed,
                                       error: "\(error)", seconds: s.seconds + Date().timeIntervalSince(t0))
            }
        }
    }

    func record(_ index: Int, _ result: BatchItemResult) {
        lock.lock()
        results[index] = result
        runCount += 1
        let n = runCount
        lock.unlock()
        progress?.finished(result)
        afterItem?(n)
    }

    static func index<T>(of job: Job<T>, _ key: (T) -> Int) -> Int {
        switch job {
        case .ok(let v): return key(v)
        case .failed(let i, _, _), .interrupted(let i): return i
        }
    }

    // MARK: - Scheduling

    /// Budget 1: decode, stylize and write each pair in turn on this thread.
    func runSequentially(_ items: [BatchItem], _ pending: [Int]) {
        for i in pending {
            if cancellation.isCancelled { break }
            let decoded = decode(items, i)
            if cancellation.isCancelled { break }
            let job = stylize(items, decoded)
            if case .interrupted = job { break }   // stays "interrupted"
            record(i, write(items, job))
        }
    }

    /// Budget >= 2: decode thread -> network on this thread -> write thread.
    func runPipelined(_ items: [BatchItem], _ pending: [Int]) {
        let decodedQueue = BoundedQueue<Job<Decoded>>(capacity: 1)
        let stylizedQueue = BoundedQueue<Job<Stylized>>(capacity: 1)
        let decoder = PipelineThread(name: "stylize.decode") { [self] in
            for i in pending {
                if cancellation.isCancelled { break }
                if !decodedQueue.push(decode(items, i)) { break }
            }
            decodedQueue.close()
        }
        let writer = PipelineThread(name: "stylize.write") { [self] in
            while let job = stylizedQueue.pop() {
                if case .interrupted = job { continue }   // stays "interrupted"
                let i = Self.index(of: job) { $0.index }
                record(i, write(items, job))
            }
        }

        while let job = decodedQueue.pop() {
            if cancellation.isCancelled { continue }   // drain so the decoder can stop; the pair stays "interrupted"
            stylizedQueue.push(stylize(items, job))
        }
        stylizedQueue.close()
        decoder.join()
        writer.join()
    }
}
