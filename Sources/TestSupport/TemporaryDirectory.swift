import Foundation

/// A fresh directory under the system temp folder, removed when `remove()` is called or the value is freed.
public final class TemporaryDirectory: Sendable {
    public let url: URL

    public init(prefix: String = "napsync-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    public func appending(_ component: String) -> URL { url.appendingPathComponent(component) }

    deinit { try? FileManager.default.removeItem(at: url) }
}
