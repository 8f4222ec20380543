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

    /// A replica of a napsync service on this host.
    public struct ServiceReplica: Sendable, Equatable {
        public var directory: URL
        /// Whether the user asking owns it (is the service's user).
        public var isOwnedByCaller: Bool

        public init(directory: URL, isOwnedByCaller: Bool) {
            self.directory = directory
            self.isOwnedByCaller = isOwnedByCaller
        }
    }

    /// The service replicas in `serviceDirectory`: its own (`napsync.service`) and those of its subdirectories
    /// (`napsync@INSTANCE.service`).
    public static func serviceReplicas(userID: uid_t = getuid(), serviceDirectory: URL = service) -> [ServiceReplica] {
        let subdirectories = (try? FileManager.default.contentsOfDirectory(atPath: serviceDirectory.path)) ?? []
        let candidates = [serviceDirectory] + subdirectories.sorted().map { serviceDirectory.appendingPathComponent($0) }
        return candidates.compactMap { directory in
            var status = stat()
            guard stat(directory.appendingPathComponent(Replica.databaseFileName).path, &status) == 0 else { return nil }
            return ServiceReplica(directory: directory, isOwnedByCaller: status.st_uid == userID)
        }
    }

    /// What to tell someone whose command found no replica in `missing`, the default directory, on a host that
    /// runs the service: where its replicas are, and how to reach them. Nil when this host has none.
    public static func serviceHint(missing: String, replicas: [ServiceReplica]) -> String? {
        guard !replicas.isEmpty else { return nil }
        let places = replicas.map(\.directory.path).joined(separator: ", ")
        let keeps = replicas.count == 1 ? "keeps its replica in \(places)" : "keeps replicas in \(places)"
        if replicas.contains(where: \.isOwnedByCaller) {
            return "no replica in \(missing). This host's napsync service \(keeps): name one with --data-dir"
        }
        let naming = replicas.count == 1 ? "" : " --data-dir DIR"
        return "no replica in \(missing). This host's napsync service \(keeps): run the command as the service's user "
            + "(`sudo -u napsync napsync ...\(naming)`), or create a node of your own with `napsync init`"
    }

    /// Only the owner: root or another user running a command there would leave files the service cannot open.
    private static func isOwned(_ file: URL, by userID: uid_t) -> Bool {
        var status = stat()
        return stat(file.path, &status) == 0 && status.st_uid == userID
    }
}
