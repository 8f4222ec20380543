import Foundation
import NAPModel

/// A stored record state read in place, without decoding its names or values, when it is plain: every field has
/// one version, no version carries a removal's context, the record has no removal marker, and every field name is
/// ASCII and not empty. Nearly every record is plain, and a local write to one rewrites its bytes here
/// (`ReplicaTransaction.setPlain`) instead of decoding the state, applying the change and encoding the state
/// again, which was about a quarter of an edit of one field (row 1g).
///
/// The bytes it writes are those `StoredEncoding.encode` writes for the state the change leaves; for a state
/// stored before versions were shared, they read back as the same state. It checks a stored value's shape, not its
/// text: a kept text that is not valid UTF-8 (damage) is copied as it is, and reported by the next read of the
/// state, or by `napsync check`, which reads every state. It reads and copies bytes through
/// buffer pointers: slices of the arrays would retain and release them at every step.
struct PlainStoredState {
    struct Field {
        /// The name as stored (`StoredFieldName`), and where its bytes are: in `StoredFieldName.knownBytes` for a
        /// name stored by number, else in the state.
        var stored: Range<Int>
        var name: Range<Int>
        /// For a name stored by number, its index in `StoredFieldName.known`.
        var known: Int?
        /// The version's origin index, sequence number and time as stored; for a version stored as a reference to
        /// the one before it, those of that version.
        var version: Range<Int>
        var origin: UInt64
        var seq: UInt64
        /// The encoded value, its tag included.
        var value: Range<Int>
        /// Stored as a reference to the version before it (`StoredEncoding.previousSlotsChange`).
        var sharesPrevious: Bool
    }

    /// A field a write assigns, encoded in the writer's buffer as a change's assignments are: its name in full
    /// (length prefix included), the name's bytes alone, and its encoded value; the number a state names it by, if
    /// it has one; and whether it replaces a field the state holds.
    struct Assigned {
        var stored: Range<Int>
        var name: Range<Int>
        var value: Range<Int>
        var number: Int?
        var replaces: Bool
    }

    /// The version a write gives the fields it assigns.
    struct Version {
        var origin: Int64
        var seq: UInt64
        var time: Int64
    }

    let bytes: [UInt8]
    private(set) var fields: [Field]

    /// The state of a record the replica does not hold yet.
    static let empty = PlainStoredState(bytes: [], fields: [])

    private init(bytes: [UInt8], fields: [Field]) {
        self.bytes = bytes
        self.fields = fields
    }

    /// Reads `bytes` in place; nil when the state is not plain or cannot be read (the general path then reads it,
    /// and reports damage).
    init?(_ bytes: [UInt8]) {
        var reader = BinaryReader(bytes)
        var fields: [Field] = []
        do {
            let count = try reader.count(max: bytes.count)
            fields.reserveCapacity(count)
            for _ in 0..<count {
                let start = reader.offset
                let (name, known): (Range<Int>, Int?) =
                    switch try StoredFieldName.read(&reader) {
                    case .known(let index): (StoredFieldName.knownRanges[index], index)
                    case .inState(let range): (range, nil)
                    }
                let stored = start..<reader.offset
                guard try reader.varint() == 1 else { return nil }
                let versionStart = reader.offset
                let origin = try reader.varint()
                if origin == StoredEncoding.previousSlotsChange {
                    guard let previous = fields.last else { return nil }
                    fields.append(
                        Field(
                            stored: stored, name: name, known: known, version: previous.version, origin: previous.origin,
                            seq: previous.seq, value: try reader.valueRange(), sharesPrevious: true))
                    continue
                }
                let seq = try reader.varint()
                _ = try reader.signed()
                let version = versionStart..<reader.offset
                let value = try reader.valueRange()
                guard try reader.varint() == 0 else { return nil }
                fields.append(
                    Field(
                        stored: stored, name: name, known: known, version: version, origin: origin, seq: seq,
                        value: value, sharesPrevious: false))
            }
        } catch {
            return nil
        }
        guard reader.isAtEnd else { return nil }
        let plain = Self.withNames(bytes) { names in
            Self.removedField.withUnsafeBufferPointer { removed in
                var previous: Field?
                for field in fields {
                    defer { previous = field }
                    // A known name is ASCII and not empty, and two are ordered by rank.
                    if let known = field.known {
                        guard known != StoredFieldName.removedIndex else { return false }
                        if let before = previous?.known {
                            guard StoredFieldName.knownRanks[before] < StoredFieldName.knownRanks[known] else { return false }
                            continue
                        }
                    } else {
                        let name = names(field)
                        guard !name.isEmpty, Self.isASCII(UnsafeRawBufferPointer(name)), !ByteOrder.equal(name, removed) else { return false }
                    }
                    if let previous, ByteOrder.compare(names(previous), names(field)) >= 0 { return false }
                }
                return true
            }
        }
        guard plain else { return nil }
        self.init(bytes: bytes, fields: fields)
    }

