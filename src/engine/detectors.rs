//! Deterministic red-flag detectors for the seed's critical issues, in prose
//! and in code the candidate types or dictates (SQL, Python, JS/TS, Java, Go,
//! Ruby, PHP). Parameterized code is not flagged; negated prose ("never
//! concatenate…") is not flagged. Findings are ordered by the code-review
//! priority: security first.

use std::sync::OnceLock;

use regex::Regex;

/// How bad a finding is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// A security vulnerability: always wins, never overruled.
    Security,
    /// A major correctness/production issue ("stop at the first major issue").
    Major,
}

/// One detected issue, with the words a verdict needs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Finding {
    pub id: String,
    pub severity: Severity,
    /// The `[Issue]` / `[Error]` sentence.
    pub issue: String,
    /// The `[fix]` / `[explanation]` sentence.
    pub fix: String,
    /// The part of the answer that triggered it.
    pub evidence: String,
}

struct Rule {
    id: &'static str,
    severity: Severity,
    issue: &'static str,
    fix: &'static str,
}

const SQL_CONCAT: Rule = Rule {
    id: "sql_concatenation",
    severity: Severity::Security,
    issue: "User input is concatenated into SQL, which allows SQL injection",
    fix: "Use parameterized queries with bound parameters",
};
const PLAINTEXT_PASSWORD: Rule = Rule {
    id: "plaintext_password",
    severity: Severity::Security,
    issue: "Passwords are stored in plain text",
    fix: "Hash passwords with bcrypt or argon2 and a per-user salt",
};
const WEAK_HASH: Rule = Rule {
    id: "weak_password_hash",
    severity: Severity::Security,
    issue: "Passwords are hashed with a fast hash that is easy to brute force",
    fix: "Hash passwords with bcrypt or argon2 and a per-user salt",
};
const HARDCODED_SECRET: Rule = Rule {
    id: "hardcoded_secret",
    severity: Severity::Security,
    issue: "A secret is hardcoded in the source",
    fix: "Load secrets from the environment or a secrets manager",
};
const NO_VALIDATION: Rule = Rule {
    id: "no_input_validation",
    severity: Severity::Security,
    issue: "Request input is used without validation",
    fix: "Validate and sanitize every input against a schema before use",
};
const SELECT_STAR: Rule = Rule {
    id: "select_star",
    severity: Severity::Major,
    issue: "SELECT star fetches every column",
    fix: "Select only the columns the endpoint needs",
};
const STATUS_200_ERRORS: Rule = Rule {
    id: "status_200_for_errors",
    severity: Severity::Major,
    issue: "Errors are returned with status 200",
    fix: "Return 4xx status codes for client errors and 5xx for server errors",
};
const VERBS_IN_URLS: Rule = Rule {
    id: "verbs_in_urls",
    severity: Severity::Major,
    issue: "URLs contain verbs instead of resource nouns",
    fix: "Use plural resource nouns such as /users and let HTTP methods express the action",
};
const NO_ERROR_HANDLING: Rule = Rule {
    id: "no_error_handling",
    severity: Severity::Major,
    issue: "Database calls have no error handling",
    fix: "Handle failures with try-catch and return proper status codes",
};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("detector regexes are static and valid")
}

struct Regexes {
    sql_code: Vec<Regex>,
    sql_prose: Regex,
    negation: Regex,
    password_assign: Regex,
    password_insert: Regex,
    password_prose: Regex,
    hashing: Regex,
    weak_hash: Regex,
    salt: Regex,
    secret_literal: Regex,
    secret_call: Regex,
    secret_prose: Regex,
    placeholder: Regex,
    request_input: Regex,
    validation: Regex,
    select_star: Regex,
    status_200_code: Vec<Regex>,
    status_200_prose: Regex,
    verb_url: Regex,
    db_call: Regex,
    error_handling: Regex,
    code_markers: Regex,
}

fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| {
        let kw = r"(?:select|insert|update|delete|where|values|from)";
        Regexes {
            sql_code: {
                let mut v = Vec::new();
                for q in ['"', '\''] {
                    let lit = format!(r#"{q}[^{q}\n]*\b{kw}\b[^{q}\n]*{q}"#);
                    // "SELECT … '" + name   /   "… WHERE id = " || id
                    v.push(re(&format!(r#"(?i){lit}\s*(?:\+|\.\s|\|\|)\s*[A-Za-z_$(]"#)));
                    // query + " WHERE …"
                    v.push(re(&format!(r#"(?i)[A-Za-z_)\]]\s*\+\s*{q}[^{q}\n]*\b{kw}\b"#)));
                    // f"SELECT … {name}"
                    v.push(re(&format!(r#"(?i)\bf{q}[^{q}\n]*\b{kw}\b[^{q}\n]*\{{[^}}]+\}}"#)));
                    // "SELECT … {}".format(x)   /   "… %s" % x
                    v.push(re(&format!(r#"(?i){lit}\s*\.format\("#)));
                    v.push(re(&format!(r#"(?i){q}[^{q}\n]*\b{kw}\b[^{q}\n]*%[sdr][^{q}\n]*{q}\s*%\s*[\w(]"#)));
                    // fmt.Sprintf / String.format with %s or %v into SQL
                    v.push(re(&format!(r#"(?i)(?:sprintf|string\.format|format)\(\s*{q}[^{q}\n]*\b{kw}\b[^{q}\n]*%[sdv]"#)));
                }
                // `SELECT … ${name}`
                v.push(re(&format!(r#"(?i)`[^`]*\b{kw}\b[^`]*\$\{{"#)));
                // Ruby "#{x}" and PHP "$x" interpolation in SQL strings
                v.push(re(&format!(r#"(?i)"[^"\n]*\b{kw}\b[^"\n]*#\{{"#)));
                v.push(re(&format!(r#""[^"\n]*\b(?i:{kw})\b[^"\n]*\$[a-z_][a-z0-9_]*"#)));
                v
            },
            sql_prose: re(r"(?i)\b(concatenat\w*|string interpolation|interpolat\w*|string format\w*|f-strings?|format strings?|append\w* the (user )?input)\b[^.?!]*\b(sql|query|queries|statement|where clause)\b|\b(sql|query|queries)\b[^.?!]*\b(concatenat\w*|interpolat\w*|built (by|with) string)"),
            negation: re(r"(?i)\b(never|not|no|avoid\w*|instead of|rather than|don't|do not|won't|prevent\w*|without|against|vulnerab\w*|injection)\b"),
            password_assign: re(r#"(?i)\bpassword\w*\s*[:=]\s*(?:req|request|params|body|input|data|form|ctx|c)\b[\w.\[\]'"()]*password"#),
            password_insert: re(r"(?i)insert\s+into\s+\w*users?\w*\s*\([^)]*\bpassword\b"),
            password_prose: re(r"(?i)\b(stor\w*|sav\w*|keep\w*|put\w*|writ\w*)\b[^.?!]{0,40}\bpasswords?\b[^.?!]{0,30}\b(plain ?text|as[- ]is|directly|unencrypted|in (the )?clear|raw)\b|\bplain ?text passwords?\b|\bpasswords? in plain ?text\b"),
            hashing: re(r"(?i)\b(bcrypt|argon2\w*|scrypt|pbkdf2|password_hash|hashpw|generate_password_hash|hash\w*)\b"),
            weak_hash: re(r#"(?i)\b(md5|sha-?1|sha-?256|sha256|sha1)\b|createhash\(\s*['"](md5|sha1|sha256)['"]|getinstance\(\s*"(md5|sha-?1|sha-?256)"\)"#),
            salt: re(r"(?i)\bsalt\w*\b"),
            secret_literal: re(r#"(?i)\b\w*(secret|api[_-]?key|apikey|private[_-]?key|access[_-]?token|auth[_-]?token|passw(or)?d|pwd)\w*\s*(?::\s*\w+\s*)?[:=]\s*["']([^"'\s]{4,})["']"#),
            secret_call: re(r#"(?i)\b(jwt\.sign|jwt\.encode|jwts\.builder\(\)[^;]*signwith)\s*\([^)]*,\s*["'][^"']{4,}["']"#),
            secret_prose: re(r"(?i)\bhard[- ]?cod\w*\b[^.?!]{0,40}\b(secret|key|password|token|credential)s?\b"),
            placeholder: re(r"(?i)^(\$\{.*\}|<.*>|x+|\*+|changeme|your[_-].*|env|process\.env.*|os\.environ.*)$"),
            request_input: re(r#"(?i)\b(req\.(body|query|params)|request\.(json|form|args|get_json|data|post|get)|r\.(formvalue|url\.query|body)|c\.(bind|shouldbind|param|query)|@requestbody|\$_(post|get|request)|params\[)"#),
            validation: re(r"(?i)\b(validat\w*|schema|joi|zod|yup|pydantic|marshmallow|@valid|sanitiz\w*|isemail|is_email|regex|re\.match|len\(|\.length|typeof|isinstance|badrequest|bad request|400|if not|if \(!|required|whitelist|allowlist|check\w*)\b"),
            select_star: re(r"(?i)\bselect\s+\*\s*(from\b|$|easier)|select star"),
            status_200_code: vec![
                re(r#"(?i)status\(\s*200\s*\)[^;\n]*\b(error|err|fail\w*|invalid|not found)\b"#),
                re(r#"(?i)\b(error|err|fail\w*|invalid|not found)\b[^;\n]*(status\(\s*200\s*\)|status_code\s*=\s*200|httpstatus\.ok|http\.statusok|,\s*200\s*\)?\s*$)"#),
                re(r#"(?i)(status\s*=\s*200|httpstatus\.ok|http\.statusok|writeheader\(\s*200\s*\))[^;\n]*\b(error|err|fail\w*)\b"#),
            ],
            status_200_prose: re(r"(?i)\b(return\w*|respond\w*|send\w*|reply)\b[^.?!]{0,20}\b200\b[^.?!]{0,30}\b(errors?|fail\w*|invalid)\b|\berrors?\b[^.?!]{0,30}\b(with|as)\s+(a\s+)?(status\s+)?200\b"),
            verb_url: re(r#"(?:^|[\s"'`(=,])(?:/[\w{}:.-]+)*/(?:get|create|update|delete|fetch|add|remove|make|do|set)(?:[A-Z_-][A-Za-z_]*)\b"#),
            db_call: re(r"(?i)(\.query\(|\.execute\(|\bdb\.\w+\(|\.save\(|\.find\w*\(|\bcursor\.|\.create\(|\.exec\(|queryrow\(|\.insert\(|\.update\(|\.delete\(|\.commit\()"),
            error_handling: re(r"(?i)(\btry\b|\bcatch\b|\bexcept\b|err\s*!=\s*nil|\.catch\(|\?;|result<|\brescue\b|onerror|error handling|if err|\bthrows\b|\.map_err|on_error|errorhandler|next\(err)"),
            code_markers: re(r"(?m)(;\s*$|\{\s*$|^\s*def |\bfunction\b|=>|\):\s*$|^\s*(const|let|var|func|public|private|import|from|return)\b|\bSELECT\b|\bINSERT\b)"),
        }
    })
}

fn finding(rule: &Rule, evidence: &str) -> Finding {
    let evidence: String = evidence.trim().chars().take(160).collect();
    Finding {
        id: rule.id.to_string(),
        severity: rule.severity,
        issue: rule.issue.to_string(),
        fix: rule.fix.to_string(),
        evidence,
    }
}

/// True if the text looks like (or contains) code.
pub fn looks_like_code(text: &str) -> bool {
    regexes().code_markers.find_iter(text).count() >= 2
}

/// Sentences of prose (not code lines) that match `re` and are not negated.
fn prose_hit<'a>(text: &'a str, re: &Regex) -> Option<&'a str> {
    let r = regexes();
    text.split_inclusive(['.', '?', '!', '\n'])
        .find(|s| re.is_match(s) && !r.negation.is_match(s))
}

/// Runs every detector over an answer.
pub fn detect(answer: &str) -> Vec<Finding> {
    let r = regexes();
    let mut out = Vec::new();
    let code = looks_like_code(answer);

    // --- Security (always first) ---
    let sql_code_hit = r
        .sql_code
        .iter()
        .find_map(|re| re.find(answer))
        .map(|m| m.as_str().to_string());
    if let Some(ev) = sql_code_hit.or_else(|| prose_hit(answer, &r.sql_prose).map(str::to_string)) {
        out.push(finding(&SQL_CONCAT, &ev));
    }
    let hashes = r.hashing.is_match(answer);
    let plaintext = r
        .password_prose
        .find(answer)
        .filter(|m| !r.negation.is_match(sentence_around(answer, m.start())))
        .map(|m| m.as_str().to_string())
        .or_else(|| {
            if hashes {
                return None;
            }
            r.password_assign
                .find(answer)
                .or_else(|| r.password_insert.find(answer))
                .map(|m| m.as_str().to_string())
        });
    if let Some(ev) = plaintext {
        out.push(finding(&PLAINTEXT_PASSWORD, &ev));
    }
    if answer.to_lowercase().contains("password") {
        let strong = Regex::new(r"(?i)\b(bcrypt|argon2\w*|scrypt|pbkdf2)\b")
            .map(|re| re.is_match(answer))
            .unwrap_or(false);
        if !strong {
            for m in r.weak_hash.find_iter(answer) {
                let sentence = sentence_around(answer, m.start());
                if r.negation.is_match(sentence) && !code {
                    continue;
                }
                let is_sha256 = m.as_str().to_lowercase().contains("256");
                if is_sha256 && r.salt.is_match(answer) {
                    continue;
                }
                out.push(finding(&WEAK_HASH, m.as_str()));
                break;
            }
        }
    }
    let secret = r
        .secret_literal
        .captures_iter(answer)
        .find(|c| {
            let value = c.get(3).map_or("", |m| m.as_str());
            !r.placeholder.is_match(value)
        })
        .map(|c| c[0].to_string())
        .or_else(|| r.secret_call.find(answer).map(|m| m.as_str().to_string()))
        .or_else(|| prose_hit(answer, &r.secret_prose).map(str::to_string));
    if let Some(ev) = secret {
        out.push(finding(&HARDCODED_SECRET, &ev));
    }
    if code {
        if let Some(m) = r.request_input.find(answer) {
            if !r.validation.is_match(answer) {
                out.push(finding(&NO_VALIDATION, m.as_str()));
            }
        }
    }

    // --- Major issues ---
    if let Some(m) = r.select_star.find(answer) {
        let sentence = sentence_around(answer, m.start());
        if code || !r.negation.is_match(sentence) {
            out.push(finding(&SELECT_STAR, m.as_str()));
        }
    }
    let status = r
        .status_200_code
        .iter()
        .find_map(|re| re.find(answer))
        .map(|m| m.as_str().to_string())
        .or_else(|| {
            prose_hit(answer, &r.status_200_prose)
                .filter(|s| !Regex::new(r"\b[45]\d\d\b").is_ok_and(|re| re.is_match(s)))
                .map(str::to_string)
        });
    if let Some(ev) = status {
        out.push(finding(&STATUS_200_ERRORS, &ev));
    }
    if let Some(m) = r.verb_url.find(answer) {
        out.push(finding(&VERBS_IN_URLS, m.as_str()));
    }
    if code {
        if let Some(m) = r.db_call.find(answer) {
            if !r.error_handling.is_match(answer) {
                out.push(finding(&NO_ERROR_HANDLING, m.as_str()));
            }
        }
    }
    out
}

/// The sentence (or code line) containing byte offset `at`.
fn sentence_around(text: &str, at: usize) -> &str {
    let at = at.min(text.len());
    let start = text[..at].rfind(['.', '?', '!', '\n']).map_or(0, |i| i + 1);
    let end = text[at..]
        .find(['.', '?', '!', '\n'])
        .map_or(text.len(), |i| at + i + 1);
    &text[start..end]
}

/// True if any finding is a security vulnerability.
pub fn has_security(findings: &[Finding]) -> bool {
    findings.iter().any(|f| f.severity == Severity::Security)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(answer: &str) -> Vec<String> {
        detect(answer).into_iter().map(|f| f.id).collect()
    }

    #[test]
    fn negated_prose_is_not_flagged() {
        assert!(
            ids("I would never concatenate user input into SQL; I use parameterized queries.")
                .is_empty()
        );
        assert_eq!(
            ids("I concatenate the username into the SQL query."),
            vec!["sql_concatenation"]
        );
    }
}
