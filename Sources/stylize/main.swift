import ArgumentParser
import StylePipeline

struct Stylize: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Repaint a photo in the style of a painting.")
    func run() throws { print("stylize: not yet wired") }
}
Stylize.main()
