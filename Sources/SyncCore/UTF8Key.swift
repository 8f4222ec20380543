/// A text as a dictionary key by its UTF-8 bytes. `String`'s own `==` and hash follow Unicode, for which two
/// spellings of one text (an é composed, or an e and a combining accent) are equal; the replica and the wire
/// format tell them apart, as two record keys or two field names, so tables keyed by such texts must too.
struct UTF8Key: Hashable {
    let text: String

    init(_ text: String) {
        self.text = text
    }

    static func == (lhs: UTF8Key, rhs: UTF8Key) -> Bool {
        lhs.withBytes { lhs in rhs.withBytes { rhs in lhs.elementsEqual(rhs) } }
    }

    func hash(into hasher: inout Hasher) {
        withBytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }

    private func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        var text = text
        return text.withUTF8(body)
    }
}
