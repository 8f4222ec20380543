import CompressNIO
import NAPModel
import NIOCore
import SyncCore

/// The size baseline of issue 3: the bare content of the field changes (record id, field, value) and
/// nothing else, serialised simply and compressed with zlib in one go, at the level the change-set encoder
/// uses.
public enum BareValues {
    /// The deflate level `ChangeSetFormat.encode` uses by default, so both sides compress alike.
    public static let zlibLevel: Int32 = 6

    /// One line per field change: `record<TAB>field<TAB>value<LF>`, with tab, newline and backslash escaped.
    public static func tsv(_ changes: [Change]) -> [UInt8] {
        var out: [UInt8] = []
        for change in changes {
            let record = change.record.description
            for assignment in change.assignments {
                out.append(contentsOf: escaped(record))
                out.append(0x09)
                out.append(contentsOf: escaped(assignment.field))
                out.append(0x09)
                out.append(contentsOf: escaped(text(assignment.value)))
                out.append(0x0A)
            }
        }
        return out
    }

    /// Each of record, field and value as a LEB128 length followed by its UTF-8 bytes.
    public static func lengthPrefixed(_ changes: [Change]) -> [UInt8] {
        var out: [UInt8] = []
        func append(_ string: String) {
            var length = UInt64(string.utf8.count)
            while length >= 0x80 {
                out.append(UInt8(truncatingIfNeeded: length) | 0x80)
                length >>= 7
            }
            out.append(UInt8(length))
            out.append(contentsOf: string.utf8)
        }
        for change in changes {
            let record = change.record.description
            for assignment in change.assignments {
                append(record)
                append(assignment.field)
                append(text(assignment.value))
            }
        }
        return out
    }

    /// zlib (RFC 1950) at `level`, through the same compress-nio path the change-set encoder takes.
    public static func zlib(_ bytes: [UInt8], level: Int32 = zlibLevel) throws -> Int {
        var buffer = ByteBuffer(bytes: bytes)
        return try buffer.compress(with: .zlib(configuration: .init(compressionLevel: level))).readableBytes
    }

    static func text(_ value: FieldValue) -> String {
        switch value {
        case .null: "\\N"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .text(let text): text
        case .list(let items): items.joined(separator: ",")
        }
    }

    private static func escaped(_ string: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count)
        for byte in string.utf8 {
            switch byte {
            case 0x09: out += [0x5C, 0x74]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x5C: out += [0x5C, 0x5C]
            default: out.append(byte)
            }
        }
        return out
    }
}
