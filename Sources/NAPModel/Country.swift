/// Country codes as ISO 3166-1 alpha-3.
public enum Country {
    /// The plan's target countries for Belgian cooperation on women, peace and security, shown first in reports.
    public static let targets: [String] = ["AFG", "COD", "MLI"]

    public static let names: [String: String] = [
        "AFG": "Afghanistan", "COD": "DR Congo", "MLI": "Mali", "BEL": "Belgium",
    ]

    public static func isTarget(_ code: String) -> Bool { targets.contains(code) }

    /// Validates and upper-cases an alpha-3 code; throws naming the field otherwise.
    public static func validate(_ code: String, field: String = "country") throws(ModelError) -> String {
        let upper = code.uppercased()
        guard upper.count == 3, all.contains(upper) else {
            throw .invalidField(field: field, value: code, expected: "an ISO 3166-1 alpha-3 country code such as AFG, COD or MLI")
        }
        return upper
    }

    /// Every officially assigned ISO 3166-1 alpha-3 code.
    public static let all: Set<String> = Set(rows.flatMap { $0.split(separator: " ").map(String.init) })

    private static let rows: [String] = [
        "ABW AFG AGO AIA ALA ALB AND ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN",
        "BES BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN",
        "CCK CHE CHL CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU",
        "DJI DMA DNK DOM DZA ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR",
        "GEO GGY GHA GIB GIN GLP GMB GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV",
        "HTI HUN IDN IMN IND IOT IRL IRN IRQ ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM",
        "KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF MAR MCO MDA",
        "MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MSR MTQ MUS MWI MYS MYT NAM",
        "NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN PER PHL PLW PNG POL",
        "PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SDN SEN SGP SGS SHN SJM SLB SLE",
        "SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK",
        "TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB",
        "VIR VNM VUT WLF WSM YEM ZAF ZMB ZWE",
    ]
}
