//! A light, language-agnostic view of code in an answer: string literals
//! (with their interpolations) masked out, statements joined across line
//! continuations, and small helpers to split argument lists and
//! concatenations at the top level. Enough to follow how a value reaches a
//! query, a shell or a response in Python, JS/TS, Java, Go, Ruby, PHP and C#
//! snippets — not a parser.

use std::ops::Range;
use std::sync::OnceLock;

use regex::Regex;

pub const MASK_OPEN: char = '\u{E000}';
pub const MASK_CLOSE: char = '\u{E001}';

/// The mask that replaces literal number `idx`.
pub fn mask_token(idx: usize) -> String {
    format!("{MASK_OPEN}{idx}{MASK_CLOSE}")
}

/// One string literal.
#[derive(Debug, Clone)]
pub struct Literal {
    /// The text between the quotes.
    pub content: String,
    /// Expressions interpolated into it (`{x}`, `${x}`, `#{x}`, PHP `$x`).
    pub interpolations: Vec<String>,
    /// A tagged template (`sql\`…\``, Prisma's `$queryRaw\`…\``) or
    /// `FromSqlInterpolated($"…")`: its interpolations become parameters.
    pub parameterized: bool,
}

/// A statement: one or more source lines joined, with literals masked.
#[derive(Debug, Clone)]
pub struct Statement {
    pub masked: String,
}

/// The code view of an answer.
#[derive(Debug, Clone)]
pub struct Code {
    pub text: String,
    pub literals: Vec<Literal>,
    pub statements: Vec<Statement>,
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("code regexes are static and valid")
}

struct Regexes {
    literal: Regex,
    brace_expr: Regex,
    dollar_brace: Regex,
    hash_brace: Regex,
    php_var: Regex,
    dollar_variable_code: Regex,
    identifier: Regex,
}

fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| Regexes {
        literal: re(
            r#"(?s)(?P<prefix>\$@|@\$|\$|[fFrRbBuU]{1,2})?(?:"""(?P<t1>.*?)"""|'''(?P<t2>.*?)'''|"(?P<d>(?:[^"\\]|\\.){0,1500})"|'(?P<s>(?:[^'\\\n]|\\.)*)'|`(?P<b>(?:[^`\\]|\\.)*)`)"#,
        ),
        brace_expr: re(r"\{([^{}]+)\}"),
        dollar_brace: re(r"\$\{([^{}]+)\}"),
        hash_brace: re(r"#\{([^{}]+)\}"),
        php_var: re(r"\{?\$([A-Za-z_]\w*(?:->\w+|\[[^\]]*\])*)\}?"),
        dollar_variable_code: re(r"<\?php|(?m)^\s*\$[A-Za-z_]\w*\s*(?:=|\.=|\[)|\$[A-Za-z_]\w*->|\bfunction\s+\w+\s*\(\s*\$|\bmy\s+\$|\(\s*\$[A-Za-z_]\w*\s*[,)]"),
        identifier: re(r"^\$?[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)*$"),
    })
}

