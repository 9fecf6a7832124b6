//! Transcript normalisation: what a speech recogniser writes ("argon two",
//! "four twenty nine", "slash v1 slash users", "N plus one", "J W T") is
//! rewritten into the written forms the persona's patterns use ("argon2",
//! "429", "/v1/users", "N+1", "JWT") before anything is matched.
//!
//! The generic rules (numbers, symbols, spelled-out acronyms, version
//! suffixes) live here; a persona adds its own product names and common
//! mishearings in `[speech.normalize]`.

use std::sync::OnceLock;

use regex::{Captures, Regex};

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("normaliser regexes are static and valid")
}

/// Technical acronyms recognised when spelled letter by letter ("j w t").
const ACRONYMS: &[&str] = &[
    "jwt", "sql", "api", "apis", "apm", "dlq", "tls", "ssl", "xss", "cors", "csrf", "hmac", "acid",
    "uuid", "ssrf", "http", "https", "rpc", "grpc", "orm", "cdn", "dns", "ttl", "url", "urls",
    "json", "crud", "rest", "aws", "gcp", "sns", "sqs", "etl", "cpu", "ssh", "idor", "mfa", "otp",
    "pii", "sdk", "db", "io", "rds", "iam", "kms", "csp", "dom", "css", "html", "xml", "yaml",
    "csv", "cdc", "cqrs", "lru", "rbac", "abac", "sso", "saml", "oidc", "aes", "rsa", "md", "sha",
    "pbkdf", "fk", "pk", "nf", "ui", "ux", "spa", "ssr", "seo", "jvm", "gc", "ci", "cd", "vpc",
    "iops", "qps", "rps", "sla", "slo", "mq", "ack", "nack", "pr", "id", "ids", "ip", "tcp", "udp",
    "cli", "ide",
];

