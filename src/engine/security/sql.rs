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
    sanitizer: Regex,
    constant: Regex,
    format_call: Regex,
    format_var_call: Regex,
    enum_decl: Regex,
    final_field: Regex,
    typed_param: Regex,
    multi_target: Regex,
    composed: Regex,
    near_negation: Regex,
    sink: Regex,
    neighbour_after: Regex,
    neighbour_before: Regex,
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
        sanitizer: re(
            r"(?i)^\(?\s*(?:\(int\)|\(float\)|\(integer\)|\(long\)|\(double\)|\(bool\))|^[\w$>:.-]*(?:real_escape_string|escape_string|escape_literal|escape_identifier|pg_escape_\w+|quote_ident|quote_literal|quote_identifier|quoteidentifier|quotename|sqlstring\.escape|escape|quote|intval|floatval|boolval|absint|int|float|bool|Number|parseInt|parseFloat|Integer\.parseInt|Integer\.valueOf|Long\.parseLong|Long\.valueOf|Double\.parseDouble|strconv\.Atoi|strconv\.ParseInt|strconv\.Itoa|to_i|to_f|Integer|Float|int64|int32|uint|sql\.Identifier|sql\.Literal|sql\.Placeholder|Identifier|Literal|Placeholder|AsIdentifier|ctype_digit|filter_var|uuid\.UUID|UUID|Guid\.Parse|sanitize_sql\w*|sanitize)\s*\(|^(?:len|count|sizeof|strlen|length)\s*\(",
        ),
        constant: re(r"^(?:[A-Z][A-Z0-9_]*|[\w.]*\.[A-Z][A-Z0-9_]+|-?\d+(?:\.\d+)?|true|false|True|False|None|null|nil|\?|\$\d+)$"),
        format_call: re(
            r"(?i)\b(?:fmt\.Sprintf|Sprintf|sprintf|vsprintf|String\.format|string\.Format|str\.format|format|printf|formatted)\s*\(\s*$",
        ),
        enum_decl: re(r"\benum\s+[A-Z]\w*\s*\{"),
        final_field: re(r"\b(?:private\s+|public\s+)?final\s+String\s+(\w+)\s*;"),
        format_var_call: re(
            r"(?i)\b(?:fmt\.Sprintf|Sprintf|sprintf|vsprintf|String\.format|string\.Format|format)\s*\(\s*(\$?[A-Za-z_]\w*)\s*,",
        ),
        typed_param: re(
            r"\b(?:int|Integer|long|Long|short|Short|double|Double|float|Float|boolean|Boolean|bool|UUID|Guid|decimal|uint|int64|int32|DateTime|LocalDate)\s+(\w+)\s*[,)=]|[(,]\s*(\w+)\s+(?:int|int64|int32|uint|uint64|bool|float64|uuid\.UUID|time\.Time)\s*[,)]",
        ),
        multi_target: re(r"^\s*(?:var\s+)?(\$?[A-Za-z_]\w*)\s*,\s*(?:_|err|ok)\s*:?="),
        composed: re(r"\bsql\s*\.\s*(?:SQL|Composed)\s*\(\s*$"),
        sink: re(
            r"(?i)(?:\.where|->(?:where|orWhere|having|orderBy|groupBy)|setFilter|\.filter|\.extra|whereRaw|orWhereRaw|havingRaw|orderByRaw|selectRaw|\.order|\.reorder|orderBy|\.having|\.raw\b|\bRaw|find_by_sql|count_by_sql|\.query|\.execute|executescript|\.exec|\.Query|\.QueryRow|\.QueryContext|\.QueryRowContext|\.Exec|\.ExecContext|DB::select|DB::statement|DB::update|DB::delete|DB::insert|DB::raw|->query|->exec|->prepare|executeQuery|executeUpdate|addBatch|createQuery|createNativeQuery|createSQLQuery|SqlCommand|OleDbCommand|MySqlCommand|NpgsqlCommand|FromSqlRaw|ExecuteSqlRaw|sequelize\.query|knex\.raw|\.prepare|prepareStatement|mysqli_query|pg_query|sqlite3_exec|\btext|db\.Select|db\.Get|jdbcTemplate\.\w+|\.queryForObject|\.queryForList)\s*\(\s*(?:[\w$]+\s*,\s*)?(?:(?:fmt\.Sprintf|String\.format|string\.Format|sprintf|format)\s*\(\s*)?$",
        ),
        neighbour_after: re(&format!(
            r"{o}(\d+){c}\s*(\+|\.|\|\||<<|&)\s*(\(?\s*[$A-Za-z_][\w$.\->:]*(?:\[[^\]]*\]|\((?:[^()]|\([^()]*\))*\))*)",
            o = MASK_OPEN, c = MASK_CLOSE
        )),
        neighbour_before: re(&format!(
            r"([$A-Za-z_][\w$.\->:]*(?:\[[^\]]*\]|\((?:[^()]|\([^()]*\))*\))*)\s*(\+|\s\.|\.|\|\||<<|&)\s*{o}(\d+){c}",
            o = MASK_OPEN, c = MASK_CLOSE
        )),
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
    /// Fields of the answer's own enums (`final String table;` in `enum
    /// ReportTable`): `kind.table` is one of the enum's constants.
    enum_fields: HashSet<String>,
}

