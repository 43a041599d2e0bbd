import Foundation
import StylizeEngine

/// What happened to one pair of a batch.
public enum BatchStatus: String, Sendable, Codable, Equatable {
    /// Written.
    case ok
    /// Failed (see the error); the batch went on.
    case failed
    /// The output already existed (no `--overwrite`), so the pair was not run again.
    case skipped
    /// Not run because the batch was stopped (SIGINT/SIGTERM) first.
    case interrupted
}

/// One line of the `--json` summary.
public struct BatchItemResult: Sendable, Codable, Equatable {
    public var input: String
    public var style: String
    public var output: String
    public var status: BatchStatus
    /// The reason of a failure (null otherwise).
    public var error: String?
    /// Time spent on this pair (decode + network + encode/write), 0 when not run.
    public var seconds: Double

    public init(input: String, style: String, output: String, status: BatchStatus, error: String? = nil, seconds: Double = 0) {
        self.input = input; self.style = style; self.output = output
        self.status = status; self.error = error; self.seconds = seconds
    }

    enum CodingKeys: String, CodingKey { case input, style, output, status, error, seconds }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(input, forKey: .input)
        try c.encode(style, forKey: .style)
        try c.encode(output, forKey: .output)
        try c.encode(status, forKey: .status)
        try c.encode(error, forKey: .error)   // explicit null when there is none
        try c.encode(seconds, forKey: .seconds)
    }
}

/// The outcome of a batch, printed as text and, with `--json`, as JSON.
public struct BatchSummary: Sendable, Codable, Equatable {
    /// "K/N" with `--shard`, else null.
    public var shard: String?
    public var threads: Int
    /// Wall-clock seconds of the run (the work list, not loading the model).
    public var seconds: Double
    /// Images written per minute of wall-clock time.
    public var imagesPerMinute: Double
    /// "SIGINT" or "SIGTERM" when the batch was stopped by a signal, else null.
    public var stoppedBy: String?
    public var items: [BatchItemResult]
    public var skippedFiles: [BatchSkippedFile]
    /// Peak resident memory of the whole process so far (bytes), see `ProcessMemory`.
    public var peakMemoryBytes: Int

    enum CodingKeys: String, CodingKey {
        case shard, threads, seconds, counts, stoppedBy = "stopped_by", items, skippedFiles = "skipped_files"
        case imagesPerMinute = "images_per_minute", peakMemoryBytes = "peak_memory_bytes"
    }

    public init(shard: String?, threads: Int, seconds: Double, stoppedBy: String?, items: [BatchItemResult],
                skippedFiles: [BatchSkippedFile]) {
        self.shard = shard; self.threads = threads; self.seconds = seconds; self.stoppedBy = stoppedBy
        self.items = items; self.skippedFiles = skippedFiles
        peakMemoryBytes = ProcessMemory.peakResidentBytes
        let written = items.filter { $0.status == .ok }.count
        imagesPerMinute = seconds > 0 ? Double(written) * 60 / seconds : 0
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shard = try c.decodeIfPresent(String.self, forKey: .shard)
        threads = try c.decode(Int.self, forKey: .threads)
        seconds = try c.decode(Double.self, forKey: .seconds)
        imagesPerMinute = try c.decode(Double.self, forKey: .imagesPerMinute)
        stoppedBy = try c.decodeIfPresent(String.self, forKey: .stoppedBy)
        items = try c.decode([BatchItemResult].self, forKey: .items)
        skippedFiles = try c.decode([BatchSkippedFile].self, forKey: .skippedFiles)
        peakMemoryBytes = try c.decodeIfPresent(Int.self, forKey: .peakMemoryBytes) ?? 0
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(shard, forKey: .shard)
        try c.encode(threads, forKey: .threads)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(imagesPerMinute, forKey: .imagesPerMinute)
        try c.encode(stoppedBy, forKey: .stoppedBy)
        try c.encode(counts, forKey: .counts)
        try c.encode(items, forKey: .items)
        try c.encode(skippedFiles, forKey: .skippedFiles)
        try c.encode(peakMemoryBytes, forKey: .peakMemoryBytes)
    }

    /// Number of pairs per status ("ok", "failed", "skipped", "interrupted"; all four present).
    public var counts: [String: Int] {
        var c: [String: Int] = ["ok": 0, "failed": 0, "skipped": 0, "interrupted": 0]
        for item in items { c[item.status.rawValue, default: 0] += 1 }
        return c
    }

    public var failed: [BatchItemResult] { items.filter { $0.status == .failed } }

    /// Pretty-printed JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// A few lines for people: counts, throughput, and every failure with its reason.
    public func text() -> String {
        let c = counts
        var lines = ["\(c["ok"]!) written, \(c["skipped"]!) skipped (output exists), \(c["failed"]!) failed"
            + (c["interrupted"]! > 0 ? ", \(c["interrupted"]!) not run (interrupted)" : "")
            + (shard.map { " [shard \($0)]" } ?? "")
            + String(format: " in %.1f s (%.1f images/min, %d threads, peak memory %@)", seconds, imagesPerMinute, threads,
                     MemoryBudget.format(peakMemoryBytes))]
        if let stoppedBy { lines.append("stopped by \(stoppedBy); rerun the same command to resume") }
        if !failed.isEmpty {
            lines.append("failures:")
            for f in failed { lines.append("  \(f.input) + \(f.style): \(f.error ?? "unknown error")") }
        }
        return lines.joined(separator: "\n")
    }
}
