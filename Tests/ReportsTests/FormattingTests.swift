import Reports
import Testing

@Suite("Formatting: euros, shares")
struct FormattingTests {
    @Test(arguments: [
        (Int64(0), "€0.00"), (5, "€0.05"), (100, "€1.00"), (123_456_789, "€1,234,567.89"), (-1_050, "-€10.50"),
        (100_000, "€1,000.00"),
    ])
    func euros(cents: Int64, text: String) {
        #expect(Euro.text(cents: cents) == text)
    }

    @Test func plainEurosForSpreadsheets() {
        #expect(Euro.plain(cents: 123_456_789) == "1234567.89")
        #expect(Euro.plain(cents: 7) == "0.07")
    }

    @Test(arguments: [
        (Int64(1), Int64(3), "33.3%"), (2, 3, "66.7%"), (1, 8, "12.5%"), (1, 1, "100.0%"), (0, 5, "0.0%"),
        (1, 2000, "0.1%"), (1, 2001, "0.0%"),
    ])
    func shares(part: Int64, total: Int64, text: String) {
        #expect(Share(part, of: total)?.description == text)
    }

    @Test func noShareOfNothing() {
        #expect(Share(0, of: 0) == nil)
    }
}