struct Rules {
    /// (pattern, replacement) applied in order.
    phrases: Vec<(Regex, &'static str)>,
    letters: Regex,
    numbers: Regex,
    slash: Regex,
    colon_after_slash: Regex,
    spaces_in_path: Regex,
}

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| {
        let p = |a: &str, b: &'static str| (re(a), b);
        Rules {
            phrases: vec![
                p(r"(?i)\bargon\s*-?\s*(?:two|2|to|too)\s*-?\s*(?:i\s*d|id)\b", "argon2id"),
                p(r"(?i)\bargon\s*-?\s*(?:two|2|to|too)\s*-?\s*i\b", "argon2i"),
                p(r"(?i)\bargon\s*-?\s*(?:two|2|to|too)\b", "argon2"),
                p(r"(?i)\b(?:b|bee|be)\s*-?\s*crypt\b", "bcrypt"),
                p(r"(?i)\b(?:s|ess)\s*-\s*crypt\b|\bess\s+crypt\b", "scrypt"),
                p(r"(?i)\b(?:m\s*\.?\s*d|md)\s*-?\s*(?:five|5)\b", "md5"),
                p(r"(?i)\b(?:sha|shaw|shah|s\s*h\s*a)\s*-?\s*(?:two\s*fifty\s*-?\s*six|two\s+five\s+six|2\s*56|256)\b", "sha256"),
                p(r"(?i)\b(?:sha|shaw|shah|s\s*h\s*a)\s*-?\s*(?:five\s+twelve|512)\b", "sha512"),
                p(r"(?i)\b(?:sha|shaw|shah|s\s*h\s*a)\s*-?\s*(?:one|1)\b", "sha1"),
                p(r"(?i)\b(?:sha|shaw|shah)\s*-?\s*(?:two|2)\b", "sha2"),
                p(r"(?i)\bpbkdf\s*-?\s*(?:two|2)\b|\bp\s*b\s*k\s*d\s*f\s*(?:two|2)\b", "pbkdf2"),
                p(r"(?i)\bbase\s*-?\s*(?:sixty\s*-?\s*four|64)\b", "base64"),
                p(r"(?i)\b(?:aes|a\s*e\s*s)\s*-?\s*(?:two\s*fifty\s*-?\s*six|256)\b", "AES-256"),
                p(r"(?i)\b(?:s|ess)\s*(?:three|3)\b", "S3"),
                p(r"(?i)\bec\s*(?:two|2)\b", "EC2"),
                p(r"(?i)\bhttp\s*(?:two|2)\b", "HTTP/2"),
                p(r"(?i)\b(?:o|oh)\s*-?\s*auth\s*(?:two|2)\b", "OAuth2"),
                p(r"(?i)\b(?:o|oh)\s*-?\s*auth\b", "OAuth"),
                p(r"(?i)\b(?:n|end|and|an)\s*(?:\+|plus)\s*(?:one|1)\b", "N+1"),
                p(r"(?i)\b(?:two|2)\s*-?\s*p\s*\.?\s*c\b", "2PC"),
                p(r"(?i)\b(?:three|3)\s*-?\s*n\s*\.?\s*f\b|\bthird\s+normal\s+form\b", "3NF"),
                p(r"(?i)\b(?:two|2)\s*-?\s*n\s*\.?\s*f\b|\bsecond\s+normal\s+form\b", "2NF"),
                p(r"(?i)\b(?:one|1)\s*-?\s*n\s*\.?\s*f\b|\bfirst\s+normal\s+form\b", "1NF"),
                p(r"(?i)\bv\s+(?:one|1)\b", "v1"),
                p(r"(?i)\bv\s+(?:two|2)\b", "v2"),
                p(r"(?i)\bh\s*-?\s*mac\b", "HMAC"),
                p(r"(?i)\bmy\s*-?\s*(?:sequel|s\s*q\s*l)\b", "MySQL"),
                p(r"(?i)\bno\s*-?\s*(?:sequel|s\s*q\s*l)\b", "NoSQL"),
                p(r"(?i)\bpost\s*-?\s*gres(?:\s*(?:sequel|q\s*l|sql))?\b|\bpostgre\s*sql\b", "PostgreSQL"),
                p(r"(?i)\bsequel\s*-?\s*lite\b", "SQLite"),
                p(r"(?i)\bsequel\b", "SQL"),
                p(r"(?i)\b(?:item|idem|i\s+dem|idom|i\s+them)\s*-?\s*potent\b", "idempotent"),
                p(r"(?i)\b(?:item|idem|i\s+dem|idom|i\s+them)\s*-?\s*poten(?:cy|ce)\b", "idempotency"),
                p(r"(?i)\bdead\s*-?\s*letter\s*(?:q|cue|queue)\b", "dead letter queue"),
                p(r"(?i)\bcashing\b", "caching"),
                p(r"(?i)\bcashed\b", "cached"),
                p(r"(?i)\bcash(?:es)?\s+(hit|hits|miss|misses|invalidat\w*|layer|key|keys|aside|ttl|eviction|warm\w*|stampede|entry|entries)\b", "cache $1"),
                p(r"(?i)\b(a|the|redis|in-memory|memory|local|distributed|write-through|read-through|response|query)\s+cash\b", "$1 cache"),
                p(r"(?i)\b(?:playing|plane|plaine?)\s*-?\s*texts?\b", "plain text"),
                p(r"(?i)\bweb\s+hooks?\b", "webhook"),
                p(r"(?i)\bmulti\s+part\b", "multipart"),
                p(r"(?i)\bpre\s*-?\s*signed\b", "presigned"),
                p(r"(?i)\bback\s+off\b", "backoff"),
                p(r"(?i)\broll\s+back\b", "rollback"),
                p(r"(?i)\bretry\s+after\b", "Retry-After"),
                p(r"(?i)\b(\w)\s+dot\s+(js|net|com|env|io|py|rb|go|ts)\b", "$1.$2"),
                p(r"(?i)\bdot\s+env\b", ".env"),
                p(r"(?i)\bselect\s+star\b", "SELECT *"),
                p(r"(?i)\bpercent\s+s\b", "%s"),
                p(r"(?i)\bdollar\s+(one|two|three|1|2|3)\b", "$$$1"),
                p(r"(?i)\bquestion\s+marks?\s+placeholders?\b", "? placeholders"),
            ],
            letters: re(r"(?i)\b(?:[a-z]\.?\s+){1,5}[a-z]\b\.?"),
            numbers: re(
                r"(?i)\b(?:(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|a hundred|a thousand)(?:\s+and\s+|[\s-]+)?)+\b",
            ),
            slash: re(r"(?i)\s*\b(?:forward\s+)?slash\s+"),
            colon_after_slash: re(r"(?i)/colon\s+"),
            spaces_in_path: re(r"/(\w+)\s+/"),
        }
    })
}

