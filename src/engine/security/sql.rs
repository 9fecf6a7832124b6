//! SQL built from values: a query string assembled by concatenation,
//! formatting or interpolation with anything that is not a constant, an
//! escaped value or a composed identifier — on one line, or built on one
//! line and extended or formatted on a later one. Placeholders with bound
//! parameters, constant-only formats, escaping functions (`intval`,
//! `mysqli_real_escape_string`, …) and psycopg2's `sql.Identifier` are safe.

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

use super::code::{self, Code, MASK_CLOSE, MASK_OPEN};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("sql regexes are static and valid")
}

struct Regexes {
    sql_shape: Regex,
    assignment: Regex,
    append_call: Regex,
    sanitizer: Regex,
    constant: Regex,
    format_call: Regex,
    composed: Regex,
    near_negation: Regex,
}

fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| Regexes {
        sql_shape: re(
            r"(?is)\bselect\b.+\bfrom\b|\bselect\s+[\w*,\s.]+$|\binsert\s+into\b|\bupdate\s+[\w.`\x22\[\]]+\s+set\b|\bdelete\s+from\b|\bwhere\s+[\w.`\x22\[\]]+\s*(?:=|<|>|!=|<>|\blike\b|\bin\b|\bis\b)|\bwhere\s*$|\border\s+by\b|\bgroup\s+by\b|\bvalues\s*\(|\b(?:and|or)\s+[\w.]+\s*(?:=|like)\s*'?$|\blimit\s*$|\bfrom\s+[\w.`\x22]+\s*$|\bset\s+[\w.]+\s*=\s*'?$",
        ),
        // `name = …`, `name := …`, `name += …`, `$name .= …`, typed declarations.
        assignment: re(
            r"(?m)(?:^|[\s;{(,])(?:(?:const|let|var|final|val|auto|string|String|StringBuilder|str|sql\.Query)\s+)?(\$?[A-Za-z_][\w]*)\s*(?::\s*[\w<>\[\]]+\s*)?(:=|\+=|\.=|<<|=)(?:[^=]|$)\s*(.*)$",
        ),
        append_call: re(r"\b([A-Za-z_]\w*)\s*\.\s*(?:append|Append|AppendFormat|concat|push|WriteString|write)\s*\((.*)\)"),
        sanitizer: re(
            r"(?i)^\(?\s*(?:\(int\)|\(float\)|\(integer\)|\(long\)|\(double\)|\(bool\))|^[\w$>:.-]*(?:real_escape_string|escape_string|escape_literal|escape_identifier|pg_escape_\w+|quote_ident|quote_literal|quote_identifier|quoteidentifier|quotename|sqlstring\.escape|escape|quote|intval|floatval|boolval|absint|int|float|bool|Number|parseInt|parseFloat|Integer\.parseInt|Integer\.valueOf|Long\.parseLong|Long\.valueOf|Double\.parseDouble|strconv\.Atoi|strconv\.ParseInt|strconv\.Itoa|to_i|to_f|Integer|Float|int64|int32|uint|sql\.Identifier|sql\.Literal|sql\.Placeholder|Identifier|Literal|Placeholder|AsIdentifier|ctype_digit|filter_var|uuid\.UUID|UUID|Guid\.Parse|sanitize_sql\w*|sanitize)\s*\(|^(?:len|count|sizeof|strlen|length)\s*\(",
        ),
        constant: re(r"^(?:[A-Z][A-Z0-9_]*|[\w.]*\.[A-Z][A-Z0-9_]+|-?\d+(?:\.\d+)?|true|false|True|False|None|null|nil|\?|\$\d+)$"),
        format_call: re(
            r"(?i)\b(?:fmt\.Sprintf|Sprintf|sprintf|vsprintf|String\.format|string\.Format|str\.format|format|printf|formatted)\s*\(\s*$",
        ),
        composed: re(r"\bsql\s*\.\s*(?:SQL|Composed)\s*\(\s*$"),
        near_negation: re(
            r"(?i)\b(?:never|instead of|rather than|avoid\w*|don't|do not|not like|bad|vulnerable|wrong|insecure|unsafe)\b[^\n]*$",
        ),
    })
}

