import ArgumentParser
import Foundation
import StyleBatch
import StylizeEngine
import StylizeCLISupport

/// `stylize batch --content DIR --style DIR_OR_FILE ... -o OUTDIR`: every content image
/// with every style, resumable and shardable.
struct BatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Stylize every image of a folder with every style image.",
        discussion: """
        Outputs are OUTDIR/<subfolder>/<content>_stylized_<style>.<ext>. Images are recognised by their bytes (JPEG, PNG); other files are skipped with a note. Existing outputs are skipped unless --overwrite, so rerunning a stopped batch resumes it. Ctrl-C (or SIGTERM) stops after the current image without leaving partial files (a second Ctrl-C stops at once) and exits with 130 (143 for SIGTERM); the exit status is 1 if any pair failed.

        --shard K/N: the (content, style) pairs are sorted by content path relative to the content folder, then by style path; shard K (1-based) runs the pairs whose 0-based index i has i % N == K-1, so N runs with K = 1...N cover every pair exactly once, on any machines.

        Examples:
          sbatch --array=1-16 --wrap 'stylize batch --content in --style s.jpg -o out --shard $SLURM_ARRAY_TASK_ID/16'
          parallel -j4 stylize batch --content in --style s.jpg -o out --threads 1 --shard {}/4 ::: 1 2 3 4
        """)

    @Option(help: "Folder of content images.")
    var content: String

    @Option(name: .customLong("style"), help: "A style image, or a folder of them; repeat for several.")
    var styles: [String] = []

    @Option(name: [.customShort("o"), .customLong("output")], help: "Output folder (created if needed).")
    var output: String

    @Flag(help: "Also walk subfolders of the content folder, mirroring them under the output folder.")
    var recursive = false

    @Flag(help: "Run pairs whose output already exists (default: skip them, which resumes a stopped batch).")
    var overwrite = false

    @Option(help: "Run only the K-th of N deterministic slices of the work list (K/N, 1-based).")
    var shard: String?

    @Flag(help: "Print a JSON summary on standard output at the end (per pair: input, style, output, status, error, seconds).")
    var json = false

    @Option(help: "Model family: adain (default) or magenta.")
    var model: ModelFamily = .adain

    @OptionGroup var common: CommonTransferOptions

    func validate() throws {
        if styles.isEmpty { throw ValidationError("give at least one --style image or folder") }
        if common.mask != nil { throw ValidationError("--mask is not supported by batch (one style per pair)") }
        if common.styleWeights != nil { throw ValidationError("--style-weights is not supported by batch (one style per pair)") }
        try StandardStreams.refuse([("--content", content), ("-o", output)] + styles.map { ("--style", $0) }, command: "batch",
                                   because: "it reads folders and writes one file per pair; pipe single images with 'stylize - STYLE -o -'")
    }

    func run() throws {
        try common.applyThreads()
        let shard: BatchShard?
        do { shard = try self.shard.map { try BatchShard(parsing: $0) } } catch { throw CommandLineErrors.usage(error) }
        let plan = try BatchPlan.make(contentFolder: content, styles: styles, outputFolder: output, recursive: recursive)
        let engine = try StyleEngine(family: model, weights: common.weights, precision: common.precision)
        var options = BatchOptions()
        options.transfer = try common.transferOptions()
        options.quality = common.quality
        options.overwrite = overwrite

        let progress = BatchProgress(style: common.quiet ? .silent : nil)
        for file in plan.skippedFiles { progress.note("skipped \(file.path): \(file.reason)") }
        let cancellation = Cancellation()
        let temporaries = TemporaryFiles()
        let trap = SignalTrap(cancellation: cancellation, temporaries: temporaries) { sig in
            progress.note("\(SignalTrap.name(sig)) received: stopping after the current image (again to stop at once)")
        }
        let runner = BatchRunner(engine: engine, options: options, outputFolder: output,
                                 cancellation: cancellation, temporaries: temporaries, progress: progress)
        let items = shard?.select(plan.items) ?? plan.items
        let summary = try runner.run(items, shard: shard, skippedFiles: plan.skippedFiles)
        trap.uninstall()

        if json { print(try summary.json()) }
        if !common.quiet || !summary.failed.isEmpty || summary.stoppedBy != nil {
            let text = summary.text() + "\n"
            if json { FileHandle.standardError.write(Data(text.utf8)) } else { print(text, terminator: "") }
        }
        if let sig = cancellation.signal { throw ExitCode(128 + sig) }
        if !summary.failed.isEmpty { throw ExitCode(1) }
    }
}