fn digit(word: &str) -> Option<u64> {
    Some(match word {
        "zero" | "oh" => 0,
        "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        _ => return None,
    })
}

fn teen_or_tens(word: &str) -> Option<u64> {
    Some(match word {
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "thirteen" => 13,
        "fourteen" => 14,
        "fifteen" => 15,
        "sixteen" => 16,
        "seventeen" => 17,
        "eighteen" => 18,
        "nineteen" => 19,
        "twenty" => 20,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => return None,
    })
}

/// Converts one run of spoken number words; `None` leaves it as words
/// (a lone "one" or "two" is usually not a number: "one query per post").
fn spoken_number(run: &str) -> Option<String> {
    let words: Vec<String> = run
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|w| !w.is_empty() && *w != "and")
        .map(str::to_lowercase)
        .collect();
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        [] => None,
        // "oh" and lone digits stay words.
        [w] if digit(w).is_some() => None,
        ["a", "hundred"] | ["one", "hundred"] | ["hundred"] => Some("100".into()),
        ["a", "thousand"] | ["one", "thousand"] | ["thousand"] => Some("1000".into()),
        _ => {
            let mut total: u64 = 0;
            let mut current: u64 = 0;
            let mut digits = String::new();
            let mut i = 0;
            // "four twenty nine", "four oh four", "two fifty six": spoken digit groups.
            if let (Some(first), Some(second)) =
                (words.first().and_then(|w| digit(w)), words.get(1))
            {
                if *second != "hundred"
                    && *second != "thousand"
                    && (teen_or_tens(second).is_some() || *second == "oh" || *second == "zero")
                {
                    digits.push_str(&first.to_string());
                    i = 1;
                    while i < words.len() {
                        let w = words[i];
                        if let Some(t) = teen_or_tens(w) {
                            if t >= 20 {
                                if let Some(o) =
                                    words.get(i + 1).and_then(|n| digit(n)).filter(|d| *d > 0)
                                {
                                    digits.push_str(&(t + o).to_string());
                                    i += 2;
                                    continue;
                                }
                            }
                            digits.push_str(&t.to_string());
                        } else if let Some(d) = digit(w) {
                            digits.push_str(&d.to_string());
                        } else {
                            return None;
                        }
                        i += 1;
                    }
                    return Some(digits);
                }
            }
            let mut previous_small = false;
            while i < words.len() {
                let w = words[i];
                if let Some(d) = digit(w) {
                    // "four and five", "one two": a list, not one number.
                    if previous_small && !current.is_multiple_of(10) {
                        return None;
                    }
                    current += d;
                    previous_small = true;
                } else if let Some(t) = teen_or_tens(w) {
                    if !current.is_multiple_of(100) {
                        return None;
                    }
                    current += t;
                    previous_small = t >= 20;
                } else if w == "hundred" {
                    current = current.max(1) * 100;
                    previous_small = false;
                } else if w == "thousand" {
                    total += current.max(1) * 1000;
                    current = 0;
                    previous_small = false;
                } else if w == "a" {
                    // "a hundred", "a thousand"
                } else {
                    return None;
                }
                i += 1;
            }
            Some((total + current).to_string())
        }
    }
}

