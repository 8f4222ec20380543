import Crypto
import CompressNIO
import Foundation
import NAPModel
import NIOCore

/// The binary change-set format (version 1), as `protocol.md` documents it byte by byte.
///
/// A change set is a header a receiver can check before inflating anything (dataset, sender, the per-origin
/// sequence ranges, counts, sizes), a zlib-compressed payload of changes laid out column by column (so that
/// similar bytes sit together and compress well), and a SHA-256 over everything before it.
public enum ChangeSetFormat {
    public static let magic: [UInt8] = Array("NAPS".utf8)
    public static let version: UInt8 = 1

    /// Bounds a receiver enforces before and while decoding.
    public struct Limits: Sendable {
        /// Largest encoded change set accepted.
        public var maxEncodedBytes: Int
        /// Largest inflated payload accepted: the cap that defuses decompression bombs.
        public var maxPayloadBytes: Int
        public var maxChanges: Int

        public init(maxEncodedBytes: Int = 64 << 20, maxPayloadBytes: Int = 256 << 20, maxChanges: Int = 1_000_000) {
            self.maxEncodedBytes = maxEncodedBytes
            self.maxPayloadBytes = maxPayloadBytes
            self.maxChanges = maxChanges
        }

        public static let `default` = Limits()
    }

    /// One origin's contiguous run of changes in the set; `count == 0` for an origin named only as a dependency.
    public struct OriginRange: Sendable, Hashable {
        public var node: NodeID
        /// The owner the origin node writes for (department slug or `coordinator`).
        public var owner: String
        public var firstSeq: UInt64
        public var count: UInt64
        public var proof: OriginProof = OriginProof()

        public var lastSeq: UInt64 { firstSeq + count - 1 }
    }

    /// What proves an origin's changes authentic (see `ChangeChain`): its membership certificate and its signed
    /// checkpoint at or after the last change in the set, with the digests of the changes in between.
    public struct OriginProof: Sendable, Hashable {
        /// The certificate as compact JSON; empty when the origin has none.
        public var certificate: Data = Data()
        /// The checkpoint's sequence number; 0 when unsigned.
        public var checkpointSeq: UInt64 = 0
        /// Digests of the origin's changes after the set's last one, up to the checkpoint.
        public var tail: [ChainHash] = []
        /// The origin's Ed25519 signature over its chain at the checkpoint; empty when unsigned.
        public var signature: Data = Data()

        public init(certificate: Data = Data(), checkpointSeq: UInt64 = 0, tail: [ChainHash] = [], signature: Data = Data()) {
            self.certificate = certificate
            self.checkpointSeq = checkpointSeq
            self.tail = tail
            self.signature = signature
        }
    }

    public struct Header: Sendable, Hashable {
        public var datasetID: String
        public var sender: NodeID
        public var origins: [OriginRange]
        public var changeCount: Int
        public var assignmentCount: Int
    }

    public struct Decoded: Sendable {
        public var header: Header
        public var changes: [Change]
    }

    // MARK: Encoding

    /// Encodes changes that are in an order a receiver can apply (each origin's in sequence, contiguous).
    public static func encode(
        _ changes: [Change], owners: [NodeID: String], sender: NodeID, datasetID: String, level: Int32 = 6,
        proofs: [NodeID: OriginProof] = [:]
    ) throws -> Data {
        var columns = ChangeSetColumns<NodeID>(expectedChanges: changes.count)
        for change in changes {
            columns.beginChange(
                origin: change.origin, seq: change.seq, time: change.time, record: change.record.description,
                assignments: change.assignments.count)
            for assignment in change.assignments { columns.assignment(field: assignment.field, value: assignment.value) }
            columns.context(change.supersedes.lazy.map { (origin: $0.origin, seq: $0.seq) })
        }
        return try seal(columns, node: { $0 }, owners: owners, sender: sender, datasetID: datasetID, level: level, proofs: proofs)
    }

