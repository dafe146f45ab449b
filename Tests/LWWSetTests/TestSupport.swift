@testable import LWWSet

/// Compact views of a set's contents for expectations: "member:score" per entry, highest
/// first, separated by spaces ("" for none).
extension Selection {
    var rendered: String {
        map { String(decoding: $0.member, as: UTF8.self) + ":" + ScoreText.format($0.score) }.joined(separator: " ")
    }
}

extension LWWSet {
    /// The visible entries of `key`, rendered.
    func visible(_ key: String) throws -> String {
        try select(key: key.utf8, offset: 0, limit: 0).rendered
    }

    /// The tombstones of `key`, rendered.
    func deleted(_ key: String) -> String {
        tombstones(key: key.utf8).rendered
    }

    /// Applies writes written as "insert 3 a" / "delete 5 b" under `key`, returning the outcomes.
    @discardableResult
    mutating func apply(_ key: String, _ writes: String...) throws -> [WriteOutcome] {
        try writes.map { write in
            let parts = write.split(separator: " ")
            let kind: WriteKind = parts[0] == "insert" ? .insert : .delete
            return try self.write(kind, key: key.utf8, score: Double(String(parts[1]))!, member: parts[2].utf8)
        }
    }
}