/// Finds SQL assembled from non-constant values; returns the evidence.
pub fn find(code: &Code) -> Option<String> {
    let r = regexes();
    // A literal is SQL by its shape, or by where it goes (`.where("…")`).
    let mut sql_literals: HashSet<usize> = code
        .literals
        .iter()
        .enumerate()
        .filter(|(_, l)| r.sql_shape.is_match(&l.content))
        .map(|(i, _)| i)
        .collect();
    for stmt in &code.statements {
        for idx in code::mask_tokens(&stmt.masked) {
            let token = code::mask_token(idx);
            if let Some(at) = stmt.masked.find(&token) {
                if r.sink.is_match(&stmt.masked[..at]) {
                    sql_literals.insert(idx);
                }
            }
        }
    }
    if sql_literals.is_empty() {
        return None;
    }
    let mut vars = Vars::default();
    if r.enum_decl.is_match(&code.text) {
        vars.enum_fields = r
            .final_field
            .captures_iter(&code.text)
            .map(|c| c[1].to_string())
            .collect();
    }
    // Parameters declared as numbers, booleans or UUIDs cannot carry SQL.
    for c in r.typed_param.captures_iter(&code.text) {
        if let Some(name) = c.get(1).or(c.get(2)) {
            vars.sanitized.insert(name.as_str().to_string());
        }
    }
    for stmt in &code.statements {
        let masked = stmt.masked.as_str();
        if let Some(ev) = unsafe_statement(code, masked, &mut vars, &sql_literals) {
            // A dangerous example quoted in prose to reject it is not a proposal.
            let line_start = masked[..ev.0].rfind('\n').map_or(0, |i| i + 1);
            if r.near_negation.is_match(&masked[line_start..ev.0])
                && !looks_like_code_line(&masked[line_start..])
            {
                continue;
            }
            return Some(code.unmask(stmt, &masked[ev.0..ev.1]));
        }
    }
    None
}

/// The literal indexes of an operand made only of literals (`("a " "b")`).
fn literal_group(operand: &str) -> Option<Vec<usize>> {
    let stripped: String = operand
        .chars()
        .filter(|c| !matches!(c, '(' | ')' | '\\') && !c.is_whitespace())
        .collect();
    if stripped.is_empty() || !stripped.starts_with(MASK_OPEN) {
        return None;
    }
    let idx: Vec<usize> = code::mask_tokens(&stripped).collect();
    let rebuilt: String = idx.iter().map(|i| code::mask_token(*i)).collect();
    (rebuilt == stripped).then_some(idx)
}

fn looks_like_code_line(line: &str) -> bool {
    line.trim_end().ends_with(';') || line.contains(" = ") && !line.contains(". ")
}

