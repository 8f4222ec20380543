import ArgumentParser

@main
struct Napsync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "napsync",
        abstract: "Keep one National Action Plan dataset across departments that work offline.",
        subcommands: [
            InitCommand.self, RecordCommand.self, ShowCommand.self, StatusCommand.self, ConflictsCommand.self,
            BundleCommand.self, ExportCommand.self, PlanCommand.self, ServeCommand.self, SyncCommand.self, ReportCommand.self,
        ]
    )
}
