import Foundation

/// Normalisation of the free text customers are entered with, so that the same name typed on a Chinese
/// keyboard (full-width forms, ideographic spaces) or with other spacing or letter case compares equal.
public enum CustomerText {
    /// `text` with the full-width forms U+FF01–U+FF5E turned into their ASCII counterparts
    /// U+0021–U+007E (`１３８` → `138`, `（` → `(`, `Ａ` → `A`) and the ideographic space U+3000 into
    /// a plain space; everything else is unchanged.
    public static func halfWidth(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: scalars.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000: scalars.append(" ")
            default: scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    /// A name in the form duplicate checks compare: half-width, trimmed, every run of white space
    /// (spaces, tabs, line breaks, ideographic spaces) made one space, lower-cased. Chinese characters
    /// are left as they are (`  张三 ` → `张三`, `ＪＯＨＮ　 Smith` → `john smith`).
    public static func normalizedName(_ name: String) -> String {
        halfWidth(name).split(whereSeparator: \.isWhitespace).joined(separator: " ").lowercased()
    }

    /// Whether `text` holds a control character (Unicode general category Cc: U+0000–U+001F and
    /// U+007F–U+009F); tabs and line breaks count too unless `allowingLineBreaks` (free text: notes,
    /// answers, reasons).
    public static func hasControlCharacter(_ text: String, allowingLineBreaks: Bool = false) -> Bool {
        text.unicodeScalars.contains { scalar in
            scalar.properties.generalCategory == .control && !(allowingLineBreaks && (scalar == "\t" || scalar == "\n" || scalar == "\r"))
        }
    }

    /// `text` with all but its first 3 and last 4 characters replaced by `*`, or, when it has at most
    /// `shortUpTo` characters, all but its last 2.
    static func masked(_ text: String, shortUpTo: Int) -> String {
        let characters = Array(text)
        if characters.count <= shortUpTo {
            return String(repeating: "*", count: max(0, characters.count - 2)) + String(characters.suffix(2))
        }
        return String(characters.prefix(3)) + String(repeating: "*", count: characters.count - 7)
            + String(characters.suffix(4))
    }
}
