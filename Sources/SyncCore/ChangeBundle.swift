import Foundation
import NAPModel

/// A file of change sets for transfer by hand (USB stick, air-gapped networks).
///
/// Layout: the magic `NAPB`, a format version byte, then each change set as a LEB128 length followed by its
/// bytes, and a zero length that marks the end, so a truncated file is detected. Change sets are written and
/// read one at a time, so neither side holds the whole bundle in memory.
public enum ChangeBundle {
    public static let magic: [UInt8] = Array("NAPB".utf8)
    public static let version: UInt8 = 1

    /// Writes everything a peer holding `peerClock` lacks (everything, for an empty clock) to `url`, atomically:
    /// a partial file is never left under the final name. Returns the number of changes and change sets.
    @discardableResult
    public static func write(
        from replica: some ChangeSetExchange, for peerClock: VectorClock, to url: URL, chunkSize: Int = Replica.defaultChunkSize,
        emptySet: () throws -> Data, progress: (Int) -> Void = { _ in }
    ) throws -> (changes: Int, changeSets: Int) {
        // None would make empty change sets for ever.
        guard chunkSize >= 1 else {
            throw ReplicaError.invalid(.invalidField(field: "chunk size", value: String(chunkSize), expected: "at least 1 change per change set"))
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ReplicaError.unwritableFile(
                path: url.path, reason: "it is a directory; name the bundle file, for example \(url.appendingPathComponent("bundle.napb").path)")
        }
        let partial = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil) else {
            throw ReplicaError.unwritableFile(
                path: url.path,
                reason: "cannot create \(partial.lastPathComponent) beside it; check that its directory exists and that you may write there")
        }
        let handle = try FileHandle(forWritingTo: partial)
        defer { try? FileManager.default.removeItem(at: partial) }
        var header = BinaryWriter()
        header.raw(magic)
        header.byte(version)
        try handle.write(contentsOf: header.bytes)
        var clock = peerClock
        var changes = 0
        var sets = 0
        func append(_ data: Data) throws {
            var length = BinaryWriter()
            length.varint(data.count)
            try handle.write(contentsOf: length.bytes)
            try handle.write(contentsOf: data)
            sets += 1
        }
        while let outgoing = try replica.changeSet(missingFrom: clock, maxChanges: chunkSize, compression: .compact) {
            try append(outgoing.data)
            changes += outgoing.changeCount
            clock = outgoing.peerClockAfter
            progress(changes)
            if !outgoing.hasMore { break }
        }
        // A bundle always holds at least one change set, so that the importer learns the sender and dataset.
        if sets == 0 { try append(try emptySet()) }
        try handle.write(contentsOf: [0])
        try handle.synchronize()
        try handle.close()
        // rename(2) replaces an earlier bundle in one step: there is always a whole bundle under the name.
        guard rename(partial.path, url.path) == 0 else {
            throw ReplicaError.unwritableFile(
                path: url.path, reason: "\(String(cString: strerror(errno))); check that you may write in its directory")
        }
        syncDirectory(of: url)
        return (changes, sets)
    }

    /// Makes the bundle's name durable, as its contents are: a rename is recorded in the directory.
    private static func syncDirectory(of url: URL) {
        let descriptor = open(url.deletingLastPathComponent().path, O_RDONLY)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        _ = close(descriptor)
    }

    /// Reads a bundle's change sets one at a time.
    public struct Reader {
        private let handle: FileHandle
        private let label: String
        private let limits: ChangeSetFormat.Limits
        private var finished = false

        public init(url: URL, limits: ChangeSetFormat.Limits = .default) throws {
            label = url.lastPathComponent
            self.limits = limits
            do {
                handle = try FileHandle(forReadingFrom: url)
            } catch {
                let reason = FileManager.default.fileExists(atPath: url.path) ? "permission denied or not a regular file" : "no such file"
                throw ReplicaError.unreadableFile(path: url.path, reason: reason)
            }
            let header = try handle.read(upToCount: 5) ?? Data()
            guard header.count == 5, Array(header.prefix(4)) == ChangeBundle.magic else {
                throw ReplicaError.malformedChangeSet(sender: label, reason: "not a napsync bundle")
            }
            let version = header[header.startIndex + 4]
            guard version == ChangeBundle.version else {
                let advice = version > ChangeBundle.version ? "it was written by a newer napsync; upgrade this one" : "the file is damaged"
                throw ReplicaError.malformedChangeSet(sender: label, reason: "unknown bundle version \(version) (this napsync reads \(ChangeBundle.version)): \(advice)")
            }
        }

        /// The next change set, or nil after the end marker. Throws on truncation or an oversized entry.
        public mutating func next() throws -> Data? {
            guard !finished else { return nil }
            // The prefix's bytes, read one at a time up to a varint's longest, then read as `BinaryReader` reads one.
            var prefix: [UInt8] = []
            while prefix.count < Varint.maxLength {
                guard let byte = try handle.read(upToCount: 1)?.first else { throw truncated() }
                prefix.append(byte)
                if byte & 0x80 == 0 { break }
            }
            var offset = 0
            guard case .success(let length) = Varint.read(prefix, at: &offset, end: prefix.count) else {
                throw ReplicaError.malformedChangeSet(sender: label, reason: "bad length prefix")
            }
            if length == 0 {
                finished = true
                guard (try handle.read(upToCount: 1) ?? Data()).isEmpty else {
                    throw ReplicaError.malformedChangeSet(sender: label, reason: "trailing bytes after the end marker")
                }
                return nil
            }
            guard length <= UInt64(limits.maxEncodedBytes) else {
                throw ReplicaError.malformedChangeSet(sender: label, reason: "a change set of \(length) bytes exceeds the limit of \(limits.maxEncodedBytes)")
            }
            let data = try handle.read(upToCount: Int(length)) ?? Data()
            guard data.count == Int(length) else { throw truncated() }
            return data
        }

        private func truncated() -> ReplicaError {
            .malformedChangeSet(sender: label, reason: "the bundle is truncated (no end marker)")
        }
    }
}
