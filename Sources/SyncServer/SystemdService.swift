import Logging
import ServiceLifecycle

/// Tells systemd about the daemon's life: watchdog pings at half of `WATCHDOG_USEC` while running, and `STOPPING=1`
/// as soon as graceful shutdown starts. (`READY=1` is sent by the daemon once the HTTP server listens.)
///
/// Place it last in the `ServiceGroup` so that it is the first to hear of shutdown.
public struct SystemdService<C: Clock>: Service where C.Duration == Duration {
    let notifier: SystemdNotifier
    let clock: C
    let logger: Logger
    let onStopping: @Sendable () -> Void

    public init(notifier: SystemdNotifier, clock: C, logger: Logger, onStopping: @escaping @Sendable () -> Void = {}) {
        self.notifier = notifier
        self.clock = clock
        self.logger = logger
        self.onStopping = onStopping
    }

    public func run() async throws {
        if let interval = notifier.watchdogInterval, notifier.isEnabled {
            let period = interval / 2
            logger.debug("systemd watchdog enabled", metadata: ["napsync.watchdog_ping": "\(period)"])
            while !Task.isShuttingDownGracefully {
                if let error = notifier.notify("WATCHDOG=1") {
                    logger.warning("systemd watchdog ping failed", metadata: ["error": "\(error)"])
                }
                do {
                    try await cancelWhenGracefulShutdown { try await clock.sleep(for: period) }
                } catch {
                    break
                }
            }
        } else {
            try? await gracefulShutdown()
        }
        onStopping()
        notifier.notify("STOPPING=1\nSTATUS=shutting down")
    }
}
