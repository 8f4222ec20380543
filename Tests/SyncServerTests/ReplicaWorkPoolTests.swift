import SyncServer
import Testing

@Suite struct ReplicaWorkPoolTests {
    @Test func aSmallMachineGetsEnoughThreadsToWaitForTheDisk() {
        #expect(ReplicaWorkPool.threadCount(cores: 1) == 8)
        #expect(ReplicaWorkPool.threadCount(cores: 2) == 8)
        #expect(ReplicaWorkPool.threadCount(cores: 16) == 64)
    }
}
