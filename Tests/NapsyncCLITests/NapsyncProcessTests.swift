import Foundation
import TestSupport
import Testing

/// The helper every test here relies on: it finds the built executable, captures both streams and the exit
/// status, and kills a run that outlives its deadline.
@Suite("NapsyncProcess")
struct NapsyncProcessTests {
    @Test func itFindsTheBuiltExecutableAndCapturesOutputAndStatus() async throws {
        // Given the located executable
        let napsync = try NapsyncProcess()

        // When it runs a command that succeeds and one that is refused
        let help = try await napsync.run(["--help"])
        let refused = try await napsync.run(["no-such-command"])

        // Then stdout, stderr and the exit status of each are captured
        #expect(FileManager.default.isExecutableFile(atPath: napsync.executable.path))
        #expect(help.succeeded)
        #expect(help.output.contains("USAGE: napsync"))
        #expect(!refused.succeeded)
        #expect(refused.errorOutput.contains("no-such-command"))
    }

    @Test func aRunThatOutlivesItsDeadlineIsKilledAndReported() async throws {
        // Given a process that never ends on its own, with a short deadline
        let endless = NapsyncProcess(executable: URL(fileURLWithPath: "/usr/bin/tail"), timeout: .milliseconds(300))

        // When it runs, then the helper kills it and throws, naming the command
        let clock = ContinuousClock()
        let start = clock.now
        await #expect {
            _ = try await endless.run(["-f", "/dev/null"])
        } throws: { error in
            guard case NapsyncProcessError.timedOut(let arguments, _, let partial) = error else { return false }
            return arguments == ["-f", "/dev/null"] && partial.killedBySignal
        }
        // `tail -f` never ends by itself: only the kill can have ended it, however loaded the machine is.
        #expect(clock.now - start < .seconds(120))
    }

    @Test func succeedThrowsWithTheCommandsStderrWhenItFails() async throws {
        // Given the located executable
        let napsync = try NapsyncProcess()

        // When a command that must succeed fails, then the error carries its exit status and stderr
        await #expect {
            try await napsync.succeed(["init", "--department", "navy", "--data-dir", "/nonexistent/napsync"])
        } throws: { error in
            guard case NapsyncProcessError.failed(let result) = error else { return false }
            return result.status != 0 && result.errorOutput.contains("unknown department 'navy'")
        }
    }
}