/// One string literal of the masked text, by index.
fn literal_index(token: &str) -> Option<usize> {
    token
        .strip_prefix(MASK_OPEN)?
        .strip_suffix(MASK_CLOSE)?
        .parse()
        .ok()
}

/// The state of the variables seen so far.
#[derive(Default)]
struct Vars {
    /// Variables that hold (part of) an SQL statement.
    sql: HashSet<String>,
    /// Variables assigned only constants.
    constant: HashSet<String>,
    /// Variables assigned an escaped or numeric-converted value.
    sanitized: HashSet<String>,
    /// `sql.SQL(...)` objects, whose `.format` composes safely.
    composed: HashSet<String>,
}

/// Finds SQL assembled from non-constant values; returns the evidence.
pub fn find(code: &Code) -> Option<String> {
    let r = regexes();
    if !code.literals.iter().any(|l| r.sql_shape.is_match(&l.content)) {
        return None;
    }
    let mut vars = Vars::default();
    for stmt in &code.statements {
        let masked = stmt.masked.as_str();
        if let Some(ev) = unsafe_statement(code, masked, &mut vars) {
            // A dangerous example quoted in prose to reject it is not a proposal.
            let line_start = masked[..ev.0].rfind('\n').map_or(0, |i| i + 1);
            if r.near_negation.is_match(&masked[line_start..ev.0]) && !looks_like_code_line(&masked[line_start..]) {
                continue;
            }
            return Some(code.unmask(stmt, &masked[ev.0..ev.1]));
        }
    }
    None
}

fn looks_like_code_line(line: &str) -> bool {
    line.trim_end().ends_with(';') || line.contains(" = ") && !line.contains(". ")
}

