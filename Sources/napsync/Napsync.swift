import ArgumentParser

@main
struct Napsync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "napsync",
        abstract: "Keep one National Action Plan dataset across departments that work offline.",
        discussion: """
            Each department runs a node with its own replica, records progress offline, and syncs when it can: \
            over HTTP (`napsync serve`, `napsync sync`) or with files carried by hand (`napsync bundle`). \
            The coordinator merges everything and writes the reports (`napsync report`).

            First steps: `napsync plan`, `napsync init --department NAME`, `napsync record --help`.
            """,
        subcommands: [
            PlanCommand.self, InitCommand.self, RecordCommand.self, ShowCommand.self, StatusCommand.self,
            ConflictsCommand.self, ExportCommand.self, BundleCommand.self, ServeCommand.self, SyncCommand.self,
            ReportCommand.self, NetworkCommand.self, JoinCommand.self, AdmitCommand.self, RevokeCommand.self,
            QuarantineCommand.self, CheckCommand.self, DemoCommand.self,
        ]
    )
}
