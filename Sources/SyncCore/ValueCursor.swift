import Foundation
import NAPModel

/// Reads an encoded value in place, to compare it with a `FieldValue` without decoding it.
struct ValueCursor {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var offset = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    var isAtEnd: Bool { offset == bytes.count }

    /// Whether the bytes ahead are `BinaryWriter.value`'s encoding of `value`; moves past what matched.
    mutating func matches(_ value: FieldValue) -> Bool {
        switch value {
        case .null: return next(0)
        case .bool(let flag): return next(flag ? 2 : 1)
        case .int(let number): return next(3) && varint() == UInt64(bitPattern: (number << 1) ^ (number >> 63))
        case .text(let text): return next(4) && matches(text)
        case .list(let items):
            guard next(5), varint() == UInt64(items.count) else { return false }
            return items.allSatisfy { matches($0) }
        }
    }

    /// For a stored text or list of the same kind as `value`: whether its texts are ASCII alone (read past, length
    /// prefixes aside). Nil when the stored value is of another kind, or unreadable: it cannot equal `value` then.
    mutating func isASCIIText(like value: FieldValue) -> Bool? {
        let count: UInt64
        switch value {
        case .text:
            guard next(4) else { return nil }
            count = 1
        case .list:
            guard next(5), let items = varint() else { return nil }
            count = items
        default:
            return nil
        }
        var ascii = true
        for _ in 0..<count {
            guard let length = varint(), length <= UInt64(bytes.count - offset) else { return nil }
            let end = offset + Int(length)
            if ascii { ascii = PlainStoredState.isASCII(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[offset..<end])) }
            offset = end
        }
        return ascii
    }

    private mutating func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            guard varint() == UInt64(utf8.count), utf8.count <= bytes.count - offset else { return false }
            defer { offset += utf8.count }
            return ByteOrder.equal(UnsafeBufferPointer(rebasing: bytes[offset..<(offset + utf8.count)]), utf8)
        }
    }

    private mutating func next(_ byte: UInt8) -> Bool {
        guard offset < bytes.count, bytes[offset] == byte else { return false }
        offset += 1
        return true
    }

    private mutating func varint() -> UInt64? {
        try? Varint.read(bytes, at: &offset, end: bytes.count).get()
    }
}
