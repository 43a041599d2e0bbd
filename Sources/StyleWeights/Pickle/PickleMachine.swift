/// A restricted pickle virtual machine for the opcodes `torch.save` emits (protocols 2-5).
///
/// Safety: it reads only from the given buffer with bounds checks, refuses any global
/// outside a fixed allowlist, interprets REDUCE only for the constructors a state dict
/// uses (OrderedDict, tensor and parameter rebuilders), and caps the stack, memo and
/// nesting depth. Every opcode consumes at least one byte, so a stream cannot loop.
struct PickleMachine {
    /// Limits that keep hostile streams from exhausting memory or the call stack.
    static let maxStack = 1 << 20
    static let maxMemo = 1 << 20
    static let maxDepth = 64

    /// Globals a weights pickle may name. Anything else is `WeightsError.forbiddenGlobal`.
    static let allowedGlobals = Set<String>([
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch._utils._rebuild_parameter_with_state",
        "torch.Size",
    ]).union(TorchStorageRef.storageTypes.keys.map { "torch." + $0 })

    let file: String
    let bytes: UnsafeRawBufferPointer
    /// Turns a persistent id (BINPERSID) into a value, e.g. a storage reference.
    let persistentLoad: (PickleValue) throws -> PickleValue

    private var stack: [PickleValue] = []
    private var marks: [Int] = []
    private var memo: [Int: PickleValue] = [:]

    init(file: String, bytes: UnsafeRawBufferPointer, persistentLoad: @escaping (PickleValue) throws -> PickleValue) {
        self.file = file
        self.bytes = bytes
        self.persistentLoad = persistentLoad
    }

