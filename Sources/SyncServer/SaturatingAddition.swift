extension FixedWidthInteger {
    /// `self + other`, or the largest value where that would overflow: for counts and clocks a peer or a hand-edited
    /// file reports, which may be anything.
    func addingSaturating(_ other: Self) -> Self {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? (other > 0 ? .max : .min) : sum
    }
}