/// Rewrites spoken forms into written ones with the generic rules and the
/// persona's `extra` (phrase, written form) pairs.
pub fn normalize(text: &str, extra: &[(Regex, String)]) -> String {
    let r = rules();
    let mut out = text.to_string();
    for (from, to) in extra {
        if from.is_match(&out) {
            out = from.replace_all(&out, to.as_str()).into_owned();
        }
    }
    // Spelled-out acronyms first, so "s h a two fifty six" and "j w t" join.
    if r.letters.is_match(&out) {
        out = r
            .letters
            .replace_all(&out, |c: &Captures| {
                let run = &c[0];
                let letters: Vec<char> =
                    run.chars().filter(|ch| ch.is_ascii_alphabetic()).collect();
                let trailing = if run.ends_with(char::is_whitespace) {
                    " "
                } else {
                    ""
                };
                // "use a p i": the article stays, the rest may be an acronym.
                for skip in 0..letters.len().saturating_sub(1) {
                    let joined: String = letters[skip..].iter().collect();
                    if ACRONYMS.contains(&joined.to_lowercase().as_str()) {
                        let kept: String =
                            letters[..skip].iter().map(|l| format!("{l} ")).collect();
                        return format!("{kept}{}{trailing}", joined.to_uppercase());
                    }
                }
                run.to_string()
            })
            .into_owned();
    }
    for (from, to) in &r.phrases {
        if from.is_match(&out) {
            out = from.replace_all(&out, *to).into_owned();
        }
    }
    if r.numbers.is_match(&out) {
        out = r
            .numbers
            .replace_all(&out, |c: &Captures| {
                let run = &c[0];
                let mut trimmed = run.trim_end();
                // "four oh four and a …": the joiner belongs to the sentence.
                for joiner in [" and", " And"] {
                    if let Some(t) = trimmed.strip_suffix(joiner) {
                        trimmed = t;
                    }
                }
                let trail = &run[trimmed.len()..];
                match spoken_number(trimmed) {
                    Some(n) => format!("{n}{trail}"),
                    None => run.to_string(),
                }
            })
            .into_owned();
    }
    if out.to_lowercase().contains("slash") {
        out = r.slash.replace_all(&out, "/").into_owned();
        out = r.colon_after_slash.replace_all(&out, "/:").into_owned();
        while r.spaces_in_path.is_match(&out) {
            out = r.spaces_in_path.replace_all(&out, "/$1/").into_owned();
        }
    }
    out
}

/// Compiles a persona's `[speech.normalize]` table: each key is a spoken
/// phrase (case-insensitive, whole words, any spacing or hyphen between
/// words), each value its written form.
pub fn compile_extra<'a>(
    pairs: impl IntoIterator<Item = (&'a String, &'a String)>,
) -> Result<Vec<(Regex, String)>, String> {
    let mut out = Vec::new();
    for (from, to) in pairs {
        let words: Vec<String> = from.split_whitespace().map(regex::escape).collect();
        if words.is_empty() {
            return Err("empty phrase in [speech.normalize]".into());
        }
        let pattern = format!(r"(?i)\b{}\b", words.join(r"[\s-]+"));
        let re = Regex::new(&pattern).map_err(|e| format!("[speech.normalize] {from:?}: {e}"))?;
        out.push((re, to.replace('$', "$$")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        normalize(s, &[])
    }

    #[test]
    fn spoken_numbers_become_digits() {
        assert_eq!(n("return four twenty nine"), "return 429");
        assert_eq!(n("a four oh four and a five hundred"), "a 404 and a 500");
        assert_eq!(n("two hundred and one"), "201");
        assert_eq!(
            n("top ten in the last thirty days"),
            "top 10 in the last 30 days"
        );
        assert_eq!(n("one query per post"), "one query per post");
        assert_eq!(n("one hundred requests per hour"), "100 requests per hour");
    }

    #[test]
    fn symbols_acronyms_and_products() {
        assert_eq!(n("slash v1 slash users slash colon id"), "/v1/users/:id");
        assert_eq!(n("the N plus one problem"), "the N+1 problem");
        assert_eq!(n("hash with argon two i d"), "hash with argon2id");
        assert_eq!(n("use argon two"), "use argon2");
        assert_eq!(n("a J W T in the header"), "a JWT in the header");
        assert_eq!(n("sha two fifty six"), "sha256");
        assert_eq!(n("md five is broken"), "md5 is broken");
        assert_eq!(n("bee crypt"), "bcrypt");
        assert_eq!(
            n("store it in playing text so support can read it"),
            "store it in plain text so support can read it"
        );
        assert_eq!(n("an item potency key"), "an idempotency key");
        assert_eq!(n("sequel injection"), "SQL injection");
        assert_eq!(n("post gres"), "PostgreSQL");
        assert_eq!(n("redis cash hit rate"), "redis cache hit rate");
    }
}
