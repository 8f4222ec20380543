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
        if let named = named(flag, environment: environment) { return named }
        if replicaOwner(in: serviceDirectory) == userID { return serviceDirectory }
        if let path = environment["XDG_DATA_HOME"], !path.isEmpty {
            return URL(fileURLWithPath: path).appendingPathComponent("napsync")
        }
        let home = environment["HOME"] ?? NSHomeDirectory()
        return URL(fileURLWithPath: home).appendingPathComponent(".local/share/napsync")
    }

    /// The directory the flag, `NAPSYNC_DATA_DIR` or systemd names; nil when a default applies.
    private static func named(_ flag: String?, environment: [String: String]) -> URL? {
        if let flag, !flag.isEmpty { return URL(fileURLWithPath: flag) }
        if let path = environment["NAPSYNC_DATA_DIR"], !path.isEmpty { return URL(fileURLWithPath: path) }
        if let path = environment["STATE_DIRECTORY"]?.split(separator: ":").first { return URL(fileURLWithPath: String(path)) }
        return nil
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
            replicaOwner(in: directory).map { ServiceReplica(directory: directory, isOwnedByCaller: $0 == userID) }
        }
    }

    /// What to tell someone whose command found no replica in `missing`: where this host's service replicas are
    /// and how to reach them, when `missing` was a default (not named by `flag` or the environment). Nil otherwise,
    /// or when the host has none.
    public static func hintForMissingReplica(
        in missing: String, flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        serviceDirectory: URL = service, userID: uid_t = getuid()
    ) -> String? {
        guard named(flag, environment: environment) == nil else { return nil }
        return serviceHint(missing: missing, replicas: serviceReplicas(userID: userID, serviceDirectory: serviceDirectory))
    }

    /// The message of `hintForMissingReplica` for these replicas; nil when there are none.
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

    /// Who owns the replica in `directory`, if there is one. Only its owner uses the service's replica by default:
    /// root or another user running a command there would leave files the service cannot open.
    private static func replicaOwner(in directory: URL) -> uid_t? {
        var status = stat()
        guard stat(directory.appendingPathComponent(Replica.databaseFileName).path, &status) == 0 else { return nil }
        return status.st_uid
    }
}
