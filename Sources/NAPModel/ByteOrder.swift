import Foundation

/// Texts and keys compared as their UTF-8 bytes, which is how the replica stores, keys and sends them (`String`'s
/// own comparison follows Unicode, for which two different byte sequences can be one text).
public enum ByteOrder {
    /// Negative, zero or positive as `lhs` sorts before, equal to or after `rhs`; a prefix sorts first.
    @inlinable
    public static func compare(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Int {
        let common = min(lhs.count, rhs.count)
        if common > 0, let left = lhs.baseAddress, let right = rhs.baseAddress {
            let order = memcmp(left, right, common)
            if order != 0 { return Int(order) }
        }
        return lhs.count - rhs.count
    }

    @inlinable
    public static func equal(_ lhs: UnsafeBufferPointer<UInt8>, _ rhs: UnsafeBufferPointer<UInt8>) -> Bool {
        lhs.count == rhs.count && compare(lhs, rhs) == 0
    }
}
