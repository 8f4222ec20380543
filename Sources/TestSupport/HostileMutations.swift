import Crypto
import Foundation
import NAPModel
import SyncCore

/// Ways to damage a valid change set, as a faulty disk, a careless tool or a malicious sender would.
public enum HostileMutations {
    /// Re-seals bytes with a correct SHA-256 trailer, as a malicious sender would.
    public static func reseal(_ bytes: [UInt8]) -> Data {
        let body = bytes.dropLast(32)
        return Data(body) + Data(SHA256.hash(data: Data(body)))
    }

    /// One random damage: flipped bits, truncation, re-sealed edits, huge counts, or a semantically altered
    /// change that keeps the original proof.
    public static func mutate(_ data: Data, _ random: inout SplitMix64) -> Data {
        var bytes = [UInt8](data)
        switch Int.random(in: 0..<6, using: &random) {
        case 0:
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            }
            return Data(bytes)
        case 1:
            return Data(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
        case 2:
            bytes[Int.random(in: 0..<(bytes.count - 32), using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            return reseal(bytes)
        case 3:
            let position = Int.random(in: 6..<(bytes.count - 32), using: &random)
            if Bool.random(using: &random) {
                bytes.insert(contentsOf: (0..<Int.random(in: 1...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }, at: position)
            } else {
                bytes.remove(at: position)
            }
            return reseal(bytes)
        case 4:
            let position = Int.random(in: 6..<(bytes.count - 32), using: &random)
            bytes.replaceSubrange(position..<(position + 1), with: [0xff, 0xff, 0xff, 0xff, 0x0f])
            return reseal(bytes)
        default:
            guard var decoded = try? ChangeSetFormat.decode(data, sender: "fuzz") else { return Data(bytes.reversed()) }
            let index = Int.random(in: 0..<decoded.changes.count, using: &random)
            switch Int.random(in: 0..<4, using: &random) {
            case 0: decoded.changes[index].time += 1
            case 1: decoded.changes[index].record = .entry(.justice, year: 2014, line: "1.a")
            case 2: decoded.changes[index].assignments = [Assignment(field: "status", value: .text("planned"))]
            default: decoded.changes[index].supersedes.append(Dot(origin: decoded.changes[index].origin, seq: 99))
            }
            let proofs = Dictionary(uniqueKeysWithValues: decoded.header.origins.map { ($0.node, $0.proof) })
            let owners = Dictionary(uniqueKeysWithValues: decoded.header.origins.map { ($0.node, $0.owner) })
            return (try? ChangeSetFormat.encode(
                decoded.changes, owners: owners, sender: decoded.header.sender, datasetID: decoded.header.datasetID, proofs: proofs)) ?? data
        }
    }
}
