import Foundation

/// Where a node keeps its replica when no `--data-dir` is given.
public enum DataDirectory {
    /// `NAPSYNC_DATA_DIR`, else systemd's `STATE_DIRECTORY` (a service), else `$XDG_DATA_HOME/napsync`,
    /// else `~/.local/share/napsync`.
    public static func resolve(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let flag, !flag.isEmpty { return URL(fileURLWithPath: flag) }
        if let path = environment["NAPSYNC_DATA_DIR"], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let path = environment["STATE_DIRECTORY"]?.split(separator: ":").first { return URL(fileURLWithPath: String(path)) }
        if let path = environment["XDG_DATA_HOME"], !path.isEmpty {
            return URL(fileURLWithPath: path).appendingPathComponent("napsync")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/napsync")
    }
}
