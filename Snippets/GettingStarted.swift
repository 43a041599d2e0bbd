// Stylize a photo with the default model through the library, as `stylize photo.jpg style.jpg` does.
import StylizeKit

let arguments = CommandLine.arguments
let photo = arguments.count > 1 ? arguments[1] : "Images/chelsea.jpg"
let painting = arguments.count > 2 ? arguments[2] : "Images/autumn.jpg"

// snippet.engine
// The engine loads a model family once; nil weights = the model shipped in Weights/.
let engine = try StyleEngine(family: .adain, weights: nil)

var options = TransferOptions()
options.alpha = 0.8                   // style strength, 0...1
options.norm = .instance              // AdaIN; .batch, .layer, .group(groups: 8) swap other statistics
options.match = .moments              // mean and std; .covariance (WCT), .distribution (EFDM) match more
options.maxMemoryBytes = 1_500_000_000 // large photos are tiled to stay within this

let content = try StyleEngine.loadContent(photo, options: options)   // shorter side 512 by default
let result = try engine.stylize(content, styles: [.file(painting)], options: options)
try ImageIO.write(result, to: "stylized.png")  // temporary file, then rename
// snippet.end

print("wrote stylized.png (\(result.width)x\(result.height))")
