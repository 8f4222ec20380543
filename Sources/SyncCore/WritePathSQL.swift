/// The statements the write path runs on the record table and the change log. They are public so that the
/// benchmark's floors (rows 1k, 1l and 2c: "the SQL alone") run exactly these, not copies that could drift.
public enum WritePathSQL {
    /// A record's stored state and its count of open conflicts, by key.
    public static let selectState = "SELECT state, conflicts FROM record WHERE key = ?"
    /// A record row the table did not hold, bound as key, removed, conflicts, state. It is inserted, never upserted,
    /// so that a row the table held after all fails the write instead of being overwritten.
    public static let insertRecord = "INSERT INTO record (key, removed, conflicts, state) VALUES (?, ?, ?, ?)"
    /// A record row the table held, updated in place, bound as removed, conflicts, state, key.
    public static let updateRecord = "UPDATE record SET removed = ?, conflicts = ?, state = ? WHERE key = ?"
    /// A finished block of the change log (`ChangeBlock`), bound as origin, first and last sequence numbers, the
    /// last change's time, the chain value after it, the bytes.
    public static let insertBlock =
        "INSERT INTO change_block (origin, first_seq, last_seq, last_time, chain, changes) VALUES (?, ?, ?, ?, ?, ?)"
}
