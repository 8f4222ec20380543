import NAPModel
@testable import SyncCore
import Testing

/// `BinaryReader` and `ValueCursor` read varints through one function (`Varint`), so they refuse the same bytes.
@Suite struct VarintTests {
    @Test(arguments: [UInt64(0), 1, 127, 128, 300, 1 << 62, UInt64.max])
    func whatTheWriterWritesReadsBack(value: UInt64) throws {
        var writer = BinaryWriter()
        writer.varint(value)
        var reader = BinaryReader(writer.bytes)
        #expect(try reader.varint() == value)
        #expect(reader.isAtEnd)
    }

    @Test func aTruncatedOrOverlongVarintIsRefused() throws {
        let truncated: [UInt8] = [0x80, 0x80]
        // Ten bytes whose last carries more than the 64th bit
        let overlong: [UInt8] = Array(repeating: 0xFF, count: 9) + [0x02]
        for bytes in [truncated, overlong] {
            var reader = BinaryReader(bytes)
            #expect(throws: BinaryReader.Error.self) { try reader.varint() }
        }
        // The largest that fits still reads
        var reader = BinaryReader(Array(repeating: 0xFF, count: 9) + [0x01])
        #expect(try reader.varint() == UInt64.max)
    }

    @Test func aStoredIntegerWithAnOverlongVarintMatchesNothing() {
        // Given an integer value whose varint is too long: its low 63 bits read as the zigzag of -2^62
        let damaged: [UInt8] = [3] + Array(repeating: 0xFF, count: 9) + [0x02]
        var wellFormed = BinaryWriter()
        wellFormed.value(.int(-(1 << 62)))
        // Then the value the bits would give is matched only by its well-formed encoding, and the reader refuses it
        #expect(wellFormed.bytes.withUnsafeBufferPointer { var cursor = ValueCursor($0); return cursor.matches(.int(-(1 << 62))) })
        #expect(!damaged.withUnsafeBufferPointer { var cursor = ValueCursor($0); return cursor.matches(.int(-(1 << 62))) })
        var reader = BinaryReader(damaged)
        #expect(throws: BinaryReader.Error.self) { try reader.value() }
    }
}
