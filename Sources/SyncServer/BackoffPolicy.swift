/// How long to wait before retrying an unreachable peer: exponential, capped, with jitter so that nodes that lost
/// the same peer do not retry in lock step.
///
/// After the n-th consecutive failure the wait is a random time between half and all of
/// `min(maximum, minimum * 2^(n-1))`.
public struct BackoffPolicy: Sendable, Equatable {
    public var minimum: Duration
    public var maximum: Duration

    public init(minimum: Duration, maximum: Duration) {
        precondition(minimum > .zero && maximum >= minimum, "backoff bounds must satisfy 0 < minimum <= maximum")
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The cap before jitter for the n-th consecutive failure (n >= 1).
    public func ceiling(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 40)
        let scaled = minimum.seconds * Double(1 << exponent)
        return scaled >= maximum.seconds ? maximum : minimum * (1 << exponent)
    }

    /// The wait after the n-th consecutive failure; `unit` draws a number in `0...1` (injected so tests are exact).
    public func delay(afterFailures failures: Int, unit: () -> Double) -> Duration {
        let ceiling = ceiling(afterFailures: failures)
        let fraction = 0.5 + 0.5 * min(max(unit(), 0), 1)
        return ceiling * fraction
    }
}
