import Foundation

/// Timing and memory readings.
public enum Measure {
    /// Seconds `body` took on the continuous clock.
    @discardableResult
    public static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        return (clock.now - start).seconds
    }

    /// Runs `body` with the peak resident set reset first; returns the rise of the peak above the resident
    /// size at the start, in bytes (nil where the platform does not tell).
    public static func peakResidentRise(_ body: () throws -> Void) rethrows -> Int? {
        let reset = ProcessMemory.resetPeak()
        let before = ProcessMemory.resident()
        try body()
        guard reset, let before, let peak = ProcessMemory.peakResident() else { return nil }
        return max(0, peak - before)
    }
}

extension Duration {
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
    }
}

/// The process's resident memory, from `/proc/self/status` (Linux).
public enum ProcessMemory {
    /// Resets the kernel's peak resident size (`VmHWM`) to the current size; false if not possible.
    public static func resetPeak() -> Bool {
        #if os(Linux)
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        return (try? handle.write(contentsOf: Data("5".utf8))) != nil
        #else
        return false
        #endif
    }

    /// The peak resident size since start or the last reset, in bytes.
    public static func peakResident() -> Int? { status("VmHWM") }

    /// The current resident size, in bytes.
    public static func resident() -> Int? { status("VmRSS") }

    /// The peak resident size of another process over its life, in bytes.
    public static func peakResident(process id: Int32) -> Int? { status("VmHWM", of: "\(id)") }

    /// The current resident size of another process, in bytes.
    public static func resident(process id: Int32) -> Int? { status("VmRSS", of: "\(id)") }

    private static func status(_ key: String, of process: String = "self") -> Int? {
        #if os(Linux)
        guard let text = try? String(contentsOfFile: "/proc/\(process)/status", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let digits = line.dropFirst(key.count + 1).filter(\.isNumber)
            return Int(digits).map { $0 * 1024 }
        }
        return nil
        #else
        return nil
        #endif
    }
}

/// Samples of one quantity, one per round.
public struct Samples: Sendable {
    public private(set) var values: [Double] = []

    public init(_ values: [Double] = []) { self.values = values }

    public mutating func append(_ value: Double) { values.append(value) }

    public var median: Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    public var min: Double { values.min() ?? .nan }
    public var max: Double { values.max() ?? .nan }
}
