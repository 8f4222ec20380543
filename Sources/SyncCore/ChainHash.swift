import Crypto
import Foundation

/// A SHA-256 value of the change chain (a change's digest or a chain value), held inline.
///
/// Every received change has two of these. As `Data` each one was two heap allocations (a storage object and
/// its bytes, as `Data` keeps at most 14 bytes inline); here it is four words on the stack.
public struct ChainHash: Sendable, Hashable {
    private var words: (UInt64, UInt64, UInt64, UInt64)

    public static let byteCount = 32

    init(_ digest: SHA256.Digest) {
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in digest.withUnsafeBytes { target.copyMemory(from: $0) } }
    }

    /// The value in `bytes`, which must be exactly 32 bytes long.
    public init?(_ bytes: some DataProtocol) {
        guard bytes.count == Self.byteCount else { return nil }
        words = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &words) { target in _ = bytes.copyBytes(to: target) }
    }

    public func withUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try Swift.withUnsafeBytes(of: words, body)
    }

    /// The 32 bytes, as stored and sent.
    public var data: Data { withUnsafeBytes { Data($0) } }

    public static func == (lhs: ChainHash, rhs: ChainHash) -> Bool {
        lhs.words.0 == rhs.words.0 && lhs.words.1 == rhs.words.1 && lhs.words.2 == rhs.words.2 && lhs.words.3 == rhs.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
