import Foundation

/// Where a node keeps its replica when no `--data-dir` is given.
public enum DataDirectory {
    /// The state directory of `deploy/napsync.service` (`StateDirectory=napsync`).
    public static let service = URL(fileURLWithPath: "/var/lib/napsync")

    /// `NAPSYNC_DATA_DIR`, else systemd's `STATE_DIRECTORY` (a service), else the service's replica in
    /// `serviceDirectory` for the user who owns it (the service user, as in `sudo -u napsync napsync record ...`),
    /// else `$XDG_DATA_HOME/napsync`, else `~/.local/share/napsync`.
    public static func resolve(
        _ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceDirectory: URL = service, userID: uid_t = getuid()
    ) -> URL {
        if let flag, !flag.isEmpty { return URL(fileURLWithPath: flag) }
        if let path = environment["NAPSYNC_DATA_DIR"], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let path = environment["STATE_DIRECTORY"]?.split(separator: ":").first { return URL(fileURLWithPath: String(path)) }
        if isOwned(serviceDirectory.appendingPathComponent(Replica.databaseFileName), by: userID) { return serviceDirectory }
        if let path = environment["XDG_DATA_HOME"], !path.isEmpty {
            return URL(fileURLWithPath: path).appendingPathComponent("napsync")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/napsync")
    }

    /// The service's replica when this host has one that belongs to another user than `userID`: where a command
    /// that found no replica of its own was probably meant to go, as that user (`sudo -u napsync napsync ...`).
    public static func otherUsersServiceReplica(userID: uid_t = getuid(), serviceDirectory: URL = service) -> URL? {
        let file = serviceDirectory.appendingPathComponent(Replica.databaseFileName)
        var status = stat()
        guard stat(file.path, &status) == 0, status.st_uid != userID else { return nil }
        return serviceDirectory
    }

    /// Only the owner: root or another user running a command there would leave files the service cannot open.
    private static func isOwned(_ file: URL, by userID: uid_t) -> Bool {
        var status = stat()
        return stat(file.path, &status) == 0 && status.st_uid == userID
    }
}
