import NAPModel

extension Replica {
    /// Validates a department record against the plan and records it: a new record, or the fields that
    /// changed. Returns the change, or nil when the record already held these values.
    @discardableResult
    public func save<R: DepartmentRecord>(_ record: R, plan: Plan = .bundled) throws -> Change? {
        try validate(record, plan: plan)
        return try set(record.key, fields: record.fields)
    }

    /// Saves several records in one transaction: all or nothing.
    public func save<R: DepartmentRecord>(all records: [R], plan: Plan = .bundled) throws -> [Change] {
        for record in records { try validate(record, plan: plan) }
        return try write { writer in try records.compactMap { try writer.set($0.key, fields: $0.fields) } }
    }

    private func validate<R: DepartmentRecord>(_ record: R, plan: Plan) throws {
        do {
            try record.validate(against: plan)
        } catch {
            throw ReplicaError.invalid(error)
        }
    }

    /// A typed record by key, if held and not removed.
    public func load<R: DepartmentRecord>(_ type: R.Type, _ key: RecordKey) throws -> R? {
        guard let state = try state(of: key), state.exists, !state.isRemoved else { return nil }
        return R(key: key, fields: state.values)
    }

    /// Removes a record this node owns.
    @discardableResult
    public func remove(_ key: RecordKey) throws -> Change {
        try write { try $0.remove(key) }
    }

    /// Restores a removed record this node owns.
    @discardableResult
    public func restore(_ key: RecordKey) throws -> Change {
        try write { try $0.restore(key) }
    }

    /// Settles an open conflict; see `LocalWriter.resolve`.
    @discardableResult
    public func resolve(_ key: RecordKey, field: String, value: FieldValue) throws -> Change {
        try write { try $0.resolve(key, field: field, value: value) }
    }
}