/// Checks one statement; returns the byte range (in the masked statement)
/// of the unsafe construction.
fn unsafe_statement(
    code: &Code,
    masked: &str,
    vars: &mut Vars,
    sql_literals: &HashSet<usize>,
) -> Option<(usize, usize)> {
    let r = regexes();
    let is_sql_literal = |idx: usize| sql_literals.contains(&idx);
    let mut found: Option<(usize, usize)> = None;

    // 1. Interpolation inside an SQL literal: f"…{x}", `…${x}`, "…#{x}", $"…{x}", PHP "…$x".
    for (idx, lit) in code.literals.iter().enumerate() {
        if !masked.contains(&code::mask_token(idx)) || !is_sql_literal(idx) {
            continue;
        }
        if !lit.parameterized
            && lit
                .interpolations
                .iter()
                .any(|e| !is_safe_operand(e.trim(), vars))
        {
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
            let Some(at) = masked.find(&token) else {
                continue;
            };
            if !is_sql_literal(idx) || !r.format_call.is_match(&masked[..at]) {
                continue;
            }
            let args = code::call_args(&masked[at + token.len()..]);
            // An argument joined from safe parts (`"…'" . $escaped . "'"`) is safe.
            let unsafe_arg = |a: &String| {
                split_concat(a)
                    .iter()
                    .any(|part| literal_group(part).is_none() && !is_safe_operand(part, vars))
            };
            if args.iter().any(unsafe_arg) {
                found = Some((at, at + token.len()));
                break;
            }
        }
    }

    // 3b. Format functions whose format string is an SQL variable.
    if found.is_none() {
        for c in r.format_var_call.captures_iter(masked) {
            if !vars.sql.contains(&c[1]) || vars.composed.contains(&c[1]) {
                continue;
            }
            let Some(whole) = c.get(0) else { continue };
            let args = code::call_args(&masked[whole.end()..]);
            if args.iter().any(|a| !is_safe_operand(a, vars)) {
                found = Some((whole.start(), whole.end()));
                break;
            }
        }
    }

    // 3c. Concatenation by call: "…".concat(x), String.Concat("…", x),
    //     string.Concat(new[] { "…", x }).
    if found.is_none() {
        found = concat_call(masked, vars, &is_sql_literal);
    }

    // 4. Builders: sb.append("… WHERE x = '").append(name), also on a
    //    builder declared with SQL in an earlier statement.
    if found.is_none()
        && (masked.contains(".append(")
            || masked.contains(".Append(")
            || masked.contains(".AppendFormat(")
            || masked.contains(".WriteString("))
    {
        let args: Vec<String> = [
            ".append(",
            ".Append(",
            ".AppendFormat(",
            ".WriteString(",
            "StringBuilder(",
        ]
        .iter()
        .flat_map(|m| masked.match_indices(*m).map(move |(i, _)| i + m.len()))
        .flat_map(|i| code::call_args(&masked[i..]))
        .collect();
        let has_sql = args
            .iter()
            .any(|a| literal_group(a).is_some_and(|g| g.into_iter().any(is_sql_literal)));
        let builder_is_sql = code::identifiers(masked).any(|id| vars.sql.contains(id));
        if has_sql || builder_is_sql {
            if let Some(name) = r.assignment.captures(masked).map(|c| c[1].to_string()) {
                vars.sql.insert(name);
            }
            let unsafe_arg = args
                .iter()
                .any(|a| literal_group(a).is_none() && !is_safe_operand(a, vars));
            if unsafe_arg {
                found = Some((0, masked.len()));
            }
        }
    }

    // Track what the statement assigns, for later statements.
    if let Some(caps) = r.assignment.captures(masked) {
        // `id, _ := strconv.Atoi(raw)` assigns `id`.
        let name = match r.multi_target.captures(masked) {
            Some(m) => m[1].to_string(),
            None => caps[1].to_string(),
        };
        let op = &caps[2];
        let rhs = caps[3].trim().trim_end_matches(';').trim();
        let rhs_has_sql = code::mask_tokens(rhs).any(is_sql_literal)
            || code::identifiers(rhs).any(|id| vars.sql.contains(id));
        if r.composed
            .is_match(&format!("{} ", rhs.split(MASK_OPEN).next().unwrap_or("")))
            || rhs.contains("sql.SQL(")
        {
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
                    if literal_index(rhs)
                        .is_some_and(|i| code.literals[i].interpolations.is_empty())
                        || r.constant.is_match(rhs)
                    {
                        vars.constant.insert(name.clone());
                    }
                } else if r.sanitizer.is_match(rhs) || sanitized_expression(code, rhs, vars) {
                    vars.sanitized.insert(name.clone());
                }
                if rhs.starts_with('{')
                    || rhs.starts_with("map[")
                    || rhs.starts_with("%w[")
                    || rhs.starts_with("Map.of(")
                    || rhs.starts_with("dict(")
                    || rhs.starts_with("new Dictionary")
                    || rhs.starts_with("Set.of(")
                    || rhs.starts_with("List.of(")
                    || rhs.starts_with("frozenset(")
                {
                    vars.constant.insert(name.clone());
                }
            }
            _ => {
                // `q += x`, `$q .= $x`, `q << x` on an SQL variable.
                if vars.sql.contains(&name) && found.is_none() {
                    let operands = split_concat(rhs);
                    if operands
                        .iter()
                        .any(|o| !is_safe_operand(o, vars) && literal_index(o.trim()).is_none())
                    {
                        found = Some((caps.get(0).map_or(0, |m| m.start()), masked.len()));
                    } else if operands.iter().any(|o| {
                        literal_index(o.trim()).is_some_and(|i| {
                            code.literals[i]
                                .interpolations
                                .iter()
                                .any(|e| !is_safe_operand(e, vars))
                        })
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

/// `"…".concat(x)`, `sql.concat(x)`, `String.Concat("…", x)` and
/// `string.Concat(new[] { "…", x })` with SQL among the parts.
fn concat_call(
    masked: &str,
    vars: &Vars,
    is_sql_literal: &dyn Fn(usize) -> bool,
) -> Option<(usize, usize)> {
    for (pos, m) in masked
        .match_indices(".concat(")
        .chain(masked.match_indices(".Concat("))
    {
        let before = masked[..pos].trim_end();
        let receiver: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$' || *c == '.')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let receiver_literal = before
            .strip_suffix(MASK_CLOSE)
            .and_then(|b| b.rfind(MASK_OPEN).map(|i| &before[i..]))
            .and_then(literal_index);
        let static_call = matches!(receiver.as_str(), "String" | "string" | "System.String");
        let receiver_sql = receiver_literal.is_some_and(is_sql_literal)
            || (!receiver.is_empty() && vars.sql.contains(&receiver));
        let mut operands = code::call_args(&masked[pos + m.len()..]);
        if static_call && operands.len() == 1 {
            if let (Some(open), Some(close)) = (operands[0].find('{'), operands[0].rfind('}')) {
                if open < close {
                    operands = code::split_top_level(&operands[0][open + 1..close], &[","])
                        .into_iter()
                        .map(|o| o.trim().to_string())
                        .filter(|o| !o.is_empty())
                        .collect();
                }
            }
        }
        if !static_call && !receiver_sql {
            continue;
        }
        let sql = receiver_sql
            || operands
                .iter()
                .any(|o| literal_group(o).is_some_and(|g| g.into_iter().any(is_sql_literal)));
        let unsafe_operand = operands
            .iter()
            .any(|o| literal_group(o).is_none() && !is_safe_operand(o, vars));
        if sql && unsafe_operand {
            return Some((pos, pos + m.len()));
        }
    }
    None
}

/// Concatenation (`+`, PHP `.`, `||`, `<<`, `&`), Python `%` and `.format(`
/// around SQL literals and SQL variables.
fn concatenation(
    _code: &Code,
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
            literal_group(o).is_some_and(|g| g.into_iter().any(is_sql_literal))
                || (code::is_identifier(o) && vars.sql.contains(o))
        });
        if operands.len() > 1 && sql_operand {
            let unsafe_operand = operands.iter().any(|o| {
                // The first operand of `$sql = "…" . $x` is the literal, not
                // the assignment.
                let o = o.trim();
                let o = r
                    .assignment
                    .captures(o)
                    .filter(|c| c[2].trim() == "=" || c[2].trim() == ":=")
                    .and_then(|c| c.get(3))
                    .map_or(o, |m| m.as_str().trim());
                literal_group(o).is_none() && code_like(o) && !is_safe_operand(o, vars)
            });
            if unsafe_operand {
                return Some((expr.start, expr.end));
            }
        }
        // "…%s…" % value, query % value
        if let Some(pos) = code::top_level_find(text, '%') {
            let left = text[..pos].trim();
            let right = text[pos + 1..].trim();
            let left_sql = literal_group(left).is_some_and(|g| g.into_iter().any(is_sql_literal))
                || (code::is_identifier(left) && vars.sql.contains(left));
            if left_sql && !right.is_empty() {
                let args = match right.strip_prefix('(') {
                    Some(inner) => code::call_args(inner),
                    None => vec![right.to_string()],
                };
                if args.iter().any(|a| !is_safe_operand(a, vars)) {
                    return Some((expr.start, expr.end));
                }
            }
        }
        // "…{}…".format(value), query.format(value) — except sql.SQL(...).format(sql.Identifier(...)).
        if let Some(pos) = text.find(".format(") {
            let left = text[..pos].trim();
            let left_sql = literal_group(left).is_some_and(|g| g.into_iter().any(is_sql_literal))
                || (code::is_identifier(left)
                    && vars.sql.contains(left)
                    && !vars.composed.contains(left));
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
    // Prose around code: the value right next to an SQL literal.
    for c in r.neighbour_after.captures_iter(masked) {
        let idx: usize = c[1].parse().unwrap_or(usize::MAX);
        let op = &c[2];
        let atom = c[3].trim().trim_end_matches('.').trim_end_matches("->");
        let method_call = op == "."
            && !atom.starts_with('$')
            && !masked[c.get(2).map_or(0, |m| m.end())..].starts_with(char::is_whitespace);
        if is_sql_literal(idx) && !method_call && !is_safe_operand(atom, vars) {
            let m = c.get(0).map_or(0..0, |m| m.range());
            return Some((m.start, m.end));
        }
    }
    for c in r.neighbour_before.captures_iter(masked) {
        let atom = c[1].trim().trim_end_matches('.');
        let idx: usize = c[3].parse().unwrap_or(usize::MAX);
        if is_sql_literal(idx)
            && !is_safe_operand(atom, vars)
            && !PROSE_WORDS.contains(&atom.to_lowercase().as_str())
        {
            let m = c.get(0).map_or(0..0, |m| m.range());
            return Some((m.start, m.end));
        }
    }
    None
}

/// Words that end a prose phrase before a quoted query ("run \"SELECT …\"").
const PROSE_WORDS: &[&str] = &[
    "run", "and", "then", "with", "or", "like", "as", "use", "query", "the", "a", "is", "write",
    "do",
];

/// An operand that is code, not a run of prose words.
fn code_like(operand: &str) -> bool {
    operand.split_whitespace().count() <= 3
}

/// A value computed only from safe values (`($page - 1) * 20`), looked up
/// in a constant map (`SORT_COLUMNS[req.query.sort]`), or a generated
/// placeholder list (`ids.map((_, i) => `$${i + 1}`).join(", ")`).
fn sanitized_expression(code: &Code, rhs: &str, vars: &Vars) -> bool {
    let r = regexes();
    let rhs = rhs.trim();
    let placeholder_literal = code::mask_tokens(rhs).any(|i| {
        code.literals.get(i).is_some_and(|l| {
            let c = l.content.trim();
            !c.is_empty()
                && c.chars()
                    .all(|ch| "?%s$,{}i+1234567890: ()@pPn".contains(ch))
        })
    });
    if placeholder_literal
        && (rhs.contains("join(")
            || rhs.contains("Join(")
            || rhs.contains("repeat(")
            || rhs.contains('*'))
    {
        return true;
    }
    // A constant table looked up by a key: `SORTABLE[key]`, `SORTABLE.get(key, default)`.
    let name_end = rhs
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == '$' || c == '.'))
        .unwrap_or(rhs.len());
    let head_end = rhs[name_end..]
        .chars()
        .next()
        .map_or(name_end, |c| name_end + c.len_utf8());
    let head = &rhs[..head_end];
    let lookup_at = [".getOrDefault(", ".GetValueOrDefault(", ".get(", ".fetch("]
        .iter()
        .find_map(|m| head.strip_suffix(m).map(str::len))
        .or_else(|| rhs[name_end..].starts_with('[').then_some(name_end));
    let base: &str = lookup_at.map_or("", |at| &rhs[..at]);
    if !base.is_empty() {
        let bare = base.trim_start_matches('$');
        if vars.constant.contains(base) || vars.constant.contains(bare) || r.constant.is_match(bare)
        {
            return true;
        }
    }
    if rhs.contains("intval(")
        || rhs.contains("(int)")
        || rhs.contains("parseInt(")
        || rhs.contains("Number(")
        || rhs.contains("int(")
    {
        return true;
    }
    let arithmetic = rhs
        .chars()
        .all(|c| c.is_alphanumeric() || " $_()+-*/%.".contains(c));
    arithmetic
        && code::identifiers(rhs).all(|id| {
            let bare = id.trim_start_matches('$');
            id.chars().all(|c| c.is_ascii_digit())
                || vars.sanitized.contains(id)
                || vars.sanitized.contains(&format!("${bare}"))
                || vars.sanitized.contains(bare)
                || vars.constant.contains(id)
                || vars.constant.contains(bare)
                || r.constant.is_match(bare)
                || [
                    "max", "min", "abs", "math", "Math", "floor", "ceil", "round",
                ]
                .contains(&bare)
        })
}

/// Splits an expression at top-level concatenation operators.
fn split_concat(text: &str) -> Vec<String> {
    let before_literal = format!(".{MASK_OPEN}");
    code::split_top_level(
        text,
        &["+", " . ", ".$", &before_literal, "||", "<<", " & "],
    )
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
    if vars.constant.contains(o)
        || vars.constant.contains(bare)
        || vars.sanitized.contains(o)
        || vars.sanitized.contains(bare)
    {
        return true;
    }
    if vars.sql.contains(o) {
        return true;
    }
    if let Some((_, field)) = o.rsplit_once('.') {
        if vars.enum_fields.contains(field) {
            return true;
        }
    }
    let trimmed = operand.trim();
    // A constant table looked up by a key (`ORDER[req.query.sort]`).
    let base: String = trimmed
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$' || *c == '.')
        .collect();
    if !base.is_empty() && trimmed[base.len()..].starts_with('[') {
        let bare = base.trim_start_matches('$');
        if r.constant.is_match(bare)
            || vars.constant.contains(&base)
            || vars.constant.contains(bare)
        {
            return true;
        }
    }
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
        assert!(flagged(
            "sql = \"SELECT * FROM users WHERE name = '%s'\"\ncursor.execute(sql % name)"
        ));
        assert!(flagged("StringBuilder sb = new StringBuilder(\"SELECT * FROM users WHERE name = '\");\nsb.append(name).append(\"'\");"));
    }

    #[test]
    fn safe_constructions() {
        assert!(!flagged("$id = mysqli_real_escape_string($conn, $_GET['id']);\n$sql = \"SELECT * FROM users WHERE id = '\".$id.\"'\";"));
        assert!(!flagged(
            "$sql = \"SELECT * FROM users WHERE id = \" . intval($_GET['id']);"
        ));
        assert!(!flagged(
            "String sql = String.format(\"SELECT * FROM %s WHERE id = ?\", TABLE_NAME);"
        ));
        assert!(!flagged("query = sql.SQL(\"select {} from {}\").format(sql.Identifier(col), sql.Identifier(table))\ncur.execute(query)"));
        assert!(!flagged(
            "cursor.execute(\"SELECT id FROM users WHERE email = %s\", (email,))"
        ));
        assert!(!flagged(
            "rows, err := db.Query(\"SELECT id FROM users WHERE email = $1\", email)"
        ));
    }
}

#[cfg(test)]
mod regex_tests {
    #[test]
    fn regexes_compile() {
        let _ = super::regexes();
    }
}
