import ArgumentParser

/// `stylize weights ...`: getting, checking and preparing weight files.
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Import, verify and calibrate weight files.",
        subcommands: [MagentaFetchCommand.self])
}