    /// Runs the pickle that starts at `offset`; returns its value and the offset after STOP.
    mutating func run(from offset: Int = 0) throws -> (value: PickleValue, end: Int) {
        stack = []; marks = []; memo = [:]
        let file = self.file
        var cursor = ByteCursor(bytes, position: offset) { at, detail in
            WeightsError.invalidPickle(file: file, offset: at, detail: detail)
        }
        while true {
            let opAt = cursor.position
            let op = try cursor.u8("opcode")
            func fail(_ detail: String) -> WeightsError { .invalidPickle(file: file, offset: opAt, detail: detail) }
            switch op {
            case 0x80: // PROTO
                let proto = try cursor.u8("protocol")
                guard proto >= 2 && proto <= 5 else { throw fail("unsupported pickle protocol \(proto)") }
            case 0x95: // FRAME
                _ = try cursor.le(UInt64.self, "frame length")
            case 0x2E: // STOP '.'
                guard stack.count == 1, marks.isEmpty else { throw fail("STOP with \(stack.count) values on the stack") }
                return (stack[0], cursor.position)
            case 0x28: // MARK '('
                guard marks.count < Self.maxStack else { throw fail("too many marks") }
                marks.append(stack.count)
            case 0x4E: try push(.none, fail) // NONE
            case 0x88: try push(.bool(true), fail)
            case 0x89: try push(.bool(false), fail)
            case 0x4A: // BININT
                try push(.int(Int(Int32(bitPattern: try cursor.le(UInt32.self, "BININT")))), fail)
            case 0x4B: try push(.int(Int(try cursor.u8("BININT1"))), fail)
            case 0x4D: try push(.int(Int(try cursor.le(UInt16.self, "BININT2"))), fail)
            case 0x8A, 0x8B: // LONG1, LONG4
                let n = op == 0x8A ? Int(try cursor.u8("LONG1 length")) : Int(Int32(bitPattern: try cursor.le(UInt32.self, "LONG4 length")))
                guard n >= 0 else { throw fail("negative LONG4 length") }
                let raw = Array(try cursor.take(n, "long integer"))
                try push(Self.integer(fromLittleEndian: raw), fail)
            case 0x47: // BINFLOAT 'G' (big-endian)
                let bits = try cursor.le(UInt64.self, "BINFLOAT")
                try push(.float(Double(bitPattern: UInt64(bigEndian: bits))), fail)
            case 0x58: // BINUNICODE 'X'
                let n = Int(try cursor.le(UInt32.self, "BINUNICODE length"))
                try push(.string(try utf8(cursor.take(n, "BINUNICODE"), fail)), fail)
            case 0x8C: // SHORT_BINUNICODE
                let n = Int(try cursor.u8("SHORT_BINUNICODE length"))
                try push(.string(try utf8(cursor.take(n, "SHORT_BINUNICODE"), fail)), fail)
            case 0x8D: // BINUNICODE8
                let n = try cursor.le(UInt64.self, "BINUNICODE8 length")
                guard n <= UInt64(cursor.remaining) else { throw fail("BINUNICODE8 length \(n) beyond the data") }
                try push(.string(try utf8(cursor.take(Int(n), "BINUNICODE8"), fail)), fail)
            case 0x54, 0x55: // BINSTRING, SHORT_BINSTRING (Python 2 str, read as Latin-1)
                let n = op == 0x55 ? Int(try cursor.u8("SHORT_BINSTRING length")) : Int(Int32(bitPattern: try cursor.le(UInt32.self, "BINSTRING length")))
                guard n >= 0 else { throw fail("negative BINSTRING length") }
                let raw = try cursor.take(n, "BINSTRING")
                try push(.string(String(raw.map { Character(Unicode.Scalar($0)) })), fail)
            case 0x42, 0x43: // BINBYTES, SHORT_BINBYTES
                let n = op == 0x43 ? Int(try cursor.u8("SHORT_BINBYTES length")) : Int(try cursor.le(UInt32.self, "BINBYTES length"))
                try push(.bytes(Array(try cursor.take(n, "BINBYTES"))), fail)
            case 0x29: try push(.tuple([], depth: 1), fail) // EMPTY_TUPLE ')'
            case 0x85, 0x86, 0x87: // TUPLE1..3
                let n = Int(op - 0x84)
                guard stack.count - (marks.last ?? 0) >= n else { throw fail("TUPLE\(n) on a stack of \(stack.count)") }
                let items = Array(stack.suffix(n))
                stack.removeLast(n)
                try push(try makeTuple(items, fail), fail)
            case 0x74: // TUPLE 't'
                try push(try makeTuple(try popMark(fail), fail), fail)
            case 0x5D: try push(.list(PickleList()), fail) // EMPTY_LIST ']'
            case 0x7D: try push(.dict(PickleDict()), fail) // EMPTY_DICT '}'
            case 0x6C: // LIST 'l'
                let list = PickleList()
                for item in try popMark(fail) { try append(item, to: list, fail) }
                try push(.list(list), fail)
            case 0x64: // DICT 'd'
                let dict = PickleDict()
                try setItems(try popMark(fail), into: dict, fail)
                try push(.dict(dict), fail)
            case 0x61: // APPEND 'a'
                let item = try pop(fail)
                guard case .list(let list)? = stack.last else { throw fail("APPEND to a \(stack.last?.typeName ?? "empty stack")") }
                try append(item, to: list, fail)
            case 0x65: // APPENDS 'e'
                let items = try popMark(fail)
                guard case .list(let list)? = stack.last else { throw fail("APPENDS to a \(stack.last?.typeName ?? "empty stack")") }
                for item in items { try append(item, to: list, fail) }
            case 0x73: // SETITEM 's'
                let value = try pop(fail), key = try pop(fail)
                guard case .dict(let dict)? = stack.last else { throw fail("SETITEM on a \(stack.last?.typeName ?? "empty stack")") }
                try setItems([key, value], into: dict, fail)
            case 0x75: // SETITEMS 'u'
                let items = try popMark(fail)
                guard case .dict(let dict)? = stack.last else { throw fail("SETITEMS on a \(stack.last?.typeName ?? "empty stack")") }
                try setItems(items, into: dict, fail)
            case 0x30: _ = try pop(fail) // POP '0'
            case 0x31: _ = try popMark(fail) // POP_MARK '1'
            case 0x32: // DUP '2'
                guard let top = stack.last else { throw fail("DUP on an empty stack") }
                try push(top, fail)
            case 0x71: try memoPut(Int(try cursor.u8("BINPUT index")), fail) // BINPUT 'q'
            case 0x72: try memoPut(Int(try cursor.le(UInt32.self, "LONG_BINPUT index")), fail) // LONG_BINPUT 'r'
            case 0x94: try memoPut(memo.count, fail) // MEMOIZE
            case 0x68, 0x6A: // BINGET 'h', LONG_BINGET 'j'
                let index = op == 0x68 ? Int(try cursor.u8("BINGET index")) : Int(try cursor.le(UInt32.self, "LONG_BINGET index"))
                guard let value = memo[index] else { throw fail("memo entry \(index) is not defined") }
                try push(value, fail)
            case 0x63: // GLOBAL 'c': "module\nname\n"
                let module = try line(&cursor, fail), name = try line(&cursor, fail)
                try push(try global(module, name, fail), fail)
            case 0x93: // STACK_GLOBAL
                let name = try pop(fail), module = try pop(fail)
                guard case .string(let n) = name, case .string(let m) = module else { throw fail("STACK_GLOBAL needs two strings") }
                try push(try global(m, n, fail), fail)
            case 0x52: // REDUCE 'R'
                let args = try pop(fail), callable = try pop(fail)
                guard case .tuple(let argList, _) = args else { throw fail("REDUCE arguments are a \(args.typeName), not a tuple") }
                try push(try call(callable, argList, fail), fail)
            case 0x81: // NEWOBJ: cls.__new__(cls, *args)
                let args = try pop(fail), cls = try pop(fail)
                guard case .tuple(let argList, _) = args else { throw fail("NEWOBJ arguments are not a tuple") }
                guard case .global("collections", "OrderedDict") = cls, argList.isEmpty else {
                    throw fail("NEWOBJ of \(cls.typeName) is not supported")
                }
                try push(.dict(PickleDict()), fail)
            case 0x62: // BUILD 'b': object state (e.g. an OrderedDict's _metadata); not needed, dropped.
                _ = try pop(fail)
                guard !stack.isEmpty else { throw fail("BUILD on an empty stack") }
            case 0x51: // BINPERSID 'Q'
                let pid = try pop(fail)
                try push(try persistentLoad(pid), fail)
            default:
                throw fail(String(format: "unsupported opcode 0x%02x", op))
            }
        }
    }

