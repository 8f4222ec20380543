/// How a stored record state names a field: the model's field names by a number, others in full.
///
/// Every record repeats its field names, and a row's size decides how many pages a batch of writes dirties
/// (docs/benchmarks.md, "Where a batch's pages go"): by number, an intervention's six names take 12 bytes instead
/// of 44. A name by number is a zero where a name's length would be, then the number (1 for the first name of
/// `known`); a name in full is its length, then its bytes. No field name is empty (`ChangeDecoder` refuses one in
/// a change set, and the model has none), so states stored before, which name every field in full, read the
/// same; an empty name, should one be written, is stored as zero and number zero. Change bodies and change sets
/// keep names in full.
enum StoredFieldName {
    /// Append only: stored states refer to these numbers for good. A name added here needs a schema migration too
    /// (as `v5-field-name-numbers`), so that an older napsync, which would read the new number as damage, refuses
    /// the replica instead.
    static let known = [
        "_removed", "answer", "budget", "countries", "date", "description", "instrument", "kind", "line", "men", "narrative", "node",
        "note", "number", "reason", "signature", "status", "unspecified", "women", "year",
    ]

    private static let numbers = Dictionary(uniqueKeysWithValues: known.enumerated().map { ($0.element, $0.offset + 1) })

    /// The known names' bytes, one after another, and where each is: a stored state's name by number is compared
    /// with other names as these bytes (`PlainStoredState`).
    static let knownBytes = Array(known.joined().utf8)
    static let knownRanges: [Range<Int>] = {
        var start = 0
        return known.map { name in
            defer { start += name.utf8.count }
            return start..<(start + name.utf8.count)
        }
    }()
    /// Each known name's place in byte order: two names by number are ordered by these, without reading their bytes.
    /// The list is in byte order today; a name appended later need not be.
    static let knownRanks = ranks(of: known)

    /// Each name's place among `names` in byte order.
    static func ranks(of names: [String]) -> [Int] {
        let order = names.indices.sorted { names[$0].utf8.lexicographicallyPrecedes(names[$1].utf8) }
        var ranks = [Int](repeating: 0, count: names.count)
        for (rank, index) in order.enumerated() { ranks[index] = rank }
        return ranks
    }
    /// The removal marker's index in `known`.
    static let removedIndex = known.firstIndex(of: Change.removedField)!

    /// The number that names `name`, if it is known.
    static func number(of name: String) -> Int? { numbers[name] }

    static func write(_ name: String, to writer: inout BinaryWriter) {
        if let number = numbers[name] {
            writer.varint(0)
            writer.varint(number)
        } else if name.isEmpty {
            writer.varint(0)
            writer.varint(0)
        } else {
            writer.string(name)
        }
    }

    /// Where a stored name is.
    enum Location {
        /// The name of `known` at this index.
        case known(Int)
        /// The name's bytes in the state.
        case inState(Range<Int>)
    }

    /// Reads a stored name, without decoding it; throws for a number past `known` (written by a newer napsync, or
    /// damage).
    static func read(_ reader: inout BinaryReader) throws(BinaryReader.Error) -> Location {
        let length = try reader.count(max: reader.remaining)
        guard length == 0 else { return .inState(try reader.skip(length)) }
        let number = try reader.varint()
        guard number <= UInt64(known.count) else {
            throw BinaryReader.Error(reason: "unknown field name number \(number)", offset: reader.offset)
        }
        return number == 0 ? .inState(reader.offset..<reader.offset) : .known(Int(number) - 1)
    }

    /// Reads a stored name as text.
    static func readText(_ reader: inout BinaryReader, in bytes: [UInt8]) throws(BinaryReader.Error) -> String {
        switch try read(&reader) {
        case .known(let index):
            return known[index]
        case .inState(let range):
            guard let text = String(validating: bytes[range], as: UTF8.self) else {
                throw BinaryReader.Error(reason: "invalid UTF-8 text", offset: range.lowerBound)
            }
            return text
        }
    }
}
