/// Input that the plan or the record rules refuse. Each case names the field and says what is accepted,
/// so the message can be shown to staff as it is.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownDepartment(String)
    case unknownLine(String)
    case unknownInstrument(String)
    case notResponsible(department: Department, line: String, responsible: [Department])
    case invalidField(field: String, value: String, expected: String)
    case planResource(String)

    public var description: String {
        switch self {
        case .unknownDepartment(let name):
            let valid = Department.allCases.map(\.rawValue).joined(separator: ", ")
            return "unknown department '\(name)'; valid departments: \(valid)"
        case .unknownLine(let id):
            return "unknown line of action '\(id)'; `napsync plan` lists the lines (e.g. 1.a, 23.b, 37)"
        case .unknownInstrument(let id):
            return "unknown monitoring instrument '\(id)'; `napsync plan LINE` lists a line's instruments (e.g. 23.b/1)"
        case .notResponsible(let department, let line, let responsible):
            let names = responsible.map(\.rawValue).joined(separator: ", ")
            return "\(department.rawValue) is not responsible for line \(line) (responsible: \(names)); "
                + "only a responsible department records progress for a line"
        case .invalidField(let field, let value, let expected):
            return "invalid \(field) '\(value.prefix(80))': expected \(expected)"
        case .planResource(let reason):
            return "the bundled plan could not be read: \(reason); reinstall napsync"
        }
    }
}