    // MARK: - Stack helpers

    private mutating func push(_ value: PickleValue, _ fail: (String) -> WeightsError) throws {
        guard stack.count < Self.maxStack else { throw fail("stack exceeds \(Self.maxStack) values") }
        stack.append(value)
    }

    private mutating func pop(_ fail: (String) -> WeightsError) throws -> PickleValue {
        guard stack.count > (marks.last ?? 0) else { throw fail("pop from an empty stack") }
        return stack.removeLast()
    }

    private mutating func popMark(_ fail: (String) -> WeightsError) throws -> [PickleValue] {
        guard let mark = marks.popLast() else { throw fail("no MARK on the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    private mutating func memoPut(_ index: Int, _ fail: (String) -> WeightsError) throws {
        guard let top = stack.last else { throw fail("memo put on an empty stack") }
        guard memo.count < Self.maxMemo || memo[index] != nil else { throw fail("memo exceeds \(Self.maxMemo) entries") }
        memo[index] = top
    }

    private func line(_ cursor: inout ByteCursor, _ fail: (String) -> WeightsError) throws -> String {
        let start = cursor.position
        while true {
            guard cursor.position - start < 256 else { throw fail("GLOBAL name longer than 256 bytes") }
            if try cursor.u8("GLOBAL name") == 0x0A { break }
        }
        return try utf8(UnsafeRawBufferPointer(rebasing: bytes[start ..< cursor.position - 1]), fail)
    }

    private func utf8(_ raw: UnsafeRawBufferPointer, _ fail: (String) -> WeightsError) throws -> String {
        guard let s = String(validating: raw, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return s
    }

    // MARK: - Containers (sealed once nested, depth capped)

    private func seal(_ value: PickleValue) {
        switch value {
        case .list(let l): l.sealed = true
        case .dict(let d): d.sealed = true
        default: break
        }
    }

    private func makeTuple(_ items: [PickleValue], _ fail: (String) -> WeightsError) throws -> PickleValue {
        let tuple = PickleValue.tuple(items, depth: 1 + (items.map(\.depth).max() ?? 0))
        guard tuple.depth <= Self.maxDepth else { throw fail("values nested deeper than \(Self.maxDepth)") }
        items.forEach(seal)
        return tuple
    }

    private func append(_ item: PickleValue, to list: PickleList, _ fail: (String) -> WeightsError) throws {
        guard !list.sealed else { throw fail("list modified after being nested (recursive structures are not supported)") }
        let depth = item.depth + 1
        guard depth <= Self.maxDepth else { throw fail("values nested deeper than \(Self.maxDepth)") }
        seal(item)
        // Sealing the item sealed the list itself: the list is being appended to itself,
        // a reference cycle that would never be freed.
        guard !list.sealed else { throw fail("list appended to itself (recursive structures are not supported)") }
        list.depth = max(list.depth, depth)
        list.items.append(item)
    }

    private func setItems(_ items: [PickleValue], into dict: PickleDict, _ fail: (String) -> WeightsError) throws {
        guard items.count % 2 == 0 else { throw fail("odd number of values for dict items") }
        guard !dict.sealed else { throw fail("dict modified after being nested (recursive structures are not supported)") }
        for i in stride(from: 0, to: items.count, by: 2) {
            let depth = max(items[i].depth, items[i + 1].depth) + 1
            guard depth <= Self.maxDepth else { throw fail("values nested deeper than \(Self.maxDepth)") }
            seal(items[i]); seal(items[i + 1])
            // As for lists: a dict stored in itself would be a cycle that is never freed.
            guard !dict.sealed else { throw fail("dict stored in itself (recursive structures are not supported)") }
            dict.depth = max(dict.depth, depth)
            dict.set(items[i], items[i + 1])
        }
    }

    // MARK: - Globals and calls

    private func global(_ module: String, _ name: String, _ fail: (String) -> WeightsError) throws -> PickleValue {
        let full = module + "." + name
        guard Self.allowedGlobals.contains(full) else { throw WeightsError.forbiddenGlobal(file: file, name: full) }
        return .global(module: module, name: name)
    }

    /// Interprets REDUCE for the allowlisted callables.
    private func call(_ callable: PickleValue, _ args: [PickleValue], _ fail: (String) -> WeightsError) throws -> PickleValue {
        guard case let .global(module, name) = callable else { throw fail("REDUCE on a \(callable.typeName), not a global") }
        switch (module, name) {
        case ("collections", "OrderedDict"):
            // Python 3 pickles OrderedDict() and adds items with SETITEMS; Python 2 passes
            // the items as one list of [key, value] pairs.
            let dict = PickleDict()
            if args.isEmpty { return .dict(dict) }
            guard args.count == 1, case .list(let pairs) = args[0] else { throw fail("OrderedDict expects no argument or a list of pairs") }
            var flat: [PickleValue] = []
            for pair in pairs.items {
                switch pair {
                case .list(let kv) where kv.items.count == 2: flat += kv.items
                case .tuple(let kv, _) where kv.count == 2: flat += kv
                default: throw fail("OrderedDict item is not a [key, value] pair")
                }
            }
            try setItems(flat, into: dict, fail)
            return .dict(dict)
        case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
            // (storage, storage_offset, size, stride, [requires_grad, backward_hooks, metadata])
            guard args.count >= 4, case .storage(let storage) = args[0], case .int(let offset) = args[1] else {
                throw fail("\(name) expects (storage, offset, size, stride, ...)")
            }
            let size = try intTuple(args[2], "size", fail), stride = try intTuple(args[3], "stride", fail)
            return .tensor(try TorchTensorRef(storage: storage, offset: offset, size: size, stride: stride, fail: fail))
        case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
            guard let data = args.first, case .tensor = data else { throw fail("\(name) expects a tensor") }
            return data
        case ("torch", "Size"):
            guard args.count == 1 else { throw fail("torch.Size expects one tuple") }
            return .tuple(try intTuple(args[0], "size", fail).map { .int($0) }, depth: 2)
        default:
            throw fail("\(module).\(name) cannot be called")
        }
    }

    private func intTuple(_ value: PickleValue, _ what: String, _ fail: (String) -> WeightsError) throws -> [Int] {
        guard case .tuple(let items, _) = value else { throw fail("tensor \(what) is a \(value.typeName), not a tuple") }
        return try items.map {
            guard case .int(let i) = $0 else { throw fail("tensor \(what) holds a \($0.typeName)") }
            return i
        }
    }

    /// LONG1/LONG4 payload: `.int` when it fits 64 bits, otherwise `.bigInt`.
    static func integer(fromLittleEndian raw: [UInt8]) -> PickleValue {
        if raw.isEmpty { return .int(0) }
        if raw.count <= 8 {
            var value: UInt64 = 0
            for (i, b) in raw.enumerated() { value |= UInt64(b) << (8 * UInt64(i)) }
            if raw.last! & 0x80 != 0 && raw.count < 8 { value |= ~0 << (8 * UInt64(raw.count)) } // sign-extend
            return .int(Int(Int64(bitPattern: value)))
        }
        return .bigInt(raw)
    }
}
