// Writes the safetensors seed corpus with the project's own SafeTensorsWriter
// (F32 and F16, with metadata, scalars, empty tensors). The torch seeds are the
// checkpoints in Tests/StyleWeightsTests/Fixtures (written by make_fixtures.py
// with real torch.save); Fuzz/make_seeds.sh copies the small ones.
// Usage: make-weight-seeds OUTDIR.
#if canImport(Glibc)
import Glibc
#endif

let out = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : "Fuzz/corpus"
mkdir(out, 0o755)
mkdir("\(out)/safetensors", 0o755)

func values(_ n: Int, scale: Float) -> [Float] { (0..<n).map { Float($0 % 7) * scale - 1 } }

do {
    let dir = "\(out)/safetensors"
    try SafeTensorsWriter.write(tensors: ["w": (shape: [2, 3], values: values(6, scale: 0.5))], to: "\(dir)/one-f32.safetensors")
    try SafeTensorsWriter.write(tensors: ["w": (shape: [2, 3], values: values(6, scale: 0.5))], dtype: .f16,
                                to: "\(dir)/one-f16.safetensors")
    try SafeTensorsWriter.write(
        tensors: ["0.weight": (shape: [3, 3, 1, 1], values: values(9, scale: 0.25)),
                  "0.bias": (shape: [3], values: values(3, scale: 1)),
                  "2.weight": (shape: [2, 3, 3, 3], values: values(54, scale: 0.1)),
                  "2.bias": (shape: [2], values: values(2, scale: 1)),
                  "scalar": (shape: [], values: [3.5]),
                  "empty": (shape: [0, 4], values: [])],
        metadata: ["format": "pt", "stylize.model": "adain-vgg19", "stylize.widths": "2"],
        to: "\(dir)/several-metadata.safetensors")
} catch {
    fatalError("\(error)")
}
