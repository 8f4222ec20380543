import NAPModel

extension Replica {
    /// Validates a department record against the plan and records it: a new record, or the fields that
    /// changed. Returns the change, or nil when the record already held these values.
    @discardableResult
    public func save<R: DepartmentRecord>(_ record: R, plan: Plan = .bundled) throws -> Change? {
        try validate(record, plan: plan)
        return try write { try $0.set(record.key, sortedFields: record.sortedFields) }
    }

    /// Saves several records in one transaction: all or nothing.
    public func save<R: DepartmentRecord>(all records: [R], plan: Plan = .bundled) throws -> [Change] {
        // By index, and through the buffer in the transaction: each record is read in place instead of copied out,
        // its texts retained and released.
        for index in records.indices { try validate(records[index], plan: plan) }
        return try write { writer in
            writer.reserveCapacity(forRecords: records.count)
            try records.withUnsafeBufferPointer { records in
                for index in records.indices { try writer.set(records[index].key, sortedFields: records[index].sortedFields) }
            }
            return writer.changes
        }
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

extension Replica {
    /// Settles a conflict after checking that the record, with the chosen value, is still valid for the plan.
    @discardableResult
    public func resolve(_ key: RecordKey, field: String, value: FieldValue, plan: Plan) throws -> Change {
        if field != Change.removedField, let state = try state(of: key) {
            var fields = state.values
            fields[field] = value
            try validate(key, fields: fields, plan: plan)
        }
        return try resolve(key, field: field, value: value)
    }

    private func validate(_ key: RecordKey, fields: RecordFields, plan: Plan) throws {
        func check<R: DepartmentRecord>(_ type: R.Type) throws {
            guard let record = R(key: key, fields: fields) else {
                throw ReplicaError.invalid(.invalidField(field: "record", value: key.description, expected: "all required fields of a \(key.kind.rawValue)"))
            }
            try validate(record, plan: plan)
        }
        switch key.kind {
        case .entry: try check(ProgressEntry.self)
        case .intervention: try check(Intervention.self)
        case .figure: try check(Figure.self)
        case .review: try check(Review.self)
        case .revocation: break
        }
    }
}
