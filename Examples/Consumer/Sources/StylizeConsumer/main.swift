// stylize-consumer CONTENT STYLE WEIGHTS OUTPUT: one transfer through the library.
import Foundation
import StylizeKit

let args = CommandLine.arguments
guard args.count == 5 else {
    FileHandle.standardError.write(Data("usage: StylizeConsumer CONTENT STYLE WEIGHTS OUTPUT\n".utf8))
    exit(2)
}
do {
    let engine = try StyleEngine(family: .adain, weights: args[3])
    var options = TransferOptions()
    options.contentSize = 256
    options.styleSize = 256
    let content = try StyleEngine.loadContent(args[1], options: options)
    let image = try engine.stylize(content, styles: [.file(args[2])], options: options)
    try ImageIO.write(image, to: args[4], protecting: [args[1], args[2]])
    print("\(args[4]) \(image.width)x\(image.height)")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
