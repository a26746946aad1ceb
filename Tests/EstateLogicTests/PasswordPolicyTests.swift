import EstateLogic
import Foundation
import Testing

@Suite("Password policy")
struct PasswordPolicyTests {
    let policy = PasswordPolicy.standard

    func messages(_ password: String, _ username: String = "alice", policy: PasswordPolicy = .standard) -> [String] {
        policy.violations(of: password, username: username).map(\.message)
    }

    @Test func standardRequiresTenCharacters() {
        #expect(PasswordPolicy.standard.minimumLength == 10)
        #expect(PasswordPolicy().minimumLength == 10)
        #expect(PasswordPolicy.maximumBytes == 72)
    }

    @Test(arguments: ["correct horse", "Tr0ub4dor&3x", "0123456789", "aaaaaaaaab", "ab" + String(repeating: "c", count: 70),
                      "密码是非常安全的东西吧", "bob-the-builder-2024"])
    func acceptable(_ password: String) {
        #expect(policy.violations(of: password, username: "carol").isEmpty, "\(password)")
    }

    @Test func lengthBoundaries() {
        #expect(messages("abcdefghi") == ["must be at least 10 characters long"])
        #expect(messages("abcdefghij").isEmpty)
        #expect(messages("") == ["must be at least 10 characters long"])
        let custom = PasswordPolicy(minimumLength: 12)
        #expect(messages("abcdefghijk", policy: custom) == ["must be at least 12 characters long"])
        #expect(messages("abcdefghijkl", policy: custom).isEmpty)
        var mutated = PasswordPolicy.standard
        mutated.minimumLength = 4
        #expect(mutated.violations(of: "wxyz", username: "alice").isEmpty)
    }

    @Test func lengthCountsCharactersNotBytes() {
        // 10 characters, 30 bytes
        #expect(messages("密码密码密码密码密钥").isEmpty)
        // 9 characters even though it is 27 bytes
        #expect(messages("密码密码密码密码密") == ["must be at least 10 characters long"])
        // combining sequences and emoji count as one character each
        #expect(messages(String(repeating: "e\u{301}x", count: 5)).isEmpty)     // 10 characters, 15 scalars
        #expect(messages(String(repeating: "e\u{301}x", count: 4)) == ["must be at least 10 characters long"])
        #expect(messages("🇫🇷🇫🇷🇫🇷👍🏽👍🏽👍🏽abcd").isEmpty)                           // 10 characters
    }

    @Test func utf8ByteLimitIsBcrypts() {
        #expect(messages(String(repeating: "ab", count: 36)).isEmpty)                 // 72 bytes
        #expect(messages(String(repeating: "ab", count: 36) + "c") == ["must be at most 72 bytes in UTF-8"])
        #expect(messages(String(repeating: "密码", count: 12)).isEmpty)                // 24 chars, 72 bytes
        #expect(messages(String(repeating: "密码", count: 12) + "x") == ["must be at most 72 bytes in UTF-8"])
        #expect(messages(String(repeating: "😀x", count: 15)) == ["must be at most 72 bytes in UTF-8"]) // 75 bytes
    }

    @Test(arguments: ["aliceliddell", "ALICEALICE", "passwordAlice", "my-aLiCe-pass", "xxalicexxx"])
    func containingTheUsernameIsRejected(_ password: String) {
        #expect(messages(password, "alice") == ["must not contain the username"])
    }

    @Test(arguments: ["alice.smith", "ALICE.SMITH", "Alice.Smith"])
    func equalToTheUsernameIsRejected(_ password: String) {
        #expect(messages(password, "alice.smith") == ["must not be the username"])
    }

    @Test func usernameIsTrimmedAndShortOnesOnlyCompared() {
        #expect(messages("aliceandbob", "  alice ") == ["must not contain the username"])
        // a two-letter username is not searched inside the password...
        #expect(messages("jojo-is-great", "jo").isEmpty)
        // ...but a password equal to a short username is still too short and equal
        #expect(PasswordPolicy(minimumLength: 2).violations(of: "Jo", username: "jo").map(\.message) == ["must not be the username"])
        #expect(messages("abcdefghijk", "").isEmpty)
        #expect(messages("abcdefghijk", "   ").isEmpty)
    }

    @Test(arguments: ["aaaaaaaaaa", "0000000000000000", "          ", "密密密密密密密密密密", "ZZZZZZZZZZZZZ"])
    func singleRepeatedCharacterIsRejected(_ password: String) {
        #expect(messages(password, "bob") == ["must not be a single repeated character"])
    }

    @Test func severalViolationsAtOnceAllOnThePasswordField() {
        let violations = policy.violations(of: "aaaa", username: "aaaa")
        #expect(violations.map(\.field) == ["password", "password", "password"])
        #expect(violations.map(\.message) == [
            "must be at least 10 characters long", "must not be the username", "must not be a single repeated character",
        ])
        let long = String(repeating: "x", count: 80)
        #expect(messages(long, "bob") == ["must be at most 72 bytes in UTF-8", "must not be a single repeated character"])
        #expect(messages("bob", "bob") == ["must be at least 10 characters long", "must not be the username"])
    }
}