impl Code {
    pub fn new(text: &str) -> Self {
        let r = regexes();
        // Markdown fences (```python … ```) are not string literals.
        let unfenced: String = text
            .lines()
            .map(|l| {
                let t = l.trim();
                if (t.starts_with("```") || t.starts_with("~~~"))
                    && t.trim_start_matches(['`', '~'])
                        .chars()
                        .all(|c| c.is_alphanumeric() || "+-#. ".contains(c))
                {
                    ""
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let text = heredocs_as_literals(&unfenced);
        let text = text.as_str();
        let dollar_variables = r.dollar_variable_code.is_match(text);
        let mut literals = Vec::new();
        let mut masked = String::with_capacity(text.len());
        let mut last = 0;
        for caps in r.literal.captures_iter(text) {
            let Some(whole) = caps.get(0) else { continue };
            // An apostrophe in prose ("don't … it's") is not a literal.
            let prefix = caps.name("prefix").map_or("", |m| m.as_str());
            let start = whole.start() + prefix.len();
            // A prefix glued to a word (`self` + "…") is not a prefix.
            let glued = !prefix.is_empty()
                && whole.start() > 0
                && text[..whole.start()]
                    .chars()
                    .last()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_');
            // (`f'…'` is a literal: its prefix stands alone.)
            if caps.name("s").is_some() && start > 0 && (prefix.is_empty() || glued) {
                let before = text[..start].chars().last().unwrap_or(' ');
                if before.is_alphanumeric() {
                    continue;
                }
            }
            let (prefix, whole_start) = if glued {
                ("", start)
            } else {
                (prefix, whole.start())
            };
            let content = ["t1", "t2", "d", "s", "b"]
                .iter()
                .find_map(|n| caps.name(n))
                .map_or("", |m| m.as_str());
            let double = caps.name("d").is_some() || caps.name("t1").is_some();
            let backtick = caps.name("b").is_some();
            let mut interpolations = Vec::new();
            let p = prefix.to_lowercase();
            if p.contains('f') || p.contains('$') {
                interpolations.extend(
                    r.brace_expr
                        .captures_iter(content)
                        .filter(|c| !c[0].starts_with("{{"))
                        .map(|c| c[1].split(':').next().unwrap_or("").to_string()),
                );
            }
            if backtick {
                interpolations.extend(
                    r.dollar_brace
                        .captures_iter(content)
                        .map(|c| c[1].to_string()),
                );
            }
            if double && !p.contains('f') && !p.contains('$') {
                interpolations.extend(
                    r.hash_brace
                        .captures_iter(content)
                        .map(|c| c[1].to_string()),
                );
            }
            // PHP (and Perl) interpolate "$var"; elsewhere "$where" is text.
            if double && !p.contains('f') && !p.contains('$') && dollar_variables {
                // PHP-style "$var" (not "$1" placeholders, not "${…}" templates).
                interpolations.extend(
                    r.php_var
                        .captures_iter(content)
                        .filter(|c| !c[0].contains("${"))
                        .map(|c| format!("${}", &c[1])),
                );
            }
            let before = text[..whole_start].trim_end();
            let tagged = backtick
                && (before.ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '>')
                    && !before.ends_with("return"));
            let parameterizing_call = [
                "FromSqlInterpolated(",
                "ExecuteSqlInterpolated(",
                "ExecuteSqlInterpolatedAsync(",
                "SqlQuery(",
                "Database.SqlQuery<",
            ]
            .iter()
            .any(|c| before.ends_with(c.trim_end_matches('<')) || before.ends_with(c));
            masked.push_str(&text[last..whole_start]);
            masked.push_str(&mask_token(literals.len()));
            last = whole.end();
            literals.push(Literal {
                content: content.to_string(),
                interpolations,
                parameterized: tagged || parameterizing_call,
            });
        }
        masked.push_str(&text[last..]);
        let statements = join_statements(&masked);
        Self {
            text: text.to_string(),
            literals,
            statements,
        }
    }

    /// The statement text with literals restored, for evidence.
    pub fn unmask(&self, _stmt: &Statement, masked: &str) -> String {
        let mut out = String::new();
        let mut rest = masked;
        while let Some(open) = rest.find(MASK_OPEN) {
            out.push_str(&rest[..open]);
            let after = &rest[open + MASK_OPEN.len_utf8()..];
            let Some(close) = after.find(MASK_CLOSE) else {
                break;
            };
            if let Some(l) = after[..close]
                .parse::<usize>()
                .ok()
                .and_then(|i| self.literals.get(i))
            {
                out.push('"');
                out.push_str(&l.content);
                out.push('"');
            }
            rest = &after[close + MASK_CLOSE.len_utf8()..];
        }
        out.push_str(rest);
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    /// The masked text of the whole answer.
    pub fn masked(&self) -> String {
        self.statements
            .iter()
            .map(|s| s.masked.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Joins lines that continue a statement: open brackets, or a line that
/// ends or begins with a concatenation operator or a method chain.
fn join_statements(masked: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut depth: i32 = 0;
    let lines: Vec<&str> = masked.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(line.trim());
        for c in line.chars() {
            match c {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                _ => {}
            }
        }
        let t = line.trim_end();
        // A block opens (`(req, res) => {`, `) {`, `else {`): the statements
        // inside it are their own, whatever call the block is an argument of.
        let before_brace = t.strip_suffix('{').map(str::trim_end);
        if before_brace.is_some_and(|b| {
            b.ends_with(')')
                || b.ends_with("=>")
                || b.ends_with("else")
                || b.ends_with("try")
                || b.ends_with("do")
        }) {
            depth = 0;
            out.push(Statement {
                masked: std::mem::take(&mut current),
            });
            continue;
        }
        let ends_open = t.ends_with(['+', '.', '(', ',', '&', '|', '=', '%'])
            || t.ends_with("<<")
            || t.ends_with("\\");
        let next_continues = lines.get(i + 1).is_some_and(|n| {
            let n = n.trim_start();
            n.starts_with('+')
                || n.starts_with(". ")
                || n.starts_with(".") && !n.starts_with("..")
                || n.starts_with("||")
                || n.starts_with('%')
        });
        if (depth > 0 && depth < 8) || ends_open || next_continues {
            continue;
        }
        depth = 0;
        out.push(Statement {
            masked: std::mem::take(&mut current),
        });
    }
    if !current.trim().is_empty() {
        out.push(Statement { masked: current });
    }
    out
}

/// Ruby (`<<~SQL`, `<<-SQL`) and PHP (`<<<SQL`, `<<<"SQL"`) here-documents
/// rewritten as double-quoted literals, so that their interpolations are
/// seen like any other string's; `<<~'SQL'` and PHP nowdocs (`<<<'SQL'`)
/// become single-quoted ones.
fn heredocs_as_literals(text: &str) -> String {
    static START: OnceLock<Regex> = OnceLock::new();
    let start = START.get_or_init(|| re(r#"<<(?:<|[~-])?\s*(["']?)([A-Z][A-Z0-9_]*)["']?"#));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = start.captures(rest) {
        let (Some(whole), Some(tag)) = (c.get(0), c.get(2)) else {
            break;
        };
        let quote = if c.get(1).is_some_and(|q| q.as_str() == "'") {
            '\''
        } else {
            '"'
        };
        // The body starts on the next line and ends at a line holding the tag.
        let after = &rest[whole.end()..];
        let Some(nl) = after.find('\n') else {
            break;
        };
        let body_start = whole.end() + nl + 1;
        let body = &rest[body_start..];
        let mut offset = 0;
        let mut end = None;
        for line in body.split_inclusive('\n') {
            let t = line.trim();
            let t = t.trim_end_matches([';', ',', ')']);
            if t == tag.as_str() {
                end = Some((offset, offset + line.trim_end_matches('\n').len()));
                break;
            }
            offset += line.len();
        }
        let Some((body_end, tag_end)) = end else {
            break;
        };
        let inner = body[..body_end]
            .trim_end()
            .replace(quote, if quote == '"' { "\\\"" } else { "\\'" });
        let line_rest = &after[..nl];
        out.push_str(&rest[..whole.start()]);
        out.push(quote);
        out.push_str(&inner.replace('\n', " "));
        out.push(quote);
        out.push_str(line_rest);
        let tail = &body[body_end..tag_end];
        // Keep what follows the tag on its line (`SQL;`, `SQL)`).
        out.push_str(tail.trim_start().trim_start_matches(tag.as_str()));
        rest = &body[tag_end..];
    }
    out.push_str(rest);
    out
}

/// The literal indexes masked in `text`.
pub fn mask_tokens(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.split(MASK_OPEN)
        .skip(1)
        .filter_map(|s| s.split(MASK_CLOSE).next()?.parse().ok())
}

/// Identifiers (dotted names) in `text`.
pub fn identifiers(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$'))
        .filter(|s| !s.is_empty() && !s.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// True for a plain (possibly dotted) name.
pub fn is_identifier(text: &str) -> bool {
    regexes().identifier.is_match(text)
}

/// Arguments of a call, given the text right after its `(`: split at
/// top-level commas, up to the matching `)`.
pub fn call_args(after_open: &str) -> Vec<String> {
    let mut depth = 0i32;
    let mut args = Vec::new();
    let mut cur = String::new();
    for c in after_open.chars() {
        match c {
            '(' | '[' | '{' => {
                depth += 1;
                cur.push(c);
            }
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth == 0 => {
                args.push(std::mem::take(&mut cur).trim().to_string());
            }
            _ => cur.push(c),
        }
    }
    if !cur.trim().is_empty() {
        args.push(cur.trim().to_string());
    }
    args
}

/// Splits `text` at any of `separators` outside brackets.
pub fn split_top_level(text: &str, separators: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth -= 1,
            _ => {}
        }
        if depth == 0 {
            if let Some(sep) = separators.iter().find(|s| text[i..].starts_with(**s)) {
                // `.$x` and `."…"` keep the operand's first character.
                let sep_len = if sep.len() > 1 && sep.starts_with('.') && !sep.starts_with(". ") {
                    1
                } else {
                    sep.len()
                };
                // `+=` and `++` are not concatenation here.
                if *sep == "+" && (text[i + 1..].starts_with('=') || text[i + 1..].starts_with('+'))
                {
                    i += 2;
                    continue;
                }
                out.push(text[start..i].to_string());
                i += sep_len;
                start = i;
                continue;
            }
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    out.push(text[start..].to_string());
    out
}

/// Position of `needle` outside brackets and literals.
pub fn top_level_find(text: &str, needle: char) -> Option<usize> {
    let mut depth = 0i32;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            c if c == needle && depth == 0 => return Some(i),
            _ => {}
        }
    }
    None
}

/// The value expressions of a masked statement: the right-hand side of an
/// assignment, each call argument, and `return`ed values.
pub fn expressions(masked: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let bytes = masked.as_bytes();
    // Boundaries: `=` (not ==, <=, >=, =>, !=), `(`, `,` at any depth, `;`, `return`.
    let mut starts = vec![0];
    for (i, &b) in bytes.iter().enumerate() {
        let prev = if i > 0 { bytes[i - 1] } else { b' ' };
        let next = bytes.get(i + 1).copied().unwrap_or(b' ');
        let boundary = match b {
            b'=' => {
                !matches!(
                    prev,
                    b'=' | b'<' | b'>' | b'!' | b'+' | b'.' | b'-' | b'*' | b'/'
                ) && next != b'='
                    && next != b'>'
            }
            b'(' | b',' | b';' | b'{' | b'?' | b'[' => true,
            _ => false,
        };
        if boundary {
            starts.push(i + 1);
        }
    }
    for s in starts {
        let rest = &masked[s..];
        // The expression runs to the first top-level `,` `)` `;` `]` `}` or the end.
        let mut depth = 0i32;
        let mut end = rest.len();
        for (i, c) in rest.char_indices() {
            match c {
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' if depth == 0 => {
                    end = i;
                    break;
                }
                ')' | ']' | '}' => depth -= 1,
                ',' | ';' if depth == 0 => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let lead = rest[..end].len() - rest[..end].trim_start().len();
        if end > lead {
            out.push(s + lead..s + end);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_and_interpolations() {
        let c = Code::new(
            "q = f\"SELECT * FROM t WHERE id = {uid}\"\nx = `a ${b}`\n$y = \"#{z}\" . \"$w\"",
        );
        assert_eq!(c.literals.len(), 4);
        assert_eq!(c.literals[0].interpolations, vec!["uid"]);
        assert_eq!(c.literals[1].interpolations, vec!["b"]);
        assert_eq!(c.literals[2].interpolations, vec!["z"]);
        assert_eq!(c.literals[3].interpolations, vec!["$w"]);
        assert_eq!(c.statements.len(), 3);
        // Outside PHP-like code "$where" is text, not a variable.
        let java = Code::new("query.put(\"$where\", \"this.x == 1\");");
        assert!(java.literals[0].interpolations.is_empty());
        // A single-quoted f-string is a literal with interpolations.
        let py = Code::new("sql = f'SELECT * FROM {table}'");
        assert_eq!(py.literals[0].interpolations, vec!["table"]);
    }

    #[test]
    fn prose_apostrophes_are_not_literals() {
        let c = Code::new("I don't store it, it's hashed.");
        assert!(c.literals.is_empty());
    }

    #[test]
    fn continuation_lines_join() {
        let c =
            Code::new("String q = \"SELECT a \" +\n  \"FROM t WHERE x = '\" + x + \"'\";\nrun(q);");
        assert_eq!(c.statements.len(), 2);
    }
}
