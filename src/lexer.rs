//! A small lexer for the pre-scans that read a file before (or beside) syn: where strings,
//! characters, comments, words and punctuation start and end, and on which line. It never
//! fails: unterminated literals and comments run to the end of the text.

/// One token of Rust source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `// ..` to the end of the line (without the newline); `doc` for `///` and `//!`.
    LineComment { doc: bool },
    /// `/* .. */`, nested.
    BlockComment,
    /// A string (`".."`, `b".."`, `c".."`, raw `r#".."#`) or a character (`'a'`, `b'\n'`).
    Literal,
    /// A lifetime or label (`'a`).
    Lifetime,
    /// An identifier, keyword or number.
    Word,
    /// One punctuation character (brackets included).
    Punct(u8),
    /// A newline.
    Newline,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub kind: Kind,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// The 1-based line the token starts on.
    pub line: u32,
}

pub struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    line: u32,
}

pub fn is_ident_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80
}

impl<'a> Scanner<'a> {
    pub fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            text,
            b: text.as_bytes(),
            i: 0,
            line: 1,
        }
    }

    /// Moves to `to`, counting the newlines passed.
    fn advance(&mut self, to: usize) {
        let to = to.min(self.b.len());
        self.line += self.b[self.i..to].iter().filter(|&&c| c == b'\n').count() as u32;
        self.i = to;
    }

    /// The end of a quoted string whose opening `"` is at `open`.
    fn string_end(&self, open: usize) -> usize {
        let mut j = open + 1;
        while j < self.b.len() && self.b[j] != b'"' {
            j += if self.b[j] == b'\\' { 2 } else { 1 };
        }
        (j + 1).min(self.b.len())
    }

    /// The end of a raw string whose `#`s (or `"`) start at `from`, if one starts there.
    fn raw_string_end(&self, from: usize) -> Option<usize> {
        let hashes = self.b[from..].iter().take_while(|&&c| c == b'#').count();
        let quote = from + hashes;
        if self.b.get(quote) != Some(&b'"') {
            return None;
        }
        let mut j = quote + 1;
        while j < self.b.len() {
            if self.b[j] == b'"' && self.b[j + 1..].iter().take(hashes).filter(|&&c| c == b'#').count() == hashes {
                return Some(j + 1 + hashes);
            }
            j += 1;
        }
        Some(self.b.len())
    }

    /// After a `'` at `at`: the end of a character literal, or `None` for a lifetime.
    fn char_end(&self, at: usize) -> Option<usize> {
        let b = self.b;
        if b.get(at + 1) == Some(&b'\\') {
            let mut j = at + 2;
            // The escaped character itself may be a quote (`'\''`).
            j += 1;
            while j < b.len() && b[j] != b'\'' && b[j] != b'\n' {
                j += 1;
            }
            return Some((j + 1).min(b.len()));
        }
        let len = self.text.get(at + 1..)?.chars().next()?.len_utf8();
        (b.get(at + 1 + len) == Some(&b'\'')).then_some(at + 2 + len)
    }
}

impl Iterator for Scanner<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let b = self.b;
        // Spaces other than newlines are not tokens.
        while self.i < b.len() && b[self.i] != b'\n' && b[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
        let (start, line) = (self.i, self.line);
        let c = *b.get(start)?;
        let (kind, end) = match c {
            b'\n' => (Kind::Newline, start + 1),
            b'/' if b.get(start + 1) == Some(&b'/') => {
                let end = b[start..]
                    .iter()
                    .position(|&x| x == b'\n')
                    .map_or(b.len(), |p| start + p);
                let third = b.get(start + 2).copied();
                let doc = third == Some(b'!') || (third == Some(b'/') && b.get(start + 3) != Some(&b'/'));
                (Kind::LineComment { doc }, end)
            }
            b'/' if b.get(start + 1) == Some(&b'*') => {
                let (mut j, mut depth) = (start, 0usize);
                while j < b.len() {
                    if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                        depth += 1;
                        j += 2;
                    } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                        depth -= 1;
                        j += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        j += 1;
                    }
                }
                (Kind::BlockComment, j.min(b.len()))
            }
            b'"' => (Kind::Literal, self.string_end(start)),
            b'\'' => match self.char_end(start) {
                Some(end) => (Kind::Literal, end),
                None => {
                    let end = b[start + 1..]
                        .iter()
                        .position(|&x| !is_ident_byte(x))
                        .map_or(b.len(), |p| start + 1 + p);
                    (Kind::Lifetime, end.max(start + 1))
                }
            },
            c if is_ident_byte(c) => {
                let end = b[start..]
                    .iter()
                    .position(|&x| !is_ident_byte(x))
                    .map_or(b.len(), |p| start + p);
                match (&b[start..end], b.get(end)) {
                    (b"r" | b"br" | b"cr", Some(b'"' | b'#')) => match self.raw_string_end(end) {
                        Some(e) => (Kind::Literal, e),
                        None => (Kind::Word, end),
                    },
                    (b"b" | b"c", Some(b'"')) => (Kind::Literal, self.string_end(end)),
                    (b"b", Some(b'\'')) => match self.char_end(end) {
                        Some(e) => (Kind::Literal, e),
                        None => (Kind::Word, end),
                    },
                    _ => (Kind::Word, end),
                }
            }
            c => (Kind::Punct(c), start + 1),
        };
        self.advance(end.max(start + 1));
        Some(Token {
            kind,
            start,
            end: self.i,
            line,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, &str)> {
        Scanner::new(text).map(|t| (t.kind, &text[t.start..t.end])).collect()
    }

    #[test]
    fn literals_hide_what_looks_like_comments_and_brackets() {
        let k = kinds(r####"let s = br"\"; x("// no", '"', b'\'', r#"a"b"#) /* a /* b */ c */ 'a"####);
        assert_eq!(
            k,
            vec![
                (Kind::Word, "let"),
                (Kind::Word, "s"),
                (Kind::Punct(b'='), "="),
                (Kind::Literal, r#"br"\""#),
                (Kind::Punct(b';'), ";"),
                (Kind::Word, "x"),
                (Kind::Punct(b'('), "("),
                (Kind::Literal, "\"// no\""),
                (Kind::Punct(b','), ","),
                (Kind::Literal, "'\"'"),
                (Kind::Punct(b','), ","),
                (Kind::Literal, r"b'\''"),
                (Kind::Punct(b','), ","),
                (Kind::Literal, r###"r#"a"b"#"###),
                (Kind::Punct(b')'), ")"),
                (Kind::BlockComment, "/* a /* b */ c */"),
                (Kind::Lifetime, "'a"),
            ]
        );
    }

    #[test]
    fn doc_comments_are_told_from_plain_ones_and_lines_are_counted() {
        let text = "/// doc\n//! inner\n//// plain\n// plain\n\"a\nb\" x";
        let tokens: Vec<Token> = Scanner::new(text).collect();
        let comments: Vec<(bool, u32)> = tokens
            .iter()
            .filter_map(|t| match t.kind {
                Kind::LineComment { doc } => Some((doc, t.line)),
                _ => None,
            })
            .collect();
        assert_eq!(comments, vec![(true, 1), (true, 2), (false, 3), (false, 4)]);
        assert_eq!(
            tokens.last().map(|t| t.line),
            Some(6),
            "the string's newline is counted"
        );
    }

    #[test]
    fn unterminated_text_runs_to_the_end_without_panicking() {
        for text in ["\"abc", "r#\"abc", "/* /* x */", "'", "b'", "'\\", "br", "é'é"] {
            let _ = kinds(text);
        }
    }
}
