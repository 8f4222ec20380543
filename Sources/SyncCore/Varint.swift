/// Reading the LEB128 varints `BinaryWriter.varint` writes, for `BinaryReader` and `ValueCursor` alike, so that
/// both refuse the same malformed bytes.
enum Varint {
    /// The most bytes a varint of 64 bits takes.
    static let maxLength = 10

    enum Failure: Error {
        /// The bytes ended before the varint did.
        case truncated
        /// The varint does not fit in 64 bits.
        case tooLong
    }

    /// The varint at `offset` in `bytes`, read no further than `end`; `offset` moves past every byte read, up to
    /// the one that made it fail.
    @inline(__always)
    static func read<Bytes: RandomAccessCollection<UInt8>>(
        _ bytes: Bytes, at offset: inout Int, end: Int
    ) -> Result<UInt64, Failure> where Bytes.Index == Int {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < end else { return .failure(.truncated) }
            let next = bytes[offset]
            offset += 1
            guard shift < 64, !(shift == 63 && next > 1) else { return .failure(.tooLong) }
            result |= UInt64(next & 0x7f) << shift
            if next & 0x80 == 0 { return .success(result) }
            shift += 7
        }
    }
}