    /// Compresses a built payload and wraps it in the header and the integrity trailer. `node` names each of the
    /// columns' origins.
    static func seal<Origin>(
        _ columns: ChangeSetColumns<Origin>, node: (Origin) throws -> NodeID, owners: [NodeID: String], sender: NodeID,
        datasetID: String, level: Int32, proofs: [NodeID: OriginProof]
    ) throws -> Data {
        var columns = columns
        let payload = columns.payload()
        var compressed = ByteBuffer(bytes: payload)
        let deflated = try compressed.compress(with: .zlib(configuration: .init(compressionLevel: level)))

        var out = BinaryWriter(capacity: deflated.readableBytes + 128)
        out.raw(magic)
        out.byte(version)
        out.byte(0)
        out.string(datasetID)
        out.raw(sender.bytes)
        out.varint(columns.origins.count)
        for run in columns.origins {
            let node = try node(run.origin)
            out.raw(node.bytes)
            out.string(owners[node] ?? "")
            out.varint(run.firstSeq)
            out.varint(run.count)
            let proof = proofs[node] ?? OriginProof()
            out.varint(proof.certificate.count)
            out.raw(proof.certificate)
            out.varint(proof.checkpointSeq)
            out.varint(proof.tail.count)
            for digest in proof.tail { digest.withUnsafeBytes { out.raw($0) } }
            out.varint(proof.signature.count)
            out.raw(proof.signature)
        }
        out.varint(columns.changeCount)
        out.varint(columns.assignmentCount)
        out.varint(payload.count)
        out.varint(deflated.readableBytes)
        out.raw(deflated.readableBytesView)
        out.raw(SHA256.hash(data: out.bytes))
        return Data(out.bytes)
    }

    // MARK: Decoding

    /// Checks, inflates and decodes a change set. Any defect throws; nothing is returned partially.
    public static func decode(_ data: Data, sender label: String, limits: Limits = .default) throws(ReplicaError) -> Decoded {
        var decoder = try open(data, sender: label, limits: limits)
        var changes: [Change] = []
        changes.reserveCapacity(decoder.header.changeCount)
        // At least one read, so that an empty set's payload is checked to its end too.
        repeat { changes += try decoder.next(upTo: 1 << 16) } while !decoder.isAtEnd
        return Decoded(header: decoder.header, changes: changes)
    }

    /// Checks the integrity trailer and the header, and inflates the payload; the changes are then read in
    /// batches from the returned decoder, so that a receiver can apply the first ones while it decodes the rest.
    static func open(_ data: Data, sender label: String, limits: Limits = .default) throws(ReplicaError) -> ChangeDecoder {
        func malformed(_ reason: String) -> ReplicaError { .malformedChangeSet(sender: label, reason: reason) }
        guard data.count <= limits.maxEncodedBytes else {
            throw malformed("it is \(data.count) bytes, over the limit of \(limits.maxEncodedBytes)")
        }
        let bytes = [UInt8](data)
        try checkPrelude(bytes, sender: label)
        let body = bytes[0..<(bytes.count - 32)]
        guard Array(SHA256.hash(data: body)) == Array(bytes[(bytes.count - 32)...]) else {
            throw malformed("integrity check failed: the file is truncated or was altered")
        }
        do {
            var reader = BinaryReader(bytes, from: 6, count: bytes.count - 32 - 6)
            let (header, payloadSize, compressedSize) = try readHeader(&reader, limits: limits, malformed: malformed)
            var compressed = ByteBuffer(bytes: try reader.raw(compressedSize))
            var inflated = ByteBuffer()
            inflated.reserveCapacity(payloadSize)
            do {
                try compressed.decompress(to: &inflated, with: .zlib())
            } catch {
                throw malformed("the compressed payload is corrupt or larger than its declared \(payloadSize) bytes")
            }
            guard inflated.readableBytes == payloadSize else { throw malformed("inflated payload size does not match") }
            return try ChangeDecoder([UInt8](inflated.readableBytesView), header: header, sender: label)
        } catch let error as ReplicaError {
            throw error
        } catch {
            throw malformed("\(error)")
        }
    }