/// Checks one statement; returns the byte range (in the masked statement)
/// of the unsafe construction.
fn unsafe_statement(code: &Code, masked: &str, vars: &mut Vars) -> Option<(usize, usize)> {
    let r = regexes();
    let is_sql_literal = |idx: usize| {
        code.literals
            .get(idx)
            .is_some_and(|l| r.sql_shape.is_match(&l.content))
    };
    let mut found: Option<(usize, usize)> = None;

    // 1. Interpolation inside an SQL literal: f"…{x}", `…${x}`, "…#{x}", $"…{x}", PHP "…$x".
    for (idx, lit) in code.literals.iter().enumerate() {
        if !masked.contains(&code::mask_token(idx)) || !is_sql_literal(idx) {
            continue;
        }
        if lit.interpolations.iter().any(|e| !is_safe_operand(e.trim(), vars)) {
            let at = masked.find(&code::mask_token(idx)).unwrap_or(0);
            found = Some((at, at + code::mask_token(idx).len()));
            break;
        }
    }

    // 2. Concatenation, `%` and `.format` next to an SQL literal or an SQL variable.
    if found.is_none() {
        found = concatenation(code, masked, vars, &is_sql_literal);
    }

    // 3. Format functions whose format string is SQL.
    if found.is_none() {
        for (idx, _) in code.literals.iter().enumerate() {
            let token = code::mask_token(idx);
            let Some(at) = masked.find(&token) else { continue };
            if !is_sql_literal(idx) || !r.format_call.is_match(&masked[..at]) {
                continue;
            }
            let args = code::call_args(&masked[at + token.len()..]);
            if args.iter().any(|a| !is_safe_operand(a, vars)) {
                found = Some((at, at + token.len()));
                break;
            }
        }
    }

    // 4. Builders: sb.append("… WHERE x = '").append(name)
    if found.is_none() {
        for caps in r.append_call.captures_iter(masked) {
            let target = caps[1].to_string();
            let args = code::call_args(&format!("{})", &caps[2]));
            let has_sql = args.iter().any(|a| literal_index(a.trim()).is_some_and(is_sql_literal));
            if has_sql {
                vars.sql.insert(target.clone());
            }
            let chained = masked.contains(".append(") && has_sql;
            if vars.sql.contains(&target) || chained {
                let all_args: Vec<String> = masked
                    .match_indices(".append(")
                    .flat_map(|(i, m)| code::call_args(&masked[i + m.len()..]))
                    .collect();
                if all_args.iter().any(|a| !is_safe_operand(a, vars) && literal_index(a.trim()).is_none()) {
                    let m = caps.get(0).map_or((0, 0), |m| (m.start(), m.end()));
                    found = Some(m);
                    break;
                }
            }
        }
    }

    // Track what the statement assigns, for later statements.
    if let Some(caps) = r.assignment.captures(masked) {
        let name = caps[1].to_string();
        let op = &caps[2];
        let rhs = caps[3].trim().trim_end_matches(';').trim();
        let rhs_has_sql = code::mask_tokens(rhs).any(is_sql_literal)
            || code::identifiers(rhs).any(|id| vars.sql.contains(id));
        if r.composed.is_match(&format!("{} ", rhs.split(MASK_OPEN).next().unwrap_or(""))) || rhs.contains("sql.SQL(") {
            vars.composed.insert(name.clone());
        }
        match op {
            "=" | ":=" => {
                vars.constant.remove(&name);
                vars.sanitized.remove(&name);
                if rhs_has_sql {
                    vars.sql.insert(name.clone());
                } else {
                    vars.sql.remove(&name);
                }
                if literal_index(rhs).is_some() || r.constant.is_match(rhs) {
                    if literal_index(rhs).is_some_and(|i| code.literals[i].interpolations.is_empty()) || r.constant.is_match(rhs) {
                        vars.constant.insert(name.clone());
                    }
                } else if r.sanitizer.is_match(rhs) {
                    vars.sanitized.insert(name.clone());
                }
            }
            _ => {
                // `q += x`, `$q .= $x`, `q << x` on an SQL variable.
                if vars.sql.contains(&name) && found.is_none() {
                    let operands = split_concat(rhs);
                    if operands.iter().any(|o| !is_safe_operand(o, vars) && literal_index(o.trim()).is_none()) {
                        found = Some((caps.get(0).map_or(0, |m| m.start()), masked.len()));
                    } else if operands.iter().any(|o| {
                        literal_index(o.trim()).is_some_and(|i| code.literals[i].interpolations.iter().any(|e| !is_safe_operand(e, vars)))
                    }) {
                        found = Some((caps.get(0).map_or(0, |m| m.start()), masked.len()));
                    }
                }
                if rhs_has_sql {
                    vars.sql.insert(name);
                }
            }
        }
    }
    found
}

/// Concatenation (`+`, PHP `.`, `||`, `<<`, `&`), Python `%` and `.format(`
/// around SQL literals and SQL variables.
fn concatenation(
    code: &Code,
    masked: &str,
    vars: &Vars,
    is_sql_literal: &dyn Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    let r = regexes();
    // Each maximal expression joined by concatenation operators.
    for expr in code::expressions(masked) {
        let text = &masked[expr.clone()];
        let operands = split_concat(text);
        let sql_operand = operands.iter().any(|o| {
            let o = o.trim();
            literal_index(o).is_some_and(is_sql_literal)
                || (code::is_identifier(o) && vars.sql.contains(o))
        });
        if operands.len() > 1 && sql_operand {
            let unsafe_operand = operands.iter().any(|o| {
                let o = o.trim();
                literal_index(o).is_none() && !is_safe_operand(o, vars)
            });
            if unsafe_operand {
                return Some((expr.start, expr.end));
            }
        }
        // "…%s…" % value, query % value
        if let Some(pos) = code::top_level_find(text, '%') {
            let left = text[..pos].trim();
            let right = text[pos + 1..].trim();
            let left_sql = literal_index(left).is_some_and(is_sql_literal)
                || (code::is_identifier(left) && vars.sql.contains(left));
            if left_sql && !right.is_empty() {
                let args = if right.starts_with('(') {
                    code::call_args(&right[1..])
                } else {
                    vec![right.to_string()]
                };
                if args.iter().any(|a| !is_safe_operand(a, vars)) {
                    return Some((expr.start, expr.end));
                }
            }
        }
        // "…{}…".format(value), query.format(value) — except sql.SQL(...).format(sql.Identifier(...)).
        if let Some(pos) = text.find(".format(") {
            let left = text[..pos].trim();
            let left_sql = literal_index(left).is_some_and(is_sql_literal)
                || (code::is_identifier(left) && vars.sql.contains(left) && !vars.composed.contains(left));
            let composed = r.composed.is_match(&masked[..expr.start + pos])
                || text[..pos].contains("sql.SQL(")
                || (code::is_identifier(left) && vars.composed.contains(left));
            if left_sql && !composed {
                let args = code::call_args(&text[pos + ".format(".len()..]);
                if args.iter().any(|a| !is_safe_operand(a, vars)) {
                    return Some((expr.start, expr.end));
                }
            }
        }
    }
    None
}