    private static let removedField = Array(Change.removedField.utf8)

    /// Runs `body` with a function that gives a field's name bytes, wherever they are.
    private static func withNames<Result>(
        _ bytes: [UInt8], _ body: ((Field) -> UnsafeBufferPointer<UInt8>) -> Result
    ) -> Result {
        bytes.withUnsafeBufferPointer { stored in
            StoredFieldName.knownBytes.withUnsafeBufferPointer { knownBytes in
                body { UnsafeBufferPointer(rebasing: ($0.known != nil ? knownBytes : stored)[$0.name]) }
            }
        }
    }

    static func isASCII(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { isASCII(UnsafeRawBufferPointer($0)) }
    }

    /// Eight bytes at a time: a changed description or narrative is checked on both sides of every edit.
    static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset + 8 <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { return false }
            offset += 8
        }
        while offset < bytes.count {
            if bytes[offset] >= 0x80 { return false }
            offset += 1
        }
        return true
    }

    /// Whether two texts are the same UTF-8 bytes, compared in place (a walk over `String.UTF8View` was most of
    /// checking a write's field names).
    static func sameBytes(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { lhs in rhs.withUTF8 { ByteOrder.equal(lhs, $0) } }
    }

    /// Where the field named `name` is, if the state has it; `number` is the name's `StoredFieldName` number.
    /// Names are asked in order: the search starts at `from`, which moves past the fields that sort before `name`,
    /// so a write's sorted fields are found in one walk over the state's.
    func index(of name: String, number: Int?, from: inout Int) -> Int? {
        if let number {
            // Known names on both sides compare by rank; the bytes decide from the first name the state holds in full.
            let rank = StoredFieldName.knownRanks[number - 1]
            while from < fields.count, let known = fields[from].known {
                let order = StoredFieldName.knownRanks[known] - rank
                if order == 0 { return from }
                if order > 0 { return nil }
                from += 1
            }
        }
        var name = name
        return name.withUTF8 { wanted in
            Self.withNames(bytes) { names in
                while from < fields.count {
                    let order = ByteOrder.compare(names(fields[from]), wanted)
                    if order == 0 { return from }
                    if order > 0 { return nil }
                    from += 1
                }
                return nil
            }
        }
    }

    /// Whether the field at `index` holds exactly the bytes `BinaryWriter.value` writes for `value`, read in place.
    func holdsEncoding(of value: FieldValue, at index: Int) -> Bool {
        bytes.withUnsafeBufferPointer { stored in
            var cursor = ValueCursor(UnsafeBufferPointer(rebasing: stored[fields[index].value]))
            return cursor.matches(value) && cursor.isAtEnd
        }
    }

    /// Whether the field at `index` holds a text or list equal to `value` in Unicode (`String`'s `==`) although its
    /// bytes differ: never the case when both are ASCII, so only other texts are decoded to be compared.
    func holdsEqualText(_ value: FieldValue, at index: Int) -> Bool {
        let stored = fields[index].value
        let storedIsASCIIText = bytes.withUnsafeBufferPointer { bytes in
            var cursor = ValueCursor(UnsafeBufferPointer(rebasing: bytes[stored]))
            return cursor.isASCIIText(like: value)
        }
        guard let storedIsASCIIText else { return false }
        let ascii: Bool
        switch value {
        case .text(let text): ascii = Self.isASCII(text)
        case .list(let items): ascii = items.allSatisfy(Self.isASCII)
        default: return false
        }
        if ascii && storedIsASCIIText { return false }
        var reader = BinaryReader(bytes, from: stored.lowerBound, count: stored.count)
        return (try? reader.value()) == value
    }

    /// The state after a change that wrote `assignments` (sorted by name, ASCII, none of them the removal marker,
    /// encoded in `buffer`) as the version `version`.
    func rewritten(_ assignments: [Assigned], in buffer: [UInt8], version: Version) -> [UInt8] {
        Self.withNames(bytes) { names in
            bytes.withUnsafeBufferPointer { stored in
                buffer.withUnsafeBufferPointer { assigned in
                    rewritten(assignments, stored: stored, names: names, assigned: assigned, version: version)
                }
            }
        }
    }

    private func rewritten(
        _ assignments: [Assigned], stored: UnsafeBufferPointer<UInt8>, names: (Field) -> UnsafeBufferPointer<UInt8>,
        assigned: UnsafeBufferPointer<UInt8>, version: Version
    ) -> [UInt8] {
        func storedBytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: stored[range]) }
        func assignedBytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: assigned[range]) }
        // The merge of the stored fields and the assigned ones, by name: for each, whether it is an assigned one
        // and whether it replaces the stored field at the same place.
        func next(_ old: Int, _ new: Int) -> (takesAssigned: Bool, replaces: Bool) {
            if old == fields.count { return (true, false) }
            if new == assignments.count { return (false, false) }
            let order = ByteOrder.compare(names(fields[old]), assignedBytes(assignments[new].name))
            return order == 0 ? (true, true) : (order > 0, false)
        }
        var writer = BinaryWriter(capacity: stored.count + assigned.count + 8 + 24 * assignments.count)
        writer.varint(fields.count + assignments.count(where: { !$0.replaces }))
        var old = 0
        var new = 0
        // Whether what was written just before is a version of this change, or the stored field before this one.
        var previousIsNew = false
        var previousKept: Int?
        while old < fields.count || new < assignments.count {
            let step = next(old, new)
            if step.takesAssigned {
                if let number = assignments[new].number {
                    writer.varint(0)
                    writer.varint(number)
                } else {
                    writer.raw(assignedBytes(assignments[new].stored))
                }
                writer.varint(1)
                if previousIsNew {
                    writer.varint(StoredEncoding.previousSlotsChange)
                    writer.raw(assignedBytes(assignments[new].value))
                } else {
                    writer.varint(UInt64(version.origin))
                    writer.varint(version.seq)
                    writer.signed(version.time)
                    writer.raw(assignedBytes(assignments[new].value))
                    writer.varint(0)
                }
                if step.replaces { old += 1 }
                new += 1
                previousIsNew = true
                previousKept = nil
            } else {
                let field = fields[old]
                writer.raw(storedBytes(field.stored))
                writer.varint(1)
                // A reference to the version before stays one only if that version is still written just before.
                if field.sharesPrevious, previousKept == old - 1 {
                    writer.varint(StoredEncoding.previousSlotsChange)
                    writer.raw(storedBytes(field.value))
                } else {
                    writer.raw(storedBytes(field.version))
                    writer.raw(storedBytes(field.value))
                    writer.varint(0)
                }
                previousIsNew = false
                previousKept = old
                old += 1
            }
        }
        return writer.bytes
    }
}
