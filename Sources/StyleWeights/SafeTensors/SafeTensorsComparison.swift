import Foundation

/// Tensor-by-tensor comparison of two safetensors files: the same names, dtypes, shapes and
/// stored bytes (so values are bit-identical, NaN payloads and signed zeros included).
/// Metadata is not compared. Used by `stylize weights fetch magenta` to check that a
/// re-derived file reproduces the shipped one.
public enum SafeTensorsComparison {
    /// One way in which `file` differs from `reference`.
    public struct Difference: Equatable, Sendable, CustomStringConvertible {
        public enum Kind: Equatable, Sendable {
            /// In the reference, not in the file.
            case missing
            /// In the file, not in the reference.
            case unexpected
            case dtype(file: String, reference: String)
            case shape(file: [Int], reference: [Int])
            /// Same dtype and shape, different stored values: how many elements differ, the
            /// largest absolute difference (as Float) and where it is.
            case values(differing: Int, of: Int, maxAbsDiff: Float, atIndex: Int, file: Float, reference: Float)
        }

        public let tensor: String
        public let kind: Kind

        public var description: String {
            switch kind {
            case .missing: return "\(tensor): missing (the reference has it)"
            case .unexpected: return "\(tensor): not in the reference"
            case let .dtype(f, r): return "\(tensor): dtype \(f), the reference has \(r)"
            case let .shape(f, r): return "\(tensor): shape \(shapeString(f)), the reference has \(shapeString(r))"
            case let .values(n, total, maxDiff, index, f, r):
                return "\(tensor): \(n) of \(total) values differ, max |diff| \(maxDiff) at index \(index) (\(f), the reference has \(r))"
            }
        }
    }

    /// The differences between `file` and `reference`, sorted by tensor name; empty when every
    /// tensor is bit-identical. Throws when either file cannot be read as safetensors.
    public static func compare(file: String, reference: String) throws -> [Difference] {
        let a = try SafeTensorsFile(path: file)
        let b = try SafeTensorsFile(path: reference)
        let names = Set(a.names).union(b.names).sorted()
        var out: [Difference] = []
        for name in names {
            guard let ia = a.info(name) else { out.append(Difference(tensor: name, kind: .missing)); continue }
            guard let ib = b.info(name) else { out.append(Difference(tensor: name, kind: .unexpected)); continue }
            if ia.dtype != ib.dtype {
                out.append(Difference(tensor: name, kind: .dtype(file: ia.dtype, reference: ib.dtype)))
                continue
            }
            if ia.shape != ib.shape {
                out.append(Difference(tensor: name, kind: .shape(file: ia.shape, reference: ib.shape)))
                continue
            }
            let ra = try a.rawBytes(name), rb = try b.rawBytes(name)
            if ra.elementsEqual(rb) { continue }
            out.append(Difference(tensor: name, kind: try valueDifference(a, b, name, rawA: ra, rawB: rb)))
        }
        return out
    }

    /// Counts the differing elements (by stored bytes) and finds the largest difference.
    static func valueDifference(_ a: SafeTensorsFile, _ b: SafeTensorsFile, _ name: String,
                                rawA: UnsafeRawBufferPointer, rawB: UnsafeRawBufferPointer) throws -> Difference.Kind {
        let count = checkedElementCount(a.info(name)!.shape) ?? 0
        let size = count > 0 ? rawA.count / count : 1
        // Values as Float where the dtype is one the readers widen; otherwise only the count.
        let fa = (try? a.floats(name)) ?? [], fb = (try? b.floats(name)) ?? []
        var differing = 0, worst = 0, worstDiff: Float = -1
        for i in 0 ..< count {
            let range = i * size ..< (i + 1) * size
            guard !rawA[range].elementsEqual(rawB[range]) else { continue }
            differing += 1
            if fa.count == count, fb.count == count {
                let d = abs(fa[i] - fb[i])
                if d > worstDiff || d.isNaN && !worstDiff.isNaN { worst = i; worstDiff = d }
            } else if worstDiff < 0 {
                worst = i; worstDiff = .nan
            }
        }
        let vf = fa.count == count ? fa[worst] : .nan, vr = fb.count == count ? fb[worst] : .nan
        return .values(differing: differing, of: count, maxAbsDiff: worstDiff, atIndex: worst, file: vf, reference: vr)
    }
}