/// Splits an expression at top-level concatenation operators.
fn split_concat(text: &str) -> Vec<String> {
    code::split_top_level(text, &["+", " . ", ".$", "||", "<<", " & "])
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A value that cannot carry SQL of the user's: a literal, a number, a
/// constant, an escaped or converted value, a placeholder list.
fn is_safe_operand(operand: &str, vars: &Vars) -> bool {
    let r = regexes();
    let o = operand
        .trim()
        .trim_start_matches("str(")
        .trim_start_matches("String(")
        .trim_start_matches("toString(")
        .trim();
    let o = o.trim_end_matches(')').trim();
    if o.is_empty() || literal_index(o).is_some() || r.constant.is_match(o) {
        return true;
    }
    if operand.trim().starts_with(MASK_OPEN) {
        // "…".join(…), "?".repeat(n): derived from a literal.
        return true;
    }
    let bare = o.trim_start_matches('$');
    if vars.constant.contains(o) || vars.constant.contains(bare) || vars.sanitized.contains(o) || vars.sanitized.contains(bare) {
        return true;
    }
    if vars.sql.contains(o) {
        return true;
    }
    let trimmed = operand.trim();
    r.sanitizer.is_match(trimmed)
        || trimmed.contains("placeholders")
        || trimmed.contains("'?'")
        || trimmed.contains("\"?\"")
        || trimmed.ends_with(".length")
        || trimmed.starts_with("len(")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flagged(src: &str) -> bool {
        find(&Code::new(src)).is_some()
    }

    #[test]
    fn built_then_executed() {
        assert!(flagged("String query = \"SELECT id FROM users WHERE name = '\" + name + \"'\";\nStatement st = conn.createStatement();\nst.executeQuery(query);"));
        assert!(flagged("query := \"SELECT id FROM users WHERE email = '\" + email + \"'\"\nrows, err := db.Query(query)"));
        assert!(flagged("$sql = \"SELECT * FROM users WHERE id = '\".$id.\"'\";\n$result = mysqli_query($conn, $sql);"));
        assert!(flagged("const text = 'SELECT * FROM orders WHERE id = ' + req.params.id\nconst res = await client.query(text)"));
        assert!(flagged("sql = \"SELECT * FROM users WHERE name = '%s'\"\ncursor.execute(sql % name)"));
        assert!(flagged("StringBuilder sb = new StringBuilder(\"SELECT * FROM users WHERE name = '\");\nsb.append(name).append(\"'\");"));
    }

    #[test]
    fn safe_constructions() {
        assert!(!flagged("$id = mysqli_real_escape_string($conn, $_GET['id']);\n$sql = \"SELECT * FROM users WHERE id = '\".$id.\"'\";"));
        assert!(!flagged("$sql = \"SELECT * FROM users WHERE id = \" . intval($_GET['id']);"));
        assert!(!flagged("String sql = String.format(\"SELECT * FROM %s WHERE id = ?\", TABLE_NAME);"));
        assert!(!flagged("query = sql.SQL(\"select {} from {}\").format(sql.Identifier(col), sql.Identifier(table))\ncur.execute(query)"));
        assert!(!flagged("cursor.execute(\"SELECT id FROM users WHERE email = %s\", (email,))"));
        assert!(!flagged("rows, err := db.Query(\"SELECT id FROM users WHERE email = $1\", email)"));
    }
}