    /// The header of a change set, read without checking its integrity trailer or inflating anything: what a
    /// session needs to know which ranges a pulled chunk covers before it applies the chunk (the apply checks
    /// everything). Nil when the bytes do not start with a well-formed header.
    public static func unverifiedHeader(of data: Data) -> Header? {
        let bytes = [UInt8](data)
        guard (try? checkPrelude(bytes, sender: "")) != nil else { return nil }
        var reader = BinaryReader(bytes, from: 6, count: bytes.count - 32 - 6)
        return try? readHeader(&reader, limits: .default, malformed: { .malformedChangeSet(sender: "", reason: $0) }).header
    }

    /// Checks what precedes the header: the magic, the format version and the flags, and room for the trailer.
    private static func checkPrelude(_ bytes: [UInt8], sender label: String) throws(ReplicaError) {
        guard bytes.count >= magic.count + 2 + 32, Array(bytes[0..<4]) == magic else {
            throw .malformedChangeSet(sender: label, reason: "not a napsync change set (bad magic or too short)")
        }
        guard bytes[4] == version else { throw .unsupportedVersion(sender: label, version: Int(bytes[4])) }
        guard bytes[5] == 0 else {
            throw .malformedChangeSet(sender: label, reason: "unknown flags \(bytes[5]) (reserved, must be 0)")
        }
    }

    /// Reads the header after the magic, version and flags, up to the compressed payload.
    private static func readHeader(
        _ reader: inout BinaryReader, limits: Limits, malformed: (String) -> ReplicaError
    ) throws -> (header: Header, payloadSize: Int, compressedSize: Int) {
        let dataset = try reader.string()
        let sender = NodeID(bytes: try reader.raw(16))
        let originCount = try reader.count(max: reader.remaining / 17)
        var origins: [OriginRange] = []
        for _ in 0..<originCount {
            let node = NodeID(bytes: try reader.raw(16))
            let owner = try reader.string()
            let first = try reader.varint()
            let count = try reader.varint()
            guard count == 0 || first >= 1, first <= UInt64.max - count else { throw malformed("invalid sequence range") }
            var proof = OriginProof()
            proof.certificate = Data(try reader.raw(try reader.count(max: 4096)))
            proof.checkpointSeq = try reader.varint()
            // As many digests as lie between the set's last change and the checkpoint: a relay may cut a long
            // signed run anywhere, so this is bounded by the bytes left, not by a fixed number.
            let tailCount = try reader.count(max: reader.remaining / 32)
            for _ in 0..<tailCount { proof.tail.append(try reader.chainHash()) }
            let signatureLength = try reader.count(max: 64)
            guard signatureLength == 0 || signatureLength == 64 else { throw malformed("a signature must be 64 bytes") }
            proof.signature = Data(try reader.raw(signatureLength))
            origins.append(OriginRange(node: node, owner: owner, firstSeq: first, count: count, proof: proof))
        }
        guard Set(origins.map(\.node)).count == origins.count else { throw malformed("an origin is listed twice") }
        let changeCount = try reader.count(max: limits.maxChanges)
        let assignmentCount = try reader.count(max: Int.max)
        // Each range fits in 64 bits on its own; their sum is checked as it grows, or two huge ranges would trap.
        var total: UInt64 = 0
        for origin in origins {
            let (sum, overflow) = total.addingReportingOverflow(origin.count)
            guard !overflow else { throw malformed("origin ranges do not add up to the change count") }
            total = sum
        }
        guard total == UInt64(changeCount) else { throw malformed("origin ranges do not add up to the change count") }
        let payloadSize = try reader.count(max: limits.maxPayloadBytes)
        let compressedSize = try reader.count(max: reader.remaining)
        guard compressedSize == reader.remaining else { throw malformed("payload size does not match") }
        let header = Header(datasetID: dataset, sender: sender, origins: origins, changeCount: changeCount, assignmentCount: assignmentCount)
        return (header, payloadSize, compressedSize)
    }
}
