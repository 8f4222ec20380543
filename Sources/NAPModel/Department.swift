/// A federal department that carries out lines of action of the plan.
///
/// The raw value is the stable slug used on the command line, in record keys and on the wire.
/// Federal Police, CGRS, the Office for Foreigners and Fedasil sit under Interior but report as
/// departments of their own.
public enum Department: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case foreignAffairs = "foreign-affairs"
    case development = "development"
    case defence = "defence"
    case interior = "interior"
    case federalPolice = "federal-police"
    case cgrs = "cgrs"
    case officeForForeigners = "office-for-foreigners"
    case fedasil = "fedasil"
    case justice = "justice"
    case equality = "equality"

    /// The name a report or a person uses.
    public var displayName: String {
        switch self {
        case .foreignAffairs: "Foreign Affairs"
        case .development: "Development Cooperation"
        case .defence: "Defence"
        case .interior: "Interior"
        case .federalPolice: "Federal Police"
        case .cgrs: "CGRS"
        case .officeForForeigners: "Office for Foreigners"
        case .fedasil: "Fedasil"
        case .justice: "Justice"
        case .equality: "Equality"
        }
    }

    /// The department this one belongs to, if it is part of a larger one.
    public var parent: Department? {
        switch self {
        case .federalPolice, .cgrs, .officeForForeigners, .fedasil: .interior
        default: nil
        }
    }

    /// Parses a slug, case-insensitively; throws an error listing the valid names otherwise.
    public init(parsing text: String) throws(ModelError) {
        guard let department = Department(rawValue: text.lowercased()) else {
            throw ModelError.unknownDepartment(text)
        }
        self = department
    }

    public static func < (lhs: Department, rhs: Department) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// Who owns a record: a department, or the coordinator (for its own review records).
public enum Owner: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    case department(Department)
    case coordinator

    public static let coordinatorSlug = "coordinator"

    public init?(slug: String) {
        if slug == Owner.coordinatorSlug {
            self = .coordinator
        } else if let department = Department(rawValue: slug) {
            self = .department(department)
        } else {
            return nil
        }
    }

    public var slug: String {
        switch self {
        case .department(let department): department.rawValue
        case .coordinator: Owner.coordinatorSlug
        }
    }

    public var description: String { slug }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let slug = try container.decode(String.self)
        guard let owner = Owner(slug: slug) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "unknown owner '\(slug)'")
        }
        self = owner
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(slug)
    }

    public static func < (lhs: Owner, rhs: Owner) -> Bool { lhs.slug < rhs.slug }
}
