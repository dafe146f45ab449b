extension Command {
    /// `ringside delete`: one acknowledged delete (DESIGN contract 3).
    static let delete = write(.delete)
}
