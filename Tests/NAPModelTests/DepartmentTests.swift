import NAPModel
import Testing

@Suite("Department parsing")
struct DepartmentTests {
    @Test(arguments: Department.allCases)
    func parsesEverySlug(_ department: Department) throws {
        #expect(try Department(parsing: department.rawValue) == department)
    }

    @Test func ignoresCase() throws {
        #expect(try Department(parsing: "Foreign-Affairs") == .foreignAffairs)
        #expect(try Department(parsing: "CGRS") == .cgrs)
    }

    @Test(arguments: ["navy", "", "foreign affairs", "Interior-Federal Police"])
    func refusesAnUnknownNameAndListsTheValidOnes(_ name: String) {
        // When
        let error = #expect(throws: ModelError.self) { try Department(parsing: name) }
        // Then
        #expect(error == .unknownDepartment(name))
        let message = error?.description ?? ""
        #expect(message.contains("'\(name)'"))
        for department in Department.allCases {
            #expect(message.contains(department.rawValue), "the message should list \(department.rawValue)")
        }
    }
}
