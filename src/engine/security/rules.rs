//! The built-in code analysers, one function per vulnerability class, each
//! returning the evidence it found. A persona's catalogue entry names one
//! with `code = "<id>"`; see [`analyser`].

use std::collections::HashSet;
use std::sync::OnceLock;

use regex::Regex;

use super::code::{self, Code};
use super::{access, sql};

/// A code analyser: the evidence of the flaw in this answer, if any.
pub type Analyser = fn(&Code) -> Option<String>;

/// The table of built-in analysers, by id.
pub const ANALYSERS: &[(&str, Analyser)] = &[
    ("sql_concatenation", sql_injection),
    ("nosql_injection", nosql_injection),
    ("plaintext_password", plaintext_password),
    ("reversible_password", reversible_password),
    ("weak_password_hash", weak_password_hash),
    ("hardcoded_secret", hardcoded_secret),
    ("secret_in_logs", secret_in_logs),
    ("unsafe_file_upload", unsafe_file_upload),
    ("unsigned_webhook", unsigned_webhook),
    ("ssrf", ssrf),
    ("tls_verification_disabled", tls_verification_disabled),
    ("cors_any_origin_credentials", cors_any_origin_credentials),
    ("xss", xss),
    ("jwt_unverified", jwt_unverified),
    ("command_injection", command_injection),
    ("path_traversal", path_traversal),
    ("insecure_deserialization", insecure_deserialization),
    ("no_input_validation", no_input_validation),
    ("missing_authentication", access::missing_authentication),
    ("missing_authorization", access::missing_authorization),
    ("select_star", select_star),
    ("status_200_for_errors", status_200_for_errors),
    ("verbs_in_urls", verbs_in_urls),
    ("no_error_handling", no_error_handling),
];

/// The analyser with this id.
pub fn analyser(id: &str) -> Option<Analyser> {
    ANALYSERS.iter().find(|(n, _)| *n == id).map(|(_, f)| *f)
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("analyser regexes are static and valid")
}

fn first(re: &Regex, text: &str) -> Option<String> {
    re.find(text).map(|m| clip(m.as_str()))
}

fn clip(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(160)
        .collect()
}

struct Regexes {
    input: Regex,
    annotated_param: Regex,
    signature: Regex,
    shell_marker: Regex,
    process_sink: Regex,
    fixed_program: Regex,
    backtick_command: Regex,
    shell_escape: Regex,
    compound_assignment: Regex,
    string_literal: Regex,
    ruby_interpolation: Regex,
    fixed_host_url: Regex,
    require_request: Regex,
    node_request_call: Regex,
    trusted_markup: Regex,
    response_writer: Regex,
    python_subprocess: Regex,
    assignment: Regex,
    password_word: Regex,
    strong_hash: Regex,
    weak_hash_call: Regex,
    reversible: Regex,
    password_assign: Regex,
    password_insert: Regex,
    password_store_call: Regex,
    secret_assign: Regex,
    secret_call: Regex,
    secret_empty_call: Regex,
    placeholder: Regex,
    log_call: Regex,
    sensitive: Regex,
    redaction: Regex,
    upload_name: Regex,
    upload_safe: Regex,
    webhook_route: Regex,
    signature_check: Regex,
    fetch_call: Regex,
    allow_list: Regex,
    tls_off: Regex,
    cors_any: Regex,
    cors_credentials: Regex,
    cors_combined: Regex,
    xss_sink: Regex,
    xss_server: Regex,
    xss_safe: Regex,
    jwt_off: Regex,
    jwt_decode_js: Regex,
    jwt_verify_js: Regex,
    jwt_decode_java: Regex,
    jwt_require_java: Regex,
    shell_call: Regex,
    shell_list: Regex,
    file_open: Regex,
    path_safe: Regex,
    deserialize: Regex,
    nosql_call: Regex,
    nosql_where: Regex,
    nosql_safe: Regex,
    validation: Regex,
    select_star: Regex,
    status_200_code: Vec<Regex>,
    status_200_prose: Regex,
    status_4xx: Regex,
    verb_url: Regex,
    db_call: Regex,
    error_handling: Regex,
    negation: Regex,
    secret_empty_assign: Regex,
    secret_value: Regex,
    secret_named: Regex,
    mass_assignment: Regex,
    secret_fallback: Regex,
    conn_string: Regex,
    secret_setter: Regex,
    secret_positional: Regex,
    signing_key_use: Regex,
    literal_assign: Regex,
    password_compare: Regex,
    password_setter: Regex,
    jwt_manual: Regex,
    nosql_call_any: Regex,
    decode_into: Regex,
    request_object: Regex,
    whole_headers: Regex,
    numeric_request_field: Regex,
    value_validation: Regex,
    request_body_read: Regex,
    event_type_check: Regex,
    hook_name: Regex,
    event_header: Regex,
    bare_print: Regex,
    code_argument: Regex,
    weak_hash_column: Regex,
    whole_body: Regex,
    php_nosql_call: Regex,
    php_request_value: Regex,
    route_param: Regex,
    url_field: Regex,
    extension_check: Regex,
    content_check: Regex,
    upload_context: Regex,
    raw_sql_sink: Regex,
    list_element_write: Regex,
    concatenated_value: Regex,
    html_shape: Regex,
    html_out: Regex,
    converted: Regex,
    table_lookup: Regex,
    own_function: Regex,
    cors_reflected: Regex,
    origin_allow_list: Regex,
    bare_loads_import: Regex,
    bare_loads_call: Regex,
    safe_yaml: Regex,
    fixed_file_open: Regex,
    call_name: Regex,
    remote_interface: Regex,
    remote_method_param: Regex,
    rails_sql_option: Regex,
}

fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| Regexes {
        input: re(
            r#"(?i)\breq\.(?:body|query|params|headers|cookies|files?|getParameter\w*|getHeader\w*|getQueryString|getCookies|getInputStream|getReader)\b|\brequest\.(?:args|form|json|values|data|files|get_json|get_data|stream|GET|POST|FILES|body|query_params|params|headers|cookies|getParameter\w*|getHeader\w*|getQueryString|QueryString|Form|Query|Url)\b|\bparams\s*\[|\bparams\.\w+|\bcookies\s*\[|\$request->(?:input|json|all|query|get|post|file|cookie|header|route|string|integer)\b|\bgetClientOriginalName\(\)|\$_(?:GET|POST|REQUEST|COOKIE|FILES|SERVER)\b|\br\.(?:URL\.Query|FormValue|PostFormValue|Form|PostForm|Body|Header\.Get|URL\.Path)\b|\bc\.(?:Query|Param|PostForm|FormValue|GetHeader|DefaultQuery|Params\.ByName|FormFile)\b|\bctx\.(?:query|params|request\.body|req\.body)\b|\bevent\[['"]\w+['"]\]|\bevent\.(?:get\(|body\b|queryStringParameters\b|pathParameters\b)|\bsearchParams\.get\(|\blocation\.(?:search|hash|href)\b|\b(?:event|e|message|msg)\.data\b|\bgetQueryParameter\(|\bRequest\.(?:Query|Form|Body|QueryString|Params)\b|\binput\(\)|\bsys\.argv\b|\bURLSearchParams\b"#,
        ),
        annotated_param: re(
            r"(?:@RequestParam|@PathVariable|@RequestBody|@RequestHeader|@QueryParam|@PathParam|@FormParam|@HeaderParam|@CookieValue|\[FromQuery\]|\[FromBody\]|\[FromRoute\]|\[FromForm\])(?:\([^)]*\))?\s+(?:final\s+)?[\w<>\[\]]+\s+(\w+)",
        ),
        shell_marker: re(r#"(?i)['"](?:-c|/c)['"]|['"](?:/bin/)?(?:ba)?sh['"]\s*,\s*['"]-c|cmd(?:\.exe)?['"]\s*,\s*['"]/c"#),
        process_sink: re(r#"(?i)\b(?:Process\.Start|ProcessStartInfo|StartInfo\.(?:FileName|Arguments)|FileName\s*=|Arguments\s*=|exec\.Cmd|\bArgs\s*:\s*\[\]string\s*\{|exec\.Command(?:Context)?|syscall\.Exec|ProcessBuilder|\.command\(|Runtime\.getRuntime\(\)\.exec|\brt\.exec|(?-i:\.exec)\(|Open3\.\w+|Kernel\.(?:system|exec|spawn|open)|IO\.popen|%x[({\[]|spawnSync|spawn|execFile(?:Sync)?|shell\.exec|subprocess_shell|create_subprocess_shell|create_subprocess_exec|posix_spawnp?|os\.exec\w+|os\.spawn\w*|subprocess\.\w+|os\.system|os\.popen|shell_exec|passthru|proc_open|popen|\bsystem\s*\(|pcntl_exec|open\(\s*['"]\|)"#),
        fixed_program: re(r#"(?i)\bexec\.CommandContext\s*\(\s*\w+\s*,\s*['"][\w./-]+['"]\s*,|\b(?:spawn|spawnSync|execFile(?:Sync)?|exec\.Command|ProcessBuilder|\.command|subprocess\.\w+|Open3\.\w+|create_subprocess_exec|system|Kernel\.system|proc_open|pcntl_exec)\s*\(\s*(?:\[\s*)?['"][\w./-]+['"]\s*,"#),
        trusted_markup: re(r"\b(?:template\.(?:HTML|JS|HTMLAttr|URL|CSS|JSStr|Srcset)|HtmlString|MvcHtmlString|Html\.Raw|mark_safe|Markup|SafeString|SafeText|bypassSecurityTrust\w+|new\s+Handlebars\.SafeString)\s*\(|\.html_safe\b|(?:^|[^.\w])raw\s*\("),
        response_writer: re(r#"(?i)\b(?:getWriter\(\)\.(?:print|write|append|format)\w*|writer\.(?:print|write|append|format)\w*|out\.(?:format|printf|write|append)\s*\(|out\.print(?:ln)?|w\.Write|fmt\.Fprint\w*\(\s*w\b|io\.WriteString\(\s*w\b|res\.(?:send|write|end)\s*\(|response\.(?:write|getWriter)|Response\.Write|echo|print\s*\(?\s*["'$]|printf\s*\(\s*["'$]|HttpResponse|render\s+inline:)"#),
        fixed_host_url: re(r#"^f?["'`]https?://[A-Za-z0-9.-]+(?::\d+)?/"#),
        require_request: re(r#"require\(\s*["']request["']\s*\)|from\s+["']request["']"#),
        node_request_call: re(r"\brequest(?:\.(?:get|post|put|head|patch|del))?\s*\(\s*([^;\n]*)"),
        ruby_interpolation: re(r"#\{([^}]*)\}"),
        string_literal: re(r#""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"#),
        compound_assignment: re(r"^\s*((?:\$?[A-Za-z_]\w*\s*,\s*)*\$?[A-Za-z_]\w*)\s*(?:\+=|\.=|:=|<<)\s*(.+)$"),
        shell_escape: re(r"(?i)\b(?:escapeshellarg|escapeshellcmd|shlex\.quote|shellescape|Shellwords\.escape|ShellEscape|pipes\.quote)\b"),
        python_subprocess: re(r"\bsubprocess\.\w+\(\s*\[?\s*([^,\])]*)"),
        backtick_command: re(r"`[^`\n]*#\{|%x[({\[][^)}\]\n]*#\{"),
        signature: re(
            r"(?m)^[ \t]*(?:(?:public|private|protected|internal|static|async|final|override|virtual|export|synchronized|def|function|func|fn|void)\s+)+[^(\n=]*?\(([^()\n]*)\)|\(([^()\n]*)\)\s*=>",
        ),
        assignment: re(
            r"(?m)(?:^|[\s;{(,])(?:(?:const|let|var|final|val|auto|string|String|int|var)\s+)?\{?\s*(\$?[A-Za-z_]\w*)\s*\}?\s*(?::\s*[\w<>\[\]]+\s*)?(?::=|=)(?:[^=>]|$)\s*(.*)$",
        ),
        password_word: re(r"(?i)\b(?:\w*passw(?:or)?d\w*|pwd|pw|passwd|pass|secret_?answer|pin)\b"),
        strong_hash: re(r"(?i)\b(?:bcrypt|argon2\w*|scrypt|pbkdf2\w*|password_hash\s*\(|create_user|create_superuser|HashPassword|hash_password|hashPassword|hasher|Hasher|password_digest|Devise|hashpw|generate_password_hash|make_password|has_secure_password|passlib|PasswordHasher|hashSync|Rfc2898DeriveBytes|BCrypt|Argon2|SCrypt|PBKDF2WithHmacSHA\d+|SecretKeyFactory|set_password|check_password|crypto\.scrypt\w*|KeyDerivation\.Pbkdf2|password_verify)\b"),
        weak_hash_call: re(
            r#"(?i)\bhashlib\.(?:md5|sha1|sha224|sha256|sha384|sha512|sha3_\d+|blake2\w)\s*\(|\bhashlib\.new\(\s*['"](?:md5|sha1|sha256|sha512)['"]|\bcreateHash\(\s*['"](?:md5|sha1|sha256|sha512)['"]\s*\)|MessageDigest\.getInstance\(\s*"(?:MD5|SHA-?1|SHA-?256|SHA-?512)"|\bDigestUtils\.(?:md5|sha1|sha256|sha512)\w*\s*\(|\bDigest::(?:MD5|SHA1|SHA256|SHA2|SHA512)\b|\b(?:md5|sha1)\s*\(|\bhash\(\s*['"](?:md5|sha1|sha256|sha512)['"]|\b(?:MD5|SHA1|SHA256|SHA512)(?:Managed)?\.Create\(\)|\b(?:md5|sha1|sha256|sha512)\.(?:Sum\w*|New)\(|\bHashing\.(?:md5|sha1|sha256)\(|\bCryptoJS\.(?:MD5|SHA1|SHA256)\(|\bOpenSSL::Digest::(?:MD5|SHA1|SHA256)\b|\bComputeHash\("#,
        ),
        reversible: re(r"(?i)\b(?:encrypt\w*|decrypt\w*|cipher\w*|AES\w*|Fernet|base64\w*|b64encode|btoa|Base64|createCipheriv|Cipher\.getInstance|openssl_encrypt|crypt\.encrypt|rot13|xor)\b"),
        password_assign: re(r#"(?i)\bpassword\w*\s*[:=]\s*(?:req|request|params|body|input|data|form|ctx|c|dto|payload|user_data|userData|args)\b[\w.\[\]'"()]*password"#),
        password_insert: re(r"(?i)insert\s+into\s+\w*users?\w*\s*\([^)]*\bpassword\b"),
        password_store_call: re(r#"(?i)\.(?:create|insert\w*|save|update|build|new)\s*\([^;]*\bpassword\s*[:=]>?\s*(?:req|request|params|body|data|form|dto|input|payload)\b[\w.\[\]'"()]*password"#),
        secret_assign: re(
            r#"(?i)\b[\w.\[\]'"]*(?:secret|api[_-]?key|apikey|private[_-]?key|access[_-]?token|auth[_-]?token|signing[_-]?key|jwt[_-]?key|hmac[_-]?key|client[_-]?secret|passw(?:or)?d|pwd|credentials?|token[_-]?secret|pepper|encryption[_-]?key|webhook[_-]?secret|AWS_SECRET\w*)\w*['"\]]*\s*(?::\s*[\w<>]+\s*)?(?:=|:|=>)\s*(?:\[\]byte\(|str\(|String\(|Encoding\.\w+\.GetBytes\()?\s*[bru]?["']([^"'\n]{3,})["']"#,
        ),
        secret_call: re(
            r#"(?i)\b(?:jwt\.(?:sign|encode|decode|verify)|JWT\.(?:encode|decode)|Jwts\.builder\(\)[^;]*signWith|signWith|Algorithm\.HMAC\d+|hmac\.new|Hmac\w*\.new_from_slice|crypto\.createHmac|HMACSHA\d+|SigningCredentials|SymmetricSecurityKey|JWT::(?:encode|decode)|new\s+Key|SignedString|jws\.sign|hash_hmac|hmacShaKeyFor|HmacUtils\w*|new\s+SecretKeySpec)\s*\([^;\n]*?["']([^"'\n]{2,})["']"#,
        ),
        secret_empty_call: re(
            r#"(?i)\b(?:jwt\.(?:sign|encode)\s*\(\s*[^,()]+,\s*(?:""|''|None|null|nil|undefined)\s*[,)]|JWT\.encode\s*\(?\s*[^,()]+,\s*(?:nil|""|'')|Algorithm\.HMAC\d+\(\s*""\s*\)|SignedString\(\s*\[\]byte\(\s*""\s*\)\)|JWT::encode\(\s*[^,()]+,\s*(?:''|""|null))"#,
        ),
        placeholder: re(r"(?i)^(?:\$\{.*\}|<.*>|x+|\*+|\.+|changeme|change[_-]?me|your[_-].*|env|process\.env.*|os\.environ.*|redacted|required.*|string|text|password|hidden|secret|example.*|dummy|test|todo|none|null|\{\{.*\}\}|%\(.*\)s|\$\w+|[a-z_]+_here|\*\*\*.*|min:.*|confirmed.*|sometimes.*|nullable.*)$"),
        log_call: re(
            r#"(?i)\b(?:console\.(?:log|info|debug|warn|error)|log(?:ger|ging)?\.(?:info|debug|warn|warning|error|trace|log|printf?|println|fatal|critical|exception|Info\w*|Debug\w*|Warn\w*|Error\w*)|(?:_logger|Logger|logger|LOG|LOGGER|Log)\.(?:Log\w*|info|debug|warn|error|Info\w*|Debug\w*|Warn\w*|Error\w*)|Rails\.logger\.\w+|error_log|System\.(?:out|err)\.print\w*|fmt\.Print\w*|log\.Print\w*|print|puts|pp|echo\s+json|Debug\.WriteLine|Console\.WriteLine|slog\.\w+|zap\.\w+)\s*\(?([^;\n]*)"#,
        ),
        sensitive: re(r"(?i)\b(?:\w*passw(?:or)?d\w*|\w*_pass|passwd|pwd|\w*token\w*|\w*secret\w*|api_?key|apikey|authorization|credentials?|card_?number|cvv|cvc|ssn|req\.body|request\.body|request\.json|request\.data|request\.form|request\.get_json\(\)|r\.Body|req\.headers|request\.headers|ctx\.request\.body)\b|\$_(?:POST|REQUEST|COOKIE)|\bparams(?:\.(?:inspect|to_unsafe_h|to_h|to_json|to_s|as_json|permit!))*(?:\s|$)"),
        redaction: re(r"(?i)last_?4|slice\(\s*-4|\b(?:redact\w*|mask\w*|scrub\w*|filter_params|filter_parameters|sanitiz\w*|omit|without_password|except\(|\[FILTERED\]|exclude|censor\w*|len\(|length|\.id|_id|jti|hash\w*|fingerprint|last4|last_four|prefix|\.count)\b"),
        upload_name: re(
            r#"(?i)(?:\bfile\w*\.(?:filename|originalname|original_filename|FileName|name)\b|\bf\.filename\b|\bupload\w*\.(?:filename|original_filename|originalname)\b|\$_FILES\s*\[[^\]]+\]\s*\[\s*['"]name['"]\s*\]|\bheader\.Filename\b|\bhandler\.Filename\b|\bpart\.(?:FileName|filename)\(\)|\bgetOriginalFilename\(\)|\bgetSubmittedFileName\(\)|\bIFormFile\b[^;]*\.FileName|\bformFile\.FileName|\bfile\.FileName\b)"#,
        ),
        upload_safe: re(r"(?i)\b(?:secure_filename|sanitize_filename|uuid\w*|Guid\.NewGuid|randomUUID|random_bytes|token_hex|nanoid|GetRandomFileName|basename|filepath\.Base|Path\.GetFileName|File\.basename|path\.basename|slugify|hashlib|sha256)\b"),
        webhook_route: re(r#"(?i)(?:route|post|Post|PostMapping|HttpPost|app\.(?:post|route)|router\.post|@app\.post|HandleFunc|Handle)\s*\(\s*["'][^"']*webhook"#),
        signature_check: re(r"(?i)\b(?:signature|hmac|verify\w*|construct_?event|constructEvent|X-Hub-Signature|Stripe-Signature|compare_digest|timingSafeEqual|secure_compare|ConstantTimeCompare|FixedTimeEquals|hash_equals|webhook_secret|signing_secret)\b"),
        fetch_call: re(
            r#"(?i)\b(?:requests\.(?:get|post|put|head|request)|urllib\.request\.urlopen|urlopen|httpx\.(?:get|post)|aiohttp\.ClientSession\(\)\.get|session\.get|fetch|axios(?:\.(?:get|post|request))?|got|needle\.get|http\.(?:Get|Post|NewRequest)|client\.(?:Get|Post|PostForm|Head|Do|GetAsync|GetStringAsync|PostAsync|SendAsync)|new\s+RestClient|RestClient|WebRequest\.Create|HttpWebRequest\.Create|Net::HTTP::\w+\.new|HttpClient\(\)\.GetAsync|GetAsync|GetStringAsync|WebClient\(\)\.DownloadString|DownloadString|Net::HTTP\.get\w*|URI\.open|open-uri|HTTParty\.get|Faraday\.get|RestClient\.get|file_get_contents|curl_init|new\s+URL|RestTemplate\(\)\.getForObject|restTemplate\.\w+|WebClient\.create|openConnection|Jsoup\.connect)\s*\(\s*([^;\n]*)|curl_setopt\([^,]+,\s*CURLOPT_URL\s*,\s*([^;\n]*)"#,
        ),
        allow_list: re(r"(?i)\b(?:allow_?list\w*|allowed_?\w*|white_?list\w*|ALLOWED\w*|is_private|is_loopback|is_reserved|is_link_local|private_?ip\w*|ipaddress|IPAddress|isPrivate|is_safe_url|validate_url|safe_url|trusted_hosts?|permitted_hosts?|netloc\s+in|hostname\s+in|host\s+in|in\s+ALLOWED)\b"),
        tls_off: re(
            r#"(?i)\bverify\s*=\s*False\b|\brejectUnauthorized\s*:\s*false\b|NODE_TLS_REJECT_UNAUTHORIZED\s*=\s*['"]?0|\bInsecureSkipVerify\s*:\s*true\b|\bCERT_NONE\b|\bcheck_hostname\s*=\s*False\b|_create_unverified_context|\bVERIFY_NONE\b|CURLOPT_SSL_VERIFYPEER\s*,\s*(?:false|0)\b|CURLOPT_SSL_VERIFYHOST\s*,\s*(?:false|0)\b|ServerCertificate(?:Custom)?ValidationCallback\s*(?:\+?=)[^;]*(?:=>\s*true|DangerousAcceptAnyServerCertificateValidator)|DangerousAcceptAnyServerCertificateValidator|\bTrustAll\w*|\bNoopHostnameVerifier\b|ALLOW_ALL_HOSTNAME_VERIFIER|setHostnameVerifier\([^)]*->\s*true|\bstrictSSL\s*:\s*false\b|\bssl_verify\w*\s*[:=]\s*(?:false|False|0)\b|\binsecure\s*:\s*true\b|\bverify_ssl\s*=\s*False\b|\bssl\s*=\s*False\b|checkServerTrusted\([^)]*\)\s*(?:throws\s+\w+\s*)?\{\s*\}|\bverify:\s*false\b|--insecure\b|\bcurl\s+-k\b"#,
        ),
        cors_any: re(
            r#"(?i)Access-Control-Allow-Origin['"]?\s*[,:=]\s*['"]?\*|Access-Control-Allow-Origin['"]?\s*[,:=]\s*(?:req|request|r)\.(?:headers?|Header)[.\[(]\s*(?:get\s*\(\s*)?['"]?origin|\borigin\s*:\s*(?:true|['"]\*['"])|\borigins?\s*[:=]\s*['"]\*['"]|\borigin\s*:\s*\(?\s*\w*\s*,?\s*\w*\s*\)?\s*=>\s*\w*\(?\s*null\s*,\s*true|AllowAnyOrigin\(\)|SetIsOriginAllowed\(\s*_?\w*\s*=>\s*true\s*\)|AllowOriginFunc\s*:\s*func\([^)]*\)\s*bool\s*\{\s*return\s+true|AllowAllOrigins\s*:\s*true|CORS_(?:ORIGIN_)?ALLOW_ALL(?:_ORIGINS)?\s*=\s*True|allowedOrigin(?:Pattern)?s\(\s*"\*"\s*\)|@CrossOrigin\(\s*(?:origins\s*=\s*)?"\*"|origins\s+['"]\*['"]|CORS\(\s*app\s*(?:,\s*supports_credentials\s*=\s*True\s*)?\)|AllowedOrigins\s*:\s*\[\]string\{\s*"\*"\s*\}|setHeader\(\s*['"]Access-Control-Allow-Origin['"]\s*,\s*(?:req\.headers\.origin|origin)\s*\)|Header\(\)\.Set\(\s*"Access-Control-Allow-Origin"\s*,\s*r\.Header\.Get\(\s*"Origin"\s*\)\)|setAllowedOrigin(?:Pattern)?s\(\s*(?:List\.of|Arrays\.asList|Collections\.singletonList)?\(?\s*"\*"|addAllowedOrigin(?:Pattern)?\(\s*"\*"|allow_origin_regex\s*=\s*['"]\.\*|origins\s+/\.\*/|["']origins["']\s*:\s*["']\*["']|Access-Control-Allow-Origin[^;\n]*(?:HTTP_ORIGIN|headers\.origin|Header\.Get\(\s*"Origin"|headers\[['"]Origin|headers\.get\(\s*['"]origin|Request\.Headers\["Origin"\])|allow_origins\s*=\s*\[\s*["']\*["']|AllowOrigins\s*:\s*\[\]string\{\s*"\*"|WithOrigins\(\s*"\*"\s*\)|CORS_ORIGIN_WHITELIST\s*=\s*\[\s*["']\*"#,
        ),
        cors_credentials: re(r#"(?i)\bcredentials\s*:\s*true\b|Allow-Credentials['"]?\s*[,:=]\s*['"]?true|supports_credentials\s*=\s*True|AllowCredentials\s*(?:\(\)|:\s*true)|CORS_ALLOW_CREDENTIALS\s*=\s*True|allowCredentials\s*(?:=\s*"true"|\(\s*true\s*\))|credentials:\s*true|withCredentials|setAllowCredentials\(\s*true|allow_credentials\s*=\s*True|Allow-Credentials:\s*true|AllowCredentials\s*=\s*true"#),
        cors_combined: re(r#"(?i)CORS\(\s*app\s*,\s*supports_credentials\s*=\s*True\s*\)"#),
        xss_sink: re(
            r#"(?i)\.(?:innerHTML|outerHTML)\s*\+?=\s*([^;\n]+)|\binsertAdjacentHTML\s*\([^,]+,\s*([^;\n]+)\)|\bdocument\.write(?:ln)?\s*\(([^;\n]+)\)|dangerouslySetInnerHTML\s*=\s*\{\{\s*__html\s*:\s*([^}]+)\}\}|\bv-html\s*=\s*["']([^"']+)["']|\{\{\s*[^}|]+\|\s*safe\s*\}\}|\{%\s*autoescape\s+(?:off|false)\s*%\}|\bmark_safe\s*\(([^;\n]+)\)|\bMarkup\s*\(([^;\n]+)\)|\brender_template_string\s*\(([^;\n]+)\)|\.html_safe\b|<%==|\braw\s*\(\s*@?\w+|<%=\s*raw\s+|\{!!\s*\$[^!]+!!\}|\becho\s+\$_(?:GET|POST|REQUEST)|\becho\s+\$\w+\s*;|\bprint\s+\$_(?:GET|POST|REQUEST)|Response\.Write\s*\(\s*Request|@Html\.Raw\s*\(|\btemplate\.HTML\s*\(([^;\n)]+)\)|\$\(\s*[^)]*\)\.html\s*\(([^;\n]+)\)|\.html\s*\(\s*(?:req|request|params|data|user|comment|body|input|text|msg|message)\w*[^;\n]*\)|\bbypassSecurityTrust\w+\s*\(|<\?=\s*\$_(?:GET|POST|REQUEST)|<\?=\s*\$\w+(?:\[[^\]]*\])?\s*;?\s*\?>|<\?php\s+echo\s+\$\w+\s*;?\s*\?>"#,
        ),
        xss_server: re(
            r#"(?i)\b(?:out\.print(?:ln)?|getWriter\(\)\.(?:print|write)\w*|res\.send|res\.write|res\.end|w\.Write|fmt\.Fprintf\(\s*w|fmt\.Fprint\(\s*w|io\.WriteString\(\s*w|HttpResponse|render\s*(?:html|inline|plain)?:?\s*|Response\.Write|return\s+f?["'`]<)[^;\n]*<[a-z][^;\n]*(?:\$\{|\+\s*\w|%s|%\(|\{\w*\}|#\{|\.format\()[^;\n]*"#,
        ),
        xss_safe: re(r"(?i)\b(?:DOMPurify|sanitiz\w*|escape\w*|htmlspecialchars|htmlentities|format_html|esc_\w+|bleach\.clean|html\.EscapeString|HtmlEncode|HttpUtility\.HtmlEncode|ERB::Util|HtmlEncoder|JavaScriptEncoder|StringEscapeUtils|escapeHtml4|render_template|encodeURIComponent|textContent|innerText|createTextNode|strip_tags|xss\(|sanitize-html|he\.encode|escapeHtml|Encode\.forHtml)\b|\be\(\s*\$"),
        jwt_off: re(
            r#"(?i)\bverify\s*=\s*False\b[^;\n]*|\bverify_signature['"]?\s*:\s*False|\bget_unverified_claims\b|\bget_unverified_header\b[^\n]*\bclaims|\bParseUnverified\s*\(|\balgorithms?\s*[=:]\s*\[?\s*['"]none['"]|\balg['"]?\s*:\s*['"]none['"]|JWT\.decode\s*\(?\s*[^,()\n]+,\s*nil\s*,\s*false|ValidateIssuerSigningKey\s*=\s*false|RequireSignedTokens\s*=\s*false|SignatureValidator\s*=|\bparseClaimsJwt\s*\(|\.decode\(\s*\w+\s*,\s*options\s*=\s*\{[^}]*verify_signature['"]?\s*:\s*False|\bjwt\.decode\(\s*\w+\s*,\s*verify\s*=\s*False|\bignoreExpiration\s*:\s*true[^\n]*\bcomplete\b|\bnoVerify\b|\bskipVerification\b|\bverify_jwt\s*=\s*False|WithoutClaimsValidation\(\)|\bInsecureDecode\b|UnsafeAllowNoneSignatureType|\balgorithms?\s*[=:]\s*\[[^\]]*['"]none['"]|ValidateSignature\s*=\s*false|\bverify\s*:\s*false\b[^\n]*(?:jwt|token)|\bjwt\.decode\([^)]*\bverify\s*=\s*False"#,
        ),
        jwt_decode_js: re(r"\bjwt\.decode\s*\(|\bjwtDecode\s*\(|\bjwt_decode\s*\(|\bdecodeJwt\s*\(|\bJSON\.parse\s*\(\s*(?:atob|Buffer\.from)\s*\([^)]*split\(\s*['\x22]\.['\x22]\s*\)\s*\[\s*1\s*\]"),
        jwt_verify_js: re(r"(?i)\b(?:jwt\.verify|jwtVerify|jose\.jwtVerify|JWT\.require|expressjwt|express-jwt|passport\.authenticate|jwks\w*|verifyAsync|JwtService)\b"),
        jwt_decode_java: re(r"\bJWT\.decode\s*\(|\bReadJwtToken\s*\(|\bJwtSecurityTokenHandler\(\)\.ReadToken\s*\(|\bbase64url_decode|\bbase64\.urlsafe_b64decode\([^)]*split\("),
        jwt_require_java: re(r"(?i)\b(?:JWT\.require|ValidateToken|\.verify\(|verifyWith|setSigningKey|JWT::decode\(\s*\$\w+\s*,\s*(?:new\s+Key|\$)|jwt\.decode\(\s*\w+\s*,\s*[\w'\x22])"),
        shell_call: re(
            r#"(?i)\b(?:os\.system|os\.popen|subprocess\.(?:call|run|Popen|check_output|check_call|getoutput|getstatusoutput)|commands\.getoutput|child_process\.exec(?:Sync)?|Runtime\.getRuntime\(\)\.exec|ProcessBuilder|exec\.Command|shell_exec|passthru|proc_open|popen|system|Process\.Start|ProcessStartInfo|IO\.popen|Open3\.\w+|%x|spawn|(?-i:\bexec)|execSync)\s*\(([^;\n]*)"#,
        ),
        shell_list: re(r#"(?i)shell\s*=\s*True|\b(?:sh|bash|cmd(?:\.exe)?)['"]\s*,\s*['"](?:-c|/c)['"]"#),
        file_open: re(
            r#"(?i)\b(?:open(?:\s*\(|\s+)|send_file|send_from_directory|sendFile|res\.download|readFile(?:Sync)?|createReadStream|fs\.\w+|os\.Open|os\.ReadFile|ioutil\.ReadFile|http\.ServeFile|File\.(?:ReadAllText|ReadAllBytes|OpenRead|Open|read|open|new)|new\s+File(?:InputStream|Reader)?|Files\.(?:readAllBytes|newInputStream|lines)|Paths\.get|file_get_contents|fopen|readfile|FileResponse|PhysicalFile|PhysicalFileResult|send_data|File\.join|Path\.Combine|path\.join|os\.path\.join|filepath\.Join|Rails\.root\.join|render\s*\(?\s*:?file\s*(?:=>|:))\s*\(?([^;\n]*)|(?:^|[^.\w>])(?:include|require)(?:_once)?\s*\(?\s*(\$[^;\n]*)|(?:^|[^.\w>])file\s*\(\s*(\$[^;\n]*)"#,
        ),
        path_safe: re(r"(?i)\b(?:startswith|startsWith|StartsWith|HasPrefix|basename|secure_filename|GetFileName|safe_join|is_relative_to|commonpath|\.\.)\b|start_with\?|send_from_directory|FilenameUtils\.getName|filepath\.Base|path\.basename|File\.basename|getFileName\(\)"),
        deserialize: re(
            r#"(?i)\bpickle\.loads?\s*\(|\bcPickle\.loads?\s*\(|\bdill\.loads?\s*\(|\bshelve\.open\s*\(|\byaml\.load\s*\(|\byaml\.unsafe_load\s*\(|\bjsonpickle\.decode\s*\(|\bObjectInputStream\s*\([^;]*\)[^;]*readObject|\.readObject\s*\(\s*\)|\bunserialize\s*\(|\bMarshal\.load\s*\(|\bYAML\.load\s*\(|\bBinaryFormatter\s*\(\s*\)|\.Deserialize\s*\(|TypeNameHandling\s*=\s*TypeNameHandling\.(?:All|Auto|Objects)|\bnode-serialize\b|\bserialize\.unserialize\s*\(|\bXMLDecoder\s*\(|\bLosFormatter|\bNetDataContractSerializer|\bFsPickler\.|\bJavaScriptSerializer\s*\(\s*new\s+SimpleTypeResolver|\b(?:enable|activate)DefaultTyping\s*\(|JsonTypeInfo\.Id\.CLASS|\bSoapFormatter|\bObjectStateFormatter|\bJsonConvert\.DeserializeObject\s*\([^;]*TypeNameHandling"#,
        ),
        nosql_call: re(
            r#"(?i)\.(?:find|findOne|find_one|findOneAndUpdate|findOneAndDelete|updateOne|updateMany|update_one|update_many|deleteOne|deleteMany|delete_one|delete_many|countDocuments|count_documents|aggregate|where)\s*\(\s*(?:\{[^}]*:\s*)?(req\.(?:body|query)(?:\.\w+)?|request\.(?:json|get_json\(\))(?:\[[^\]]+\]|\.get\([^)]*\))?|\$_(?:POST|REQUEST)(?:\[[^\]]+\])?|ctx\.request\.body(?:\.\w+)?)\s*[,})]"#,
        ),
        nosql_where: re(r#"(?i)['"]?\$where['"]?\s*:\s*(?:[^,}\n]*(?:\+|\$\{|%s|\.format|f['"])|function)"#),
        nosql_safe: re(r#"(?i)\b(?:mongo-sanitize|mongoSanitize|sanitize|\$eq|express-validator|Joi|zod|validate|isString|typeof)\b"#),
        validation: re(r"(?i)\b(?:validat\w*|schema|joi|zod|yup|pydantic|marshmallow|@valid|sanitiz\w*|isemail|is_email|regex|re\.match|len\(|\.length|typeof|isinstance|badrequest|bad request|400|if not|if \(!|required|whitelist|allowlist|check\w*|filter_var|binding:|validator)\b"),
        select_star: re(r"(?i)\bselect\s+\*\s*(?:from\b|$|easier)|select star"),
        status_200_code: vec![
            re(r#"(?i)status\(\s*200\s*\)[^;\n]*\b(?:error|err|fail\w*|invalid|not found)\b"#),
            re(r#"(?i)\b(?:error|err|fail\w*|invalid|not found)\b[^;\n]*(?:status\(\s*200\s*\)|status_code\s*=\s*200|httpstatus\.ok|http\.statusok|,\s*200\s*\)?\s*$)"#),
            re(r#"(?i)(?:status\s*=\s*200|httpstatus\.ok|http\.statusok|writeheader\(\s*200\s*\))[^;\n]*\b(?:error|err|fail\w*)\b"#),
        ],
        status_200_prose: re(r"(?i)\b(?:return\w*|respond\w*|send\w*|reply)\b[^.?!]{0,20}\b200\b[^.?!]{0,30}\b(?:errors?|fail\w*|invalid)\b|\berrors?\b[^.?!]{0,30}\b(?:with|as)\s+(?:a\s+)?(?:status\s+)?200\b|\b200\b[^.?!]{0,25}\b(?:even|also|for)\b[^.?!]{0,15}\b(?:errors?|failures?)\b"),
        status_4xx: re(r"\b[45]\d\d\b"),
        verb_url: re(r#"(?:^|[\s"'`(=,])(?:/[\w{}:.-]+)*/(?:get|create|update|delete|fetch|add|remove|make|do|set)(?:[A-Z_-][A-Za-z_]*)\b"#),
        db_call: re(r"(?i)(\.query\(|\.execute\(|\bdb\.\w+\(|\.save\(|\.find\w*\(|\bcursor\.|\.create\(|\.exec\(|queryrow\(|\.insert\(|\.update\(|\.delete\(|\.commit\()"),
        error_handling: re(r"(?i)(\btry\b|\bcatch\b|\bexcept\b|err\s*!=\s*nil|\.catch\(|\?;|result<|\brescue\b|onerror|error handling|if err|\bthrows\b|\.map_err|on_error|errorhandler|next\(err)"),
        mass_assignment: re(r#"(?i)\b(?:create|insert\w*|save|update\w*|new\s+\w+|build|objects\.create|insertOne|insert_one)\s*\(\s*(?:req\.body|request\.(?:json|get_json\(\)|form|data|POST)|params(?:\.permit!)?|\$_POST|\$request->all\(\))\s*\)"#),
        secret_value: re(r#"["'](?:sk_live_|rk_live_|sk_test_|pk_live_|whsec_|ghp_|gho_|github_pat_|xox[abpr]-|AKIA[0-9A-Z]{12,}|AIza[0-9A-Za-z_-]{20,}|SG\.[\w-]{10,}|-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY)[^"'\n]*["']"#),
        secret_named: re(r#"(?m)\b(\w*(?:[Kk]ey|KEY|[Tt]oken|TOKEN|[Ss]ecret|SECRET|[Pp]assword|PASSWORD|[Cc]redential|CREDENTIAL)s?)\s*(?::\s*[\w<>]+\s*)?(?::=|=)\s*["']([^"'\n]+)["']"#),
        secret_empty_assign: re(r#"(?i)\b\w*(?:secret|jwt_?key|signing_?key|hmac_?key|jwtKey|signingKey)\w*['"]?\s*(?::|=|=>)\s*(?:""|''|nil|None|null)\s*[,;\n}]"#),
        secret_fallback: re(r#"(?i)(?:secret|key|token|passw(?:or)?d|pwd|credential)\w*['"]?\s*(?:\)|\])?\s*(?:\?\?|\|\||\bor\b|,)\s*["']([^"'\n]{3,})["']"#),
        conn_string: re(r#"(?i)["'][^"'\n]*(?:\b(?:password|pwd)\s*=\s*[^;"'\s{$%<*]{3,}|://[\w.-]+:[^@/\s{$%<"']{3,}@)[^"'\n]*["']"#),
        secret_setter: re(r#"(?i)\.set_?(?:password|secret|api_?key|token|credentials?|signing_?key)\s*\(\s*["'][^"'\n]{3,}["']"#),
        secret_positional: re(r#"(?i)\bnew\s+PDO\s*\([^,]+,\s*["'][^"']*["']\s*,\s*["'][^"'\n]{3,}["']|\bmysqli_connect\s*\([^,]+,\s*[^,]+,\s*["'][^"'\n]{3,}["']|\bnew\s+mysqli\s*\([^,]+,\s*[^,]+,\s*["'][^"'\n]{3,}["']|\bsql\.Open\([^)]*:[^@)]{3,}@"#),
        signing_key_use: re(r#"(?:Algorithm\.HMAC\d+|signWith|SignedString|jwt\.sign|jwt\.encode|JWT\.encode|jwt\.decode|jwt\.verify|hmac\.new|createHmac|HMACSHA\d+|SymmetricSecurityKey|Keys\.hmacShaKeyFor|JWT::encode|hash_hmac|NewWithClaims)\s*\(([^;\n]*)"#),
        literal_assign: re(r#"(?m)(?:^|[\s;{(])(?:(?:private|public|static|final|const|let|var|readonly|val|string|String)\s+)*(\$?[A-Za-z_]\w*)\s*(?::\s*[\w<>\[\]]+\s*)?(?::=|=)\s*(?:\[\]byte\(|b|Encoding\.\w+\.GetBytes\()?["']([^"'\n]{3,})["']"#),
        password_compare: re(r#"(?i)\b[\w.]*passw(?:or)?d\w*(?:\(\))?\s*(?:!==|===|!=|==)\s*[\w.$\[\]'"]*passw(?:or)?d\w*|\b[\w.]*passw(?:or)?d\w*(?:\(\))?\.equals\(\s*[\w.]*(?:get)?passw(?:or)?d"#),
        password_setter: re(r#"(?i)\.set_?password\s*\(\s*[\w.$\[\]'"]*(?:get_?password\(\)|password)\s*\)|\bpassword\w*\s*(?:=|:|=>)\s*(?:[\w$]+(?:\.|\[['":]?|->))+[\w'"\]]*password\b"#),
        jwt_manual: re(r#"(?is)(?:explode\(\s*['"]\.['"]|\.split\(\s*['"]\.['"]\s*\)|strings\.Split\([^,]+,\s*"\."\)|\.Split\(\s*'\.'\s*\))[^\n]*(?:\n[^\n]*){0,4}?(?:base64_decode|atob|b64decode|urlsafe_b64decode|DecodeString|Base64\.decode|FromBase64String|getUrlDecoder|Buffer\.from)"#),
        php_nosql_call: re(r"->(?:find|findOne|findOneAndUpdate|findOneAndDelete|updateOne|updateMany|deleteOne|deleteMany|count|countDocuments)\s*\("),
        php_request_value: re(r#"=>\s*(?:\$_(?:POST|GET|REQUEST|COOKIE)\s*\[|\$request->(?:input|get|post|query|json)\s*\(|\$request->all\(\))"#),
        whole_body: re(r"^(?:await\s+)?(?:req\.body|request\.(?:get_json\(\)|json|data|form|POST|body|get_data\(\))|\$_POST|\$request->all\(\)|ctx\.request\.body|req\.json\(\)|request\.json\(\)|params)$"),
        weak_hash_column: re(r"(?i)\bpassw(?:or)?d_?(?:md5|sha_?1|sha_?256|sha_?512)\b|\b(?:md5|sha_?1|sha_?256|sha_?512)_?passw(?:or)?d\b"),
        bare_print: re(r"(?i)^(?:print|puts|pp)\b"),
        code_argument: re(r"^(?:[\x22'$\u{e000}]|#\{|[A-Za-z_]\w*\s*(?:$|[.\[,+]))"),
        request_body_read: re(r#"(?i)request\.body|req\.body|req\.json\(\)|request\.json|request\.get_json|request\.data|php://input|r\.Body|event\[\s*["']body["']\s*\]|@RequestBody|@POST|\[FromBody\]|ReadAsStringAsync|c\.Body|ctx\.request\.body|c\.BodyParser|ShouldBindJSON|raw_post|params\[|request\.raw_post"#),
        event_type_check: re(r#"(?i)(?:type|event|kind)\w*["'\]]*\s*(?:\)|\?\?\s*["']{2}\s*\))?\s*(?:===?|!==?|\.equals\(|\bwhen\b|case)\s*["'][a-z_]+\.[a-z_.]+["']|["'][a-z_]+\.[a-z_.]+["']\s*(?:===?|\.equals\()\s*\w*\.?(?:get)?(?:type|event)|\b(?:when|case)\s+["'][a-z_]+\.[a-z_.]+["']"#),
        hook_name: re(r#"(?i)["'/][^"'\n]*\bhooks?/|\b\w*webhook\w*\s*[({]|class\s+\w*Webhook\w*|Webhooks?::\w+|@Path\(\s*"[^"]*hook"#),
        event_header: re(r#"(?i)x-github-event|HTTP_X_GITHUB_EVENT|x-gitlab-event|x-event-type|x-webhook-event"#),
        numeric_request_field: re(r#"(?i)\b(?:req\.body|request\.body|body|data|payload|params|input|json|\$request->input\(|\$request->all\(\))\s*(?:\.|\[\s*[:'"]|\.get\(\s*['"]|\.GetProperty\(\s*")(?:amount|price|quantity|qty|limit|window\w*|total)\w*\b|\$request->all\(\)"#),
        value_validation: re(r#"(?i)\b(?:validat\w*|schema\w*|zod|joi|yup|pydantic|BaseModel|marshmallow|@Valid|@Validated|@IsInt|@IsPositive|@Min|@Max|@Positive|binding:|validate:|safeParse|isinstance|typeof|Number\.isInteger|Number\.isFinite|Number\.isSafeInteger|is_numeric|ctype_digit|filter_var|is_a\?|ParseIntPipe|ValidationPipe|\w+Dto|\w+DTO|FormRequest|Form\b|clamp|bounds|in_range|range|positive|negative|Integer)\b|\.between\?|(?:amount|price|quantity|qty|limit|window\w*|total)\w*["'\]\)]*\s*(?:<=?|>=?)\s*-?\d|\b\d+\s*(?:<=?|>=?)\s*\w*(?:amount|price|quantity|qty|limit|window|total)"#),
        request_object: re(r"(?:@Body\(\)|\[FromBody\]|@RequestBody|@Valid)\s+(?:@\w+\s+)*[\w<>.]+\s+(\w+)|\b(\w+)\s*:\s*\w*(?:Dto|DTO|Request|Payload|Input)\b|\bvar\s+(\w+)\s+\w*(?:Request|Dto|Payload|Input)\b"),
        whole_headers: re(r"(?:^|[\s(,])(?:r\.Header|req\.headers|request\.headers|request\.META|Request\.Headers|ctx\.headers|ctx\.request\.headers)\s*(?:$|[),])"),
        decode_into: re(r"(?:NewDecoder\(\s*(?:r|req|c\.Request)\.Body\s*\)\.Decode|BodyParser|ShouldBind\w*|\bBind\w*)\(\s*&(\w+)\s*\)"),
        nosql_call_any: re(r#"(?i)\.(?:find|findOne|find_one|findOneAndUpdate|update_one|updateOne|delete_one|deleteOne|count_documents|countDocuments)\s*\(\s*(\{[^}]*\}|\w+)"#),
        route_param: re(r#"(?m)(?:\[(?:Http\w+|Route)\(|@(?:app|router|bp|api)\.\w+\(|@(?:Get|Post|Put|Delete|Patch|Request)Mapping\(|\.(?:get|post|put|delete|patch)\(\s*)["'][^"'\n]*["']"#),
        url_field: re(r"(?i)\b(?:body|dto|payload|input|data|form|params|args|req|request|cmd|command|model)\.(?:\w+\.)?\w*(?:url|uri|link|callback|endpoint|webhook|host)\w*\b"),
        extension_check: re(r#"(?i)pathinfo\([^)]*PATHINFO_EXTENSION|\.endswith\(|splitext\(|extname\(|\.split\(\s*['"]\.['"]\s*\)\.pop\(\)|Path\.GetExtension|filepath\.Ext|File\.extname|getExtension|FilenameUtils\.getExtension|\.lastIndexOf\(\s*['"]\.['"]\s*\)|\.rsplit\(\s*['"]\.['"]|\.EndsWith\(|\.endsWith\(|\.end_with\?\("#),
        content_check: re(r"(?i)\b(?:magic|mime_content_type|finfo|filetype|file-type|fileTypeFromBuffer|imghdr|Image\.open|DetectContentType|getimagesize|probeContentType|ImageIO\.read|Marcel|MimeMagic|puremagic|python-magic|Tika|ContentInspector|signature|magic bytes|verify\(\)|Image\.Load|SixLabors)\b"),
        bare_loads_import: re(r"\bfrom\s+(?:pickle|cPickle|_pickle|dill|jsonpickle|shelve)\s+import\s+[^\n]*\bloads?\b"),
        bare_loads_call: re(r"(?m)(?:^|[^.\w])loads?\s*\("),
        safe_yaml: re(r"(?i)Loader\s*=\s*(?:yaml\.)?C?SafeLoader|\bsafe\s*:\s*true|permitted_classes|\bSafeLoader\b"),
        fixed_file_open: re(r#"^(?:open|File\.open|File\.read|new\s+FileInputStream|fopen)\s*\(\s*["'][^"']*["']"#),
        call_name: re(r"[A-Za-z_$][\w$.]*\s*\("),
        remote_interface: re(r"\binterface\s+\w+\s+extends\s+(?:java\.rmi\.)?Remote\b"),
        remote_method_param: re(r"[(,]\s*(?:final\s+)?([A-Z][\w.]*(?:<[^>]*>)?(?:\[\])?)\s+\w+\s*[,)][^;{]*throws\s+(?:java\.rmi\.)?RemoteException"),
        cors_reflected: re(
            r#"(?i)Access-Control-Allow-Origin['"]?\s*[,:=]\s*(?:[\w.]*(?:getHeader|Header\.Get|headers\.get)\(\s*['"]Origin|(?:[\w.]*\.)?\$?\w*origin\w*\s*[),;\n])"#,
        ),
        origin_allow_list: re(r"(?i)allow(?:ed)?_?(?:list|origins|hosts)|whitelist|\.(?:includes|contains|Contains|has|include\?)\(|\bin\s+ALLOWED|\ballowed\b"),
        own_function: re(
            r"(?m)\b(?:def|function|func|fn)\s+(\w+)|^[ \t]*(?:(?:public|private|protected|internal|static|async|override|virtual|final)\s+)*[\w<>\[\]?]+\s+(\w+)\s*\([^)]*\)\s*(?:\{|=>|throws|$)",
        ),
        converted: re(r"(?i)\bin_array\(|\.includes\(|\.include\?\(|\.contains\(|\.Contains\(|\(int\)|\(float\)|\bint(?:val)?\s*\(|\bAtoi\(|\bparse(?:Int|Float)\(|\bNumber\(|\.to_i\b|\bInteger\(|\bquote\w*\(|escape\w*\(|\bUUID\(|Guid\.Parse|\bParseInt\(|Integer\.parseInt|Long\.parseLong"),
        table_lookup: re(r"^\$?[A-Za-z_][\w.]*(?:\[|\.(?:get|getOrDefault|fetch|GetValueOrDefault)\()"),
        html_shape: re(r"<(?:[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?|/[A-Za-z][A-Za-z0-9]*\s*)/?>|<[A-Za-z][A-Za-z0-9]*\s+[a-z-]+\s*=|^\s*<[A-Za-z]"),
        html_out: re(
            r#"(?:^|[\s;{(])return\b|\bjQuery\s*\(|(?:^|[^\w.])\$\s*\(|\.(?:html|append|prepend|after|before|replaceWith)\s*\(|\bResponseEntity\b|\bResponseEntity\.ok\s*\(|["']body["']\s*:|\bHttpResponse\s*\(|\bc\.(?:HTML|String|Data)\s*\(|\bContent\s*\("#,
        ),
        concatenated_value: re(r"(?:\+|\s\.)\s*\$?[A-Za-z_][\w.]*\s*(?:\+|\s\.|\)|,|$)"),
        list_element_write: re(
            r"^\s*(\$?[A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*=[^=]|\.(?:add|append|push|Add|AddRange|concat|extend)\s*\(|<<)",
        ),
        raw_sql_sink: re(
            r"(?:\b(?:whereRaw|orWhereRaw|havingRaw|orderByRaw|selectRaw|groupByRaw|DB::raw|DB::select|DB::statement|find_by_sql|count_by_sql|FromSqlRaw|ExecuteSqlRaw|executeQuery|executeUpdate|createNativeQuery|createQuery|createSQLQuery|mysqli_query|pg_query)|->(?:orderBy|groupBy|having|select|from|query|exec)|\.(?:Order|Group|Having|Raw|Exec|Query|QueryRow|Where|where|order|reorder|group|having|pluck|select|joins|from|lock|execute|executescript|query|raw))\s*\(",
        ),
        rails_sql_option: re(
            r":(?:conditions|having|select|order|group|joins|from|lock)\s*=>\s*",
        ),
        upload_context: re(r#"(?i)\$_FILES|request\.files|req\.files?\b|\bupload|multer|IFormFile|MultipartFile|FormFile|multipart|\bfile\.filename|originalname|original_filename"#),
        negation: re(r"(?i)\b(?:never|not|no|avoid\w*|instead of|rather than|don't|do not|won't|prevent\w*|without|against|vulnerab\w*|injection)\b"),
    })
}

/// Variables that (transitively) hold request input.
pub fn tainted(code: &Code) -> HashSet<String> {
    taint(code, HashSet::new())
}

/// Request input as [`tainted`], plus the parameters of the functions in the
/// answer: for sinks where a caller-supplied value is the flaw whatever its
/// origin (a shell command, a path to open, a URL to fetch), a parameter is
/// untrusted unless the answer shows it checked.
pub fn tainted_with_params(code: &Code) -> HashSet<String> {
    taint(code, function_params(code))
}

/// Names of the parameters of the functions, methods and lambdas in `code`,
/// in any of the supported languages (`def f(a, b=1)`, `function f($a)`,
/// `(a, b) =>`, `void f(String a)`, `func f(a string)`), without receivers
/// and framework objects (`self`, `req`, `res`, `ctx`...).
fn function_params(code: &Code) -> HashSet<String> {
    const SKIP: &[&str] = &[
        "self", "cls", "this", "req", "res", "request", "response", "next", "ctx", "context", "w",
        "r", "c", "e", "err", "args", "kwargs", "params", "env", "event", "conn", "db", "logger",
        "log", "options", "opts", "config", "cfg", "session", "cursor", "client", "http", "app",
    ];
    let r = regexes();
    let text = code.masked();
    let mut out = HashSet::new();
    for c in r.signature.captures_iter(&text) {
        let go = c
            .get(0)
            .is_some_and(|m| m.as_str().trim_start().starts_with("func"));
        let list = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        for part in list.split(',') {
            let part = part.split('=').next().unwrap_or("").trim();
            let part = part.split(':').next().unwrap_or("").trim();
            let words: Vec<&str> = part
                .split(|ch: char| !(ch.is_alphanumeric() || ch == '_' || ch == '$'))
                .filter(|w| !w.is_empty() && !w.starts_with('@'))
                .collect();
            let name = if go { words.first() } else { words.last() };
            if let Some(name) = name {
                let name = name.trim_start_matches('$');
                if !name.is_empty()
                    && name.starts_with(|ch: char| ch.is_alphabetic() || ch == '_')
                    && !SKIP.contains(&name)
                {
                    out.insert(name.to_string());
                }
            }
        }
    }
    out
}

fn taint(code: &Code, seed: HashSet<String>) -> HashSet<String> {
    let r = regexes();
    let mut out = seed;
    for c in r.annotated_param.captures_iter(&code.text) {
        out.insert(c[1].to_string());
    }
    // Route templates name their parameters: "/files/{*name}", "<path:name>", ":id".
    for m in r.route_param.find_iter(&code.text) {
        let route = m.as_str();
        for part in route.split(['{', '<']).skip(1) {
            let name: String = part
                .trim_start_matches('*')
                .rsplit(':')
                .next()
                .unwrap_or("")
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let name = if part.contains(':')
                && part.starts_with(|c: char| c.is_alphabetic())
                && route.contains('<')
            {
                part.split(':')
                    .nth(1)
                    .unwrap_or("")
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect()
            } else {
                name
            };
            if !name.is_empty() {
                out.insert(name);
            }
        }
    }
    // Function parameters named like input in web handlers (`def upload(url)`)
    // are not assumed; only assignments from request data, in order.
    let text = code.masked();
    for line in text.lines() {
        // `url += input`, `$url .= $_GET['x']`, `urls, ok := r.URL.Query()["u"]`.
        if let Some(c) = r.compound_assignment.captures(line) {
            let rhs = unmasked_rhs(code, &c[2]);
            if r.input.is_match(&rhs)
                || code::identifiers(&c[2]).any(|id| out.contains(id.trim_start_matches('$')))
            {
                for name in c[1].split(',') {
                    let name = name.trim().trim_start_matches('$');
                    if !name.is_empty() && name != "_" && name != "ok" && name != "err" {
                        out.insert(name.to_string());
                    }
                }
            }
        }
        for c in r.assignment.captures_iter(line) {
            let name = c[1].trim_start_matches('$').to_string();
            let rhs = unmasked_rhs(code, &c[2]);
            // `req.query.name` is input, not a database query.
            let calls = r.input.replace_all(&rhs, "input");
            let lookup = [
                "find",
                "where",
                "get_object_or_404",
                "query",
                "filter",
                "fetch",
                "load",
                "first",
                "lookup",
                "select",
                "get_by",
                "findOne",
                "findById",
                "FindAsync",
                "First",
            ]
            .iter()
            .any(|f| calls.contains(&format!("{f}(")) || calls.contains(&format!(".{f}")));
            // An escaped value (`escapeshellarg($x)`, `htmlspecialchars($x)`)
            // no longer carries raw input.
            let escaped = r.shell_escape.is_match(&rhs) || r.xss_safe.is_match(&rhs);
            if !lookup
                && !escaped
                && (r.input.is_match(&rhs)
                    || code::identifiers(&c[2]).any(|id| out.contains(id.trim_start_matches('$'))))
            {
                out.insert(name);
            }
        }
    }
    out
}

fn unmasked_rhs(code: &Code, masked: &str) -> String {
    code.unmask(
        &code::Statement {
            masked: String::new(),
        },
        masked,
    )
}

/// True if `expr` carries request input directly or through a tainted variable.
fn carries_input(expr: &str, tainted: &HashSet<String>) -> bool {
    regexes().input.is_match(expr)
        || code::identifiers(expr).any(|id| tainted.contains(id.trim_start_matches('$')))
}

fn sql_injection(code: &Code) -> Option<String> {
    sql::find(code).or_else(|| sql_sink_given_input(code))
}

/// A masked expression followed by the expressions interpolated into its
/// literals: what the value is computed from, without the literals' text.
fn with_interpolations(code: &Code, masked: &str) -> String {
    let mut out = masked.to_string();
    for idx in code::mask_tokens(masked) {
        if let Some(lit) = code.literals.get(idx) {
            for e in &lit.interpolations {
                out.push(' ');
                out.push_str(e);
            }
        }
    }
    out
}

/// Names assigned request input as it came: not converted, escaped,
/// looked up in a table or built into a longer string (those are for the
/// SQL analyser, which knows sanitisers and constant tables).
fn direct_input(code: &Code) -> HashSet<String> {
    let r = regexes();
    code.statements
        .iter()
        .filter_map(|st| r.assignment.captures(&st.masked))
        .filter(|c| {
            let rhs_masked = c[2].trim();
            let rhs = with_interpolations(code, rhs_masked);
            let literal_phrase = code::mask_tokens(rhs_masked).any(|i| {
                code.literals
                    .get(i)
                    .is_some_and(|l| l.content.trim().contains(' '))
            });
            r.input.is_match(&rhs)
                && !literal_phrase
                && !r.converted.is_match(rhs_masked)
                && (!r.table_lookup.is_match(rhs_masked)
                    || r.input.find(rhs_masked).is_some_and(|m| m.start() == 0))
        })
        .map(|c| c[1].trim_start_matches('$').to_string())
        .collect()
}

/// Request input handed straight to a raw-SQL sink: `->orderBy($_GET['x'])`,
/// `db.Order(param + " ASC")`, `find(:all, :select => params[:column])`.
/// Keyword or hash arguments (`where(name: params[:name])`) bind values and
/// pass.
fn sql_sink_given_input(code: &Code) -> Option<String> {
    let r = regexes();
    let tainted = direct_input(code);
    for stmt in &code.statements {
        let masked = stmt.masked.as_str();
        for m in r.raw_sql_sink.find_iter(masked) {
            // `Buffer.from(x)`, `Array.from(x)`: not a query builder.
            let receiver = masked[..m.start()]
                .rsplit(|c: char| !(c.is_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            if [
                "Buffer",
                "Array",
                "Uint8Array",
                "Object",
                "Set",
                "Map",
                "Date",
            ]
            .contains(&receiver)
            {
                continue;
            }
            let args = code::call_args(&masked[m.end()..]);
            let Some(first) = args.first() else { continue };
            let keyword_argument = first.starts_with(':')
                || first.contains(".slice(")
                || first.contains(".permit(")
                || first.starts_with('{')
                || first.starts_with('[')
                || first.contains("=>")
                || first
                    .split_once(':')
                    .is_some_and(|(k, _)| code::is_identifier(k.trim()) && !k.contains('.'));
            if keyword_argument {
                continue;
            }
            if carries_input(&with_interpolations(code, first), &tainted) {
                return Some(clip(&code.unmask(stmt, &masked[m.start()..])));
            }
        }
        for m in r.rails_sql_option.find_iter(masked) {
            let value: String = code::call_args(&masked[m.end()..])
                .into_iter()
                .next()
                .unwrap_or_default();
            if carries_input(&with_interpolations(code, &value), &tainted) {
                return Some(clip(&code.unmask(stmt, &masked[m.start()..])));
            }
        }
    }
    None
}

fn nosql_injection(code: &Code) -> Option<String> {
    let r = regexes();
    if let Some(m) = r.nosql_where.find(&code.text) {
        return Some(clip(m.as_str()));
    }
    // A `$where` JavaScript predicate assembled by concatenation.
    for stmt in &code.statements {
        let where_literal = code::mask_tokens(&stmt.masked).any(|i| {
            code.literals.get(i).is_some_and(|l| {
                matches!(l.content.trim(), "$where" | "$function" | "$accumulator")
            })
        });
        if where_literal && r.concatenated_value.is_match(&stmt.masked) {
            return Some(clip(&code.unmask(stmt, &stmt.masked)));
        }
    }
    if r.nosql_safe.is_match(&code.text) {
        return None;
    }
    if let Some(m) = r.nosql_call.find(&code.text) {
        return Some(clip(m.as_str()));
    }
    let tainted = tainted(code);
    // Objects that spread request data into themselves (`{ ...req.body.filter, userId }`).
    let spread_input = |expr: &str| {
        [
            "...req.",
            "...request.",
            "**request.",
            "...body",
            "**data",
            "...ctx.request",
        ]
        .iter()
        .any(|s| expr.contains(s))
    };
    let spread_vars: HashSet<String> = code
        .masked()
        .lines()
        .filter_map(|line| r.assignment.captures(line))
        .filter(|c| spread_input(&c[2]))
        .map(|c| c[1].to_string())
        .collect();
    // Go: `json.NewDecoder(r.Body).Decode(&filter)`, `c.BodyParser(&filter)`.
    let decoded_from_request: HashSet<String> = r
        .decode_into
        .captures_iter(&code.text)
        .map(|c| c[1].to_string())
        .collect();
    // Names cast to a string, which cannot carry an operator object.
    let cast_to_string: HashSet<String> = code
        .masked()
        .lines()
        .filter_map(|line| r.assignment.captures(line))
        .filter(|c| {
            let rhs = unmasked_rhs(code, &c[2]);
            let rhs = rhs.trim().trim_end_matches(';');
            rhs.starts_with("String(")
                || rhs.starts_with("str(")
                || rhs.ends_with(".toString()")
                || rhs.ends_with(".to_s")
        })
        .map(|c| c[1].to_string())
        .collect();
    for c in r.nosql_call_any.captures_iter(&code.text) {
        let mut filter = c.get(1).map_or("", |m| m.as_str());
        // Go's driver takes a context first: `coll.Find(ctx, filter)`.
        let call_start = c.get(0).map_or(0, |m| m.start());
        let after_open = code.text[call_start..]
            .find('(')
            .map_or("", |i| &code.text[call_start + i + 1..]);
        let args = code::call_args(after_open);
        let second = args.get(1).map_or("", |a| a.trim());
        let is_context = |a: &str| {
            a == "ctx" || a == "c" || a.ends_with(".Context()") || a.starts_with("context.")
        };
        if args.first().is_some_and(|a| is_context(a.trim())) && code::is_identifier(second) {
            filter = second;
        }
        let spread = spread_input(filter) || spread_vars.contains(filter);
        let values_from_input = filter.starts_with('{')
            && filter
                .split(',')
                .filter_map(|kv| kv.rsplit_once(':').map(|(_, v)| v.trim()))
                .any(|v| {
                    carries_input(v, &tainted)
                        && !v.starts_with("str(")
                        && !v.starts_with("String(")
                        && !v.contains("escape")
                        && !code::identifiers(v).any(|id| cast_to_string.contains(id))
                        // Route parameters are always strings.
                        && !v.starts_with("req.params.")
                        && !v.starts_with("ctx.params.")
                });
        let whole_object = !filter.starts_with('{')
            && (tainted.contains(filter)
                || r.input.is_match(filter)
                || decoded_from_request.contains(filter));
        if spread || values_from_input || whole_object {
            return Some(clip(c.get(0).map_or("", |m| m.as_str())));
        }
    }
    // PHP: `$collection->findOne(['username' => $_POST['username']])` — a
    // request field can be an array (`username[$ne]=`), i.e. an operator.
    for m in r.php_nosql_call.find_iter(&code.text) {
        let args = code::call_args(&code.text[m.end()..]);
        let Some(filter) = args.first() else {
            continue;
        };
        if let Some(v) = r.php_request_value.find(filter) {
            return Some(clip(&format!("{}{}", m.as_str(), &filter[..v.end()])));
        }
    }
    None
}

fn plaintext_password(code: &Code) -> Option<String> {
    let r = regexes();
    if strong_hash_used(code)
        || r.reversible.is_match(&code.text)
        || r.weak_hash_call.is_match(&code.text)
    {
        return None;
    }
    first(&r.password_assign, &code.text)
        .or_else(|| first(&r.password_insert, &code.text))
        .or_else(|| first(&r.password_store_call, &code.text))
        .or_else(|| first(&r.password_compare, &code.text))
        .or_else(|| first(&r.password_setter, &code.text))
}

fn reversible_password(code: &Code) -> Option<String> {
    let r = regexes();
    if strong_hash_used(code) {
        return None;
    }
    code.text
        .lines()
        .find(|l| {
            r.reversible.is_match(l)
                && r.password_word.is_match(l)
                && !l.trim_start().starts_with(['#', '/'])
        })
        .map(clip)
}

/// A password hashing function is called — the answer's own functions
/// aside: `def set_password(…)` or `string HashPassword(…)` written around
/// an MD5 call names a strong hash without using one.
fn strong_hash_used(code: &Code) -> bool {
    let r = regexes();
    let own: HashSet<&str> = r
        .own_function
        .captures_iter(&code.text)
        .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str()))
        .collect();
    r.strong_hash.find_iter(&code.text).any(|m| {
        !own.contains(
            m.as_str()
                .trim_end_matches(|c: char| c == '(' || c.is_whitespace()),
        )
    })
}

fn weak_password_hash(code: &Code) -> Option<String> {
    let r = regexes();
    if strong_hash_used(code) {
        return None;
    }
    // A column or field named for a fast hash: `password_sha1 char(40)`.
    if let Some(m) = r.weak_hash_column.find(&code.text) {
        return Some(clip(&code.text[m.start()..]));
    }
    let statements: Vec<String> = code
        .statements
        .iter()
        .map(|st| code.unmask(st, &st.masked))
        .collect();
    for (i, s) in statements.iter().enumerate() {
        let Some(m) = r.weak_hash_call.find(s) else {
            continue;
        };
        if s.to_lowercase().contains("hmac") {
            continue;
        }
        // The hashed value is a password here or in the statements around it.
        let window = statements[i.saturating_sub(3)..(i + 3).min(statements.len())].join(" ");
        let lower = window.to_lowercase();
        let other_purpose = [
            "checksum",
            "etag",
            "content-md5",
            "integrity",
            "fingerprint",
            "api_key",
            "apikey",
            "api key",
            "cache key",
            "cache_key",
            "file",
        ]
        .iter()
        .any(|w| lower.contains(w));
        if r.password_word.is_match(&window) && !other_purpose {
            return Some(clip(&s[m.start()..]));
        }
    }
    None
}

fn hardcoded_secret(code: &Code) -> Option<String> {
    let r = regexes();
    for c in r.secret_assign.captures_iter(&code.text) {
        let value = c.get(1).map_or("", |m| m.as_str());
        let whole = c.get(0).map_or("", |m| m.as_str());
        if r.placeholder.is_match(value.trim()) || whole.contains("==") || whole.contains("!=") {
            continue;
        }
        // Comparisons, labels, names of secrets and hashes are not secrets.
        let lower = whole.to_lowercase();
        let name: String = lower
            .split(['=', ':'])
            .next()
            .unwrap_or("")
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        if [
            "header",
            "label",
            "placeholder",
            "message",
            "hash",
            "digest",
        ]
        .iter()
        .any(|w| lower.contains(w))
            || [
                "id", "name", "path", "env", "var", "url", "file", "field", "param", "type",
                "length", "prefix",
            ]
            .iter()
            .any(|w| name.ends_with(w))
        {
            continue;
        }
        return Some(clip(whole));
    }
    let not_a_key = |v: &str| {
        let l = v.to_lowercase();
        v.starts_with("HS")
            || v.starts_with("RS")
            || v.starts_with("ES")
            || v.starts_with("PS")
            || [
                "sha256", "sha1", "sha512", "md5", "utf8", "utf-8", "hex", "base64", "ascii",
                "latin1", "none", "sub", "exp",
            ]
            .contains(&l.as_str())
            || l.starts_with("hmac")
            || ["aes", "des", "rsa", "hmacsha256", "hmacsha1", "hmacsha512"].contains(&l.as_str())
            || l.starts_with("process.env")
            || l.starts_with("os.environ")
            || l.starts_with("${")
    };
    if let Some(c) = r.secret_call.captures_iter(&code.text).find(|c| {
        let v = c.get(1).map_or("", |m| m.as_str());
        let call = c.get(0).map_or("", |m| m.as_str());
        let lit_start = c.get(1).map_or(0, |m| m.start());
        let before = code.text[..lit_start.saturating_sub(1)].trim_end();
        let from_environment = [
            "getenv(",
            "environ[",
            "environ.get(",
            "env(",
            "ENV[",
            "ENV.fetch(",
            "env.get(",
            "process.env[",
            "config(",
            "Configuration[",
            "GetEnvironmentVariable(",
            "Getenv(",
            "config.get(",
            "settings.",
            "os.getenv(",
        ]
        .iter()
        .any(|e| before.ends_with(e));
        if from_environment {
            return false;
        }
        // `hmac.new(key, msg, …)`: a literal message is not a key.
        let lower_call = call.to_lowercase();
        if let Some(at) = lower_call.find("hmac.new(") {
            let first_arg = call[at + "hmac.new(".len()..].trim_start();
            if !first_arg.starts_with(['"', '\'', 'b']) {
                return false;
            }
        }
        // A literal inside the payload (`JWT.encode({ iss: "gateway" }, key)`) is a claim.
        let call_start = c.get(0).map_or(0, |m| m.start());
        let inside_braces = code.text[call_start..lit_start.saturating_sub(1)]
            .chars()
            .fold(0i32, |depth, ch| match ch {
                '{' => depth + 1,
                '}' => depth - 1,
                _ => depth,
            })
            > 0;
        if inside_braces {
            // Then the key is the argument after the payload.
            let after_open = code.text[call_start..]
                .find('(')
                .map_or("", |i| &code.text[call_start + i + 1..]);
            let args = code::call_args(after_open);
            return args.get(1).is_some_and(|a| {
                let a = a.trim();
                let quoted = (a.starts_with('"') && a.ends_with('"'))
                    || (a.starts_with('\'') && a.ends_with('\''));
                let inner = a.trim_matches(['"', '\'']);
                quoted && inner.len() >= 2 && !not_a_key(inner) && !inner.contains(' ')
            });
        }
        // The literal must be the key argument, not a claim or an algorithm name.
        let key_position = call.matches(',').count() <= 2
            || call.starts_with("Algorithm")
            || call.contains("SymmetricSecurityKey")
            || call.contains("hmac.new")
            || call.contains("createHmac");
        !not_a_key(v) && key_position && !v.contains(' ')
    }) {
        return Some(clip(c.get(0).map_or("", |m| m.as_str())));
    }
    if let Some(ev) = first(&r.secret_value, &code.text).or_else(|| {
        r.secret_named
            .captures_iter(&code.text)
            .find(|c| {
                let v = c.get(2).map_or("", |m| m.as_str());
                v.len() >= 12
                    && v.chars().any(|ch| ch.is_ascii_digit())
                    && v.chars().any(|ch| ch.is_ascii_alphabetic())
                    && !v.contains(' ')
                    && !r.placeholder.is_match(v)
                    && !v.contains("://")
                    && !v.contains('/')
            })
            .map(|c| clip(c.get(0).map_or("", |m| m.as_str())))
    }) {
        return Some(ev);
    }
    if let Some(ev) = first(&r.secret_empty_call, &code.text)
        .or_else(|| first(&r.secret_empty_assign, &code.text))
        .or_else(|| first(&r.conn_string, &code.text))
        .or_else(|| first(&r.secret_setter, &code.text))
        .or_else(|| first(&r.secret_positional, &code.text))
    {
        return Some(ev);
    }
    for c in r.secret_fallback.captures_iter(&code.text) {
        let whole = c.get(0).map_or("", |m| m.as_str());
        let line_start = code.text[..c.get(0).map_or(0, |m| m.start())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let line = code.text[line_start..].lines().next().unwrap_or("");
        let env_lookup = [
            "env",
            "environ",
            "getenv",
            "ENV",
            "config",
            "Configuration",
            "settings",
        ]
        .iter()
        .any(|e| line.contains(e));
        // `Key(getenv('JWT_SECRET'), 'HS256')`: the literal is the call's
        // next argument (an algorithm), not a default for the lookup.
        let value = c.get(1).map_or("", |m| m.as_str());
        let next_argument = whole.contains(')')
            && whole.contains(',')
            && !whole.contains("??")
            && !whole.contains("||")
            && !whole.to_lowercase().contains(" or ");
        if env_lookup && !line.contains("==") && !next_argument && !not_a_key(value) {
            return Some(clip(whole));
        }
    }
    // A constant holding a literal, then used as a signing key.
    let literals: Vec<(String, String)> = r
        .literal_assign
        .captures_iter(&code.text)
        .map(|c| (c[1].trim_start_matches('$').to_string(), c[2].to_string()))
        .collect();
    for c in r.signing_key_use.captures_iter(&code.text) {
        let args = code::call_args(c.get(1).map_or("", |m| m.as_str()));
        for a in args.iter().take(3) {
            let name = a
                .trim()
                .trim_start_matches('$')
                .trim_start_matches("this.")
                .trim_start_matches("self.");
            if let Some((_, v)) = literals.iter().find(|(n, _)| n == name) {
                if !r.placeholder.is_match(v) || v == "secret" {
                    return Some(clip(c.get(0).map_or("", |m| m.as_str())));
                }
            }
        }
    }
    None
}

fn secret_in_logs(code: &Code) -> Option<String> {
    let r = regexes();
    // A whole request body logged where the answer handles a password or
    // token: the body carries it.
    let sensitive_request = r.sensitive.is_match(&code.text);
    let mut body_names: HashSet<String> = code
        .masked()
        .lines()
        .filter_map(|line| r.assignment.captures(line))
        .filter(|c| {
            r.whole_body
                .is_match(unmasked_rhs(code, &c[2]).trim().trim_end_matches(';'))
        })
        .map(|c| c[1].trim_start_matches('$').to_string())
        .collect();
    // The decoded request object: `@RequestBody SignupRequest request`,
    // `dto: LoginDto`, `var req LoginRequest`.
    body_names.extend(
        r.request_object
            .captures_iter(&code.text)
            .filter_map(|c| c.get(1).or(c.get(2)).or(c.get(3)))
            .map(|m| m.as_str().to_string()),
    );
    let whole_body_value = |v: &str| {
        let v = v
            .trim()
            .trim_start_matches("JSON.stringify(")
            .trim_start_matches("json.dumps(")
            .trim_start_matches("str(")
            .trim_start_matches("repr(")
            .trim_end_matches(')')
            .trim();
        r.whole_body.is_match(v) || body_names.contains(v.trim_start_matches('$'))
    };
    for stmt in &code.statements {
        let masked = &stmt.masked;
        for c in r.log_call.captures_iter(masked) {
            let args = c.get(1).map_or("", |m| m.as_str());
            // `puts`, `print` and `pp` without parentheses are also English
            // verbs ("it puts a job on a queue"): their argument must read
            // as code (a literal, a variable, `user.password`).
            let call = c.get(0).map_or("", |m| m.as_str());
            let bare_verb =
                r.bare_print.is_match(call) && !call[..call.len() - args.len()].contains('(');
            if bare_verb && !r.code_argument.is_match(args.trim_start()) {
                continue;
            }
            // Values only: literal text is a message, interpolations are values.
            let values: String = with_interpolations(code, args)
                .split(code::MASK_OPEN)
                .map(|s| s.split_once(code::MASK_CLOSE).map_or(s, |(_, rest)| rest))
                .collect::<Vec<_>>()
                .join(" ");
            // Each value on its own: a redacted or harmless one (`user.id`)
            // does not excuse a secret beside it.
            let leaks = code::split_top_level(&values, &[","]).iter().any(|v| {
                (r.sensitive.is_match(v) && !r.redaction.is_match(v))
                    || (sensitive_request && whole_body_value(v))
                    || r.whole_headers.is_match(v)
            });
            if leaks {
                return Some(clip(
                    &code.unmask(stmt, c.get(0).map_or("", |m| m.as_str())),
                ));
            }
        }
    }
    None
}

fn unsafe_file_upload(code: &Code) -> Option<String> {
    let r = regexes();
    // The type decided by the extension alone.
    if r.upload_context.is_match(&code.text) && !r.content_check.is_match(&code.text) {
        if let Some(m) = r.extension_check.find(&code.text) {
            return Some(clip(m.as_str()));
        }
    }
    // Names given the client's file name (`String name = part.getSubmittedFileName();`).
    let named_after_upload: Vec<String> = code
        .masked()
        .lines()
        .filter_map(|line| r.assignment.captures(line))
        .filter(|c| r.upload_name.is_match(&unmasked_rhs(code, &c[2])))
        .map(|c| c[1].trim_start_matches('$').to_string())
        .collect();
    for line in code.text.lines() {
        let by_name = || {
            named_after_upload.iter().any(|n| {
                let Some(at) = line.find(n.as_str()) else {
                    return false;
                };
                let before = line[..at].chars().next_back();
                let after = line[at + n.len()..].chars().next();
                let boundary =
                    |c: Option<char>| !c.is_some_and(|c| c.is_alphanumeric() || c == '_');
                let assigned_here = line[at + n.len()..].trim_start().starts_with('=');
                boundary(before) && boundary(after) && !assigned_here
            })
        };
        let quote_from = match r.upload_name.find(line) {
            Some(m) => m.start(),
            None if by_name() => line.len() - line.trim_start().len(),
            None => continue,
        };
        let joins_path = line.contains("join")
            || line.contains("Combine")
            || line.contains('+')
            || line.contains(" . ")
            || line.contains(".\"")
            || line.contains("save(")
            || line.contains("move_uploaded_file")
            || line.contains("open(")
            || line.contains("File(")
            || line.contains("#{")
            || line.contains("${")
            || line.contains("SaveAs")
            || line.contains("CopyTo")
            || line.contains("Create(")
            || line.contains("transferTo")
            || line.contains("mv(")
            || line.contains("diskStorage")
            || line.contains("cb(null");
        if joins_path && !r.upload_safe.is_match(line) && !r.upload_safe.is_match(&code.text) {
            return Some(clip(&line[quote_from..]));
        }
    }
    None
}

fn unsigned_webhook(code: &Code) -> Option<String> {
    let r = regexes();
    if r.signature_check.is_match(&code.text) {
        return None;
    }
    if let Some(m) = r.webhook_route.find(&code.text) {
        return Some(clip(m.as_str()));
    }
    // A handler that receives a provider's events: named for hooks, or
    // branching on an event header or a dotted event type
    // (`"payment.succeeded"`), reading the request body.
    if !r.request_body_read.is_match(&code.text) {
        return None;
    }
    let event_type = r.event_type_check.find(&code.text).filter(|m| {
        // `"invoice.paid"`, not a file name or a host.
        let lit = m.as_str();
        !lit.contains(".json") && !lit.contains(".com") && !lit.contains(".html")
    });
    r.hook_name
        .find(&code.text)
        .or(event_type)
        .or_else(|| r.event_header.find(&code.text))
        .map(|m| clip(m.as_str()))
}

fn ssrf(code: &Code) -> Option<String> {
    let r = regexes();
    let tainted = tainted_with_params(code);
    // A URL whose scheme and host are written out (`"https://api.example.com/" + id`)
    // only lets the input choose a path on a fixed host.
    let fixed_host = |expr: &str| r.fixed_host_url.is_match(expr.trim_start());
    let fixed_vars: HashSet<String> = code
        .masked()
        .lines()
        .filter_map(|line| r.assignment.captures(line))
        .filter(|c| fixed_host(&unmasked_rhs(code, &c[2])))
        .map(|c| c[1].trim_start_matches('$').to_string())
        .collect();
    // The `request` package of Node.js, only where it is required.
    let node_request = r.require_request.is_match(&code.text);
    let calls = r.fetch_call.captures_iter(&code.text).chain(
        r.node_request_call
            .captures_iter(&code.text)
            .filter(|_| node_request),
    );
    for c in calls {
        let whole = c.get(0).map_or("", |m| m.as_str());
        let start = c.get(0).map_or(0, |m| m.start());
        // `SORTS.fetch(key, default)`, `params.fetch(:days)`: a Ruby hash, not an HTTP call.
        if whole.starts_with("fetch") && code.text[..start].ends_with('.') {
            continue;
        }
        let args = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        let first_arg = code::call_args(args).into_iter().next().unwrap_or_default();
        let first_id = first_arg.trim().trim_start_matches('$');
        if fixed_host(&first_arg) || fixed_vars.contains(first_id) {
            continue;
        }
        if carries_input(&first_arg, &tainted)
            || r.url_field.is_match(&first_arg)
            || (first_arg.contains("${") && carries_input(args, &tainted))
        {
            if r.allow_list.is_match(&code.text) {
                return None;
            }
            return Some(clip(c.get(0).map_or("", |m| m.as_str())));
        }
    }
    None
}

fn tls_verification_disabled(code: &Code) -> Option<String> {
    let r = regexes();
    let m = r.tls_off.find(&code.text)?;
    // `jwt.decode(..., verify=False)` is a JWT flaw, not TLS.
    let line_start = code.text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
    let line = &code.text[line_start..];
    let line = line.lines().next().unwrap_or("");
    if line.to_lowercase().contains("jwt") || line.to_lowercase().contains("decode") {
        return None;
    }
    Some(clip(m.as_str()))
}

fn cors_any_origin_credentials(code: &Code) -> Option<String> {
    let r = regexes();
    if let Some(m) = r.cors_combined.find(&code.text) {
        if !code.text.contains("origins") {
            return Some(clip(m.as_str()));
        }
    }
    // The request's Origin echoed back, with credentials, and no list checked.
    if let Some(m) = r.cors_reflected.find(&code.text) {
        if r.cors_credentials.is_match(&code.text) && !r.origin_allow_list.is_match(&code.text) {
            return Some(clip(m.as_str()));
        }
    }
    // Any origin and credentials in the same configuration (a few lines apart).
    let lines: Vec<&str> = code.text.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(any) = r.cors_any.find(line) else {
            continue;
        };
        let window = lines[i.saturating_sub(4)..(i + 5).min(lines.len())].join("\n");
        let off = window.contains("credentials: false")
            || window.contains("credentials = false")
            || window.contains("AllowCredentials = false");
        let reflected_after_check =
            !any.as_str().contains('*') && r.origin_allow_list.is_match(&window);
        if r.cors_credentials.is_match(&window) && !off && !reflected_after_check {
            return Some(clip(any.as_str()));
        }
    }
    None
}

fn xss(code: &Code) -> Option<String> {
    let r = regexes();
    let text = &code.text;
    for c in r.xss_sink.captures_iter(text) {
        let whole = c.get(0).map_or("", |m| m.as_str());
        let value = c
            .iter()
            .skip(1)
            .flatten()
            .next()
            .map_or("", |m| m.as_str())
            .trim();
        // A constant string, an empty string or a sanitised value is safe.
        let constant = value.is_empty()
            && !whole.contains("<?")
            && !whole.contains('|')
            && !whole.contains("autoescape")
            && !whole.contains("html_safe")
            && !whole.contains("<%==")
            && !whole.contains("{!!")
            && !whole.contains("echo")
            && !whole.contains("print")
            && !whole.contains("Write")
            && !whole.contains("Raw")
            && !whole.contains("raw")
            && !whole.contains("bypass");
        let literal_only = !value.is_empty() && {
            let v = value.trim_end_matches(';').trim();
            (v.starts_with('\'')
                && v.ends_with('\'')
                && !v[1..v.len().saturating_sub(1)].contains('\''))
                || (v.starts_with('"')
                    && v.ends_with('"')
                    && !v[1..v.len().saturating_sub(1)].contains('"'))
                || (v.starts_with('`') && !v.contains("${"))
                // Literals joined to literals: "<b>" + "hello</b>".
                || r
                    .string_literal
                    .replace_all(v, "")
                    .chars()
                    .all(|c| c.is_whitespace() || matches!(c, '+' | '.'))
        };
        if constant || literal_only || r.xss_safe.is_match(value) || r.xss_safe.is_match(whole) {
            continue;
        }
        return Some(clip(whole));
    }
    let tainted = tainted(code);
    for m in r.xss_server.find_iter(text) {
        let s = m.as_str();
        if carries_input(s, &tainted) && !r.xss_safe.is_match(s) {
            return Some(clip(s));
        }
    }
    // Markup built from input: a value declared safe HTML (`template.HTML`,
    // `HtmlString`, `mark_safe`, `Markup`) from a parameter or request
    // input, or request input written straight into the response.
    if text.contains("text/plain") {
        return None;
    }
    let mut with_params = tainted_with_params(code);
    let mut request = tainted;
    let mut html_templates: HashSet<String> = HashSet::new();
    let mut html_from_input: HashSet<String> = HashSet::new();
    for stmt in &code.statements {
        let s = code.unmask(stmt, &stmt.masked);
        if r.xss_safe.is_match(&s) {
            // `$name = htmlspecialchars($_GET['name'])` holds escaped text.
            if let Some(c) = r.assignment.captures(&stmt.masked) {
                let name = c[1].trim_start_matches('$');
                with_params.remove(name);
                request.remove(name);
            }
            continue;
        }
        // Only what the sink call itself is given counts, string literals
        // aside (their interpolations count).
        let masked = &stmt.masked;
        let given = |sink: &Regex| {
            sink.find(masked).map(|m| {
                let rest = &masked[m.start()..];
                rest.split(['\n', ';']).next().unwrap_or(rest).to_string()
            })
        };
        let carries = |part: &str, set: &HashSet<String>| {
            r.input.is_match(part)
                || code::identifiers(part).any(|id| set.contains(id.trim_start_matches('$')))
                || code::mask_tokens(part).any(|i| {
                    code.literals
                        .get(i)
                        .is_some_and(|l| l.interpolations.iter().any(|e| carries_input(e, set)))
                })
        };
        if let Some(part) = given(&r.trusted_markup) {
            if carries(&part, &with_params) {
                return Some(clip(&code.unmask(stmt, &part)));
            }
        }
        if let Some(part) = given(&r.response_writer) {
            if carries(&part, &request) {
                return Some(clip(&code.unmask(stmt, &part)));
            }
        }
        // Markup built from input, then returned, sent or inserted:
        // `return "<a href='{}'>".format(param)`, `jQuery("<span>" + name)`,
        // `String.format(template, value)` into a response, `"body": html`.
        let html_literal = |text: &str| {
            code::mask_tokens(text).any(|i| {
                code.literals
                    .get(i)
                    .is_some_and(|l| r.html_shape.is_match(&l.content))
            })
        };
        let template = |text: &str| {
            html_literal(text) || code::identifiers(text).any(|id| html_templates.contains(id))
        };
        if let Some(part) = given(&r.html_out) {
            let built_here = template(&part) && carries(&part, &request);
            let built_before = code::identifiers(&part).any(|id| html_from_input.contains(id));
            if built_here || built_before {
                return Some(clip(&code.unmask(stmt, &part)));
            }
        }
        if let Some(c) = r.assignment.captures(masked) {
            let name = c[1].trim_start_matches('$').to_string();
            let rhs = &c[2];
            if template(rhs) {
                if carries(rhs, &request) {
                    html_from_input.insert(name.clone());
                }
                html_templates.insert(name);
            }
        }
    }
    None
}

fn jwt_unverified(code: &Code) -> Option<String> {
    let r = regexes();
    if let Some(m) = r.jwt_off.find(&code.text) {
        let s = m.as_str().to_lowercase();
        let line_start = code.text[..m.start()].rfind('\n').map_or(0, |i| i + 1);
        let line = code.text[line_start..]
            .lines()
            .next()
            .unwrap_or("")
            .to_lowercase();
        if !(s.starts_with("verify")
            && !line.contains("jwt")
            && !line.contains("decode")
            && !line.contains("token"))
        {
            return Some(clip(m.as_str()));
        }
    }
    if let Some(m) = r.jwt_decode_js.find(&code.text) {
        // PyJWT's jwt.decode(token, key, algorithms=…) verifies; JS's jwt.decode does not.
        let after = &code.text[m.end()..];
        let args = code::call_args(after);
        // JS's second argument is options (`{ complete: true }`, or a
        // legacy boolean), never a key.
        let second = args.get(1).map_or("", |a| a.trim());
        let js_options =
            second.starts_with('{') || matches!(second, "true" | "false" | "null" | "undefined");
        let python_verifying = args.len() >= 2
            && !js_options
            && !args.iter().any(|a| {
                a.contains("verify_signature") || a.replace(' ', "").contains("verify=False")
            });
        if !python_verifying && !r.jwt_verify_js.is_match(&code.text) {
            return Some(clip(m.as_str()));
        }
    }
    if let Some(m) = r.jwt_decode_java.find(&code.text) {
        if !r.jwt_require_java.is_match(&code.text) {
            return Some(clip(m.as_str()));
        }
    }
    if let Some(m) = r.jwt_manual.find(&code.text) {
        let lower = code.text.to_lowercase();
        if !(lower.contains("hash_hmac")
            || lower.contains("hmac")
            || lower.contains("verify")
            || lower.contains("signature"))
        {
            return Some(clip(m.as_str()));
        }
    }
    None
}

fn command_injection(code: &Code) -> Option<String> {
    let r = regexes();
    let tainted = tainted_with_params(code);
    // Variables holding an escaped value (`$arg = escapeshellarg(...)`).
    let escaped: HashSet<String> = code
        .statements
        .iter()
        .filter(|st| r.shell_escape.is_match(&code.unmask(st, &st.masked)))
        .filter_map(|st| r.assignment.captures(&st.masked))
        .map(|c| c[1].trim_start_matches('$').to_string())
        .collect();
    for stmt in &code.statements {
        let s = code.unmask(stmt, &stmt.masked);
        for c in r.shell_call.captures_iter(&stmt.masked) {
            let start = c.get(0).map_or(0, |m| m.start());
            let call = c.get(0).map_or("", |m| m.as_str());
            if (call.starts_with("exec") || call.starts_with("execSync"))
                && stmt.masked[..start].ends_with('.')
                && !stmt.masked[..start].ends_with("child_process.")
            {
                continue;
            }
            let args = c.get(1).map_or("", |m| m.as_str());
            let dynamic = args.contains('+')
                || code::mask_tokens(args).any(|i| {
                    code.literals.get(i).is_some_and(|l| {
                        l.interpolations
                            .iter()
                            .any(|e| !escaped.contains(e.trim().trim_start_matches('$')))
                    })
                })
                || args.contains(".format(")
                || args.contains('%')
                || carries_input(&unmasked_rhs(code, args), &tainted);
            if [
                "escapeshellarg",
                "escapeshellcmd",
                "shlex.quote",
                "shellescape",
                "Shellwords.escape",
                "ShellEscape",
                "quote(",
            ]
            .iter()
            .any(|e| s.contains(e))
            {
                continue;
            }
            // A fixed program with separate arguments (`system("convert", src)`).
            if r.fixed_program.is_match(&s) && !r.shell_list.is_match(&s) && !s.contains("sh -c") {
                continue;
            }
            let list_form = args.trim_start().starts_with('[') && !r.shell_list.is_match(&s);
            let shell = r.shell_list.is_match(&s) || !args.trim_start().starts_with('[');
            if dynamic && shell && !list_form {
                let first_arg = code::call_args(args).into_iter().next().unwrap_or_default();
                let exec_file = c.get(0).is_some_and(|m| {
                    m.as_str().contains("exec.Command")
                        || m.as_str().contains("ProcessBuilder")
                        || m.as_str().contains("spawn")
                });
                if exec_file && !r.shell_list.is_match(&s) && !first_arg.contains('+') {
                    continue;
                }
                return Some(clip(&s));
            }
        }
    }
    if r.process_sink.is_match(&code.text) || r.backtick_command.is_match(&code.text) {
        return command_built_from_input(code, &tainted);
    }
    None
}

/// The second look for command injection, where the command is assembled
/// over several statements: a statement that runs a program (or fills in a
/// process's file name, arguments or `sh -c` list) and carries request input
/// or a parameter, outside a fixed program with separate arguments.
fn command_built_from_input(code: &Code, tainted: &HashSet<String>) -> Option<String> {
    let r = regexes();
    let shell_marker = r.shell_marker.is_match(&code.text);
    // Variables holding a command list or string that includes input.
    let mut command_vars: HashSet<String> = HashSet::new();
    // Variables holding an escaped value (`$arg = escapeshellarg($input)`).
    let mut escaped: HashSet<String> = HashSet::new();
    let python_without_shell = !code.text.contains("shell=True");
    for stmt in &code.statements {
        let s = code.unmask(stmt, &stmt.masked);
        if r.shell_escape.is_match(&s) {
            if let Some(c) = r.assignment.captures(&stmt.masked) {
                escaped.insert(c[1].trim_start_matches('$').to_string());
            }
            continue;
        }
        let ids: Vec<&str> = code::identifiers(&stmt.masked)
            .map(|id| id.trim_start_matches('$'))
            .filter(|id| !escaped.contains(*id))
            .collect();
        let interpolated = code::mask_tokens(&stmt.masked).any(|i| {
            code.literals
                .get(i)
                .is_some_and(|l| l.interpolations.iter().any(|e| carries_input(e, tainted)))
        });
        // Ruby backticks run a shell with their `#{}` values.
        let backtick_shell = code::mask_tokens(&stmt.masked).any(|i| {
            code.literals.get(i).is_some_and(|l| {
                code.text.contains(&format!("`{}`", l.content))
                    && r.ruby_interpolation
                        .captures_iter(&l.content)
                        .any(|c| carries_input(&c[1], tainted))
            })
        });
        if backtick_shell {
            return Some(clip(&s));
        }
        let carries = interpolated
            || r.input.is_match(&s)
            || ids
                .iter()
                .any(|id| tainted.contains(*id) || command_vars.contains(*id));
        if !carries {
            continue;
        }
        if r.backtick_command.is_match(&s) && interpolated {
            return Some(clip(&s));
        }
        if let Some(m) = r.python_subprocess.captures(&s) {
            // Without `shell=True` Python runs one program with arguments:
            // only a program chosen by the input is a flaw.
            if python_without_shell {
                let program = m.get(1).map_or("", |p| p.as_str());
                let chosen = code::identifiers(program)
                    .next()
                    .is_some_and(|id| tainted.contains(id) || command_vars.contains(id));
                if chosen {
                    return Some(clip(&s));
                }
                continue;
            }
        }
        if r.process_sink.is_match(&s) {
            // A fixed program with input only as a separate argument
            // (`spawn("git", ["clone", url])`) is not a shell.
            let fixed_program = r.fixed_program.is_match(&s) && !shell_marker;
            if !fixed_program {
                return Some(clip(&s));
            }
        }
        if let Some(c) = r.assignment.captures(&stmt.masked) {
            if shell_marker || r.process_sink.is_match(&code.text) {
                command_vars.insert(c[1].trim_start_matches('$').to_string());
            }
        }
        // `cmd[2] = command`, `argList.add("echo " + param)` beside a
        // `sh -c` list: the list is the command.
        if shell_marker {
            if let Some(c) = r.list_element_write.captures(&stmt.masked) {
                command_vars.insert(c[1].trim_start_matches('$').to_string());
            }
        }
    }
    None
}

fn path_traversal(code: &Code) -> Option<String> {
    let r = regexes();
    let tainted = tainted_with_params(code);
    if r.path_safe.is_match(&code.text) {
        return None;
    }
    // Each statement whole: a call's arguments may run over several lines.
    for stmt in &code.statements {
        let s = code.unmask(stmt, &stmt.masked);
        for c in r.file_open.captures_iter(&s) {
            let args = c.iter().skip(1).flatten().next().map_or("", |m| m.as_str());
            // Uploads are their own class.
            if carries_input(args, &tainted) && !r.upload_name.is_match(args) {
                return Some(clip(c.get(0).map_or("", |m| m.as_str())));
            }
        }
    }
    None
}

fn insecure_deserialization(code: &Code) -> Option<String> {
    let r = regexes();
    let text = &code.text;
    if let Some(found) = remote_interface_taking_objects(text) {
        return Some(found);
    }
    // `from dill import loads` … `loads(data)`.
    let bare_loads = r.bare_loads_import.is_match(text);
    let assigned = assigned_names(code);
    let tainted = tainted_with_params(code);
    let matches = r
        .deserialize
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .chain(
            bare_loads
                .then(|| {
                    r.bare_loads_call
                        .find_iter(text)
                        .map(|m| (m.start(), m.end()))
                })
                .into_iter()
                .flatten(),
        );
    for (start, end) in matches {
        let s = &text[start..end];
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let call = &text[start..line_end];
        if s.contains("Deserialize")
            && !s.contains("FsPickler")
            && !text.contains("BinaryFormatter")
            && !text.contains("TypeNameHandling")
            && !text.contains("FsPickler")
        {
            continue;
        }
        let yaml = s.to_lowercase().starts_with("yaml.load");
        if yaml
            && (r.safe_yaml.is_match(call)
                || text.contains("safe_load")
                || text.contains("SafeConstructor")
                || text.contains("new Constructor(")
                || (text.contains("YAML(")
                    && !text.contains("typ=\"unsafe\"")
                    && !text.contains("typ='unsafe'")))
        {
            continue;
        }
        if s.contains("Marshal.load") && call.contains("Marshal.dump(") {
            continue;
        }
        if s.ends_with('(') && !from_untrusted(&text[end..], &assigned, &tainted) {
            continue;
        }
        return Some(clip(s));
    }
    None
}

/// The first argument of a deserialising call (text right after its `(`)
/// may come from outside: it is not a literal, a fixed file, a round trip
/// of our own `dump`, or computed only from values set in the answer
/// without request input.
fn from_untrusted(after_open: &str, assigned: &HashSet<String>, tainted: &HashSet<String>) -> bool {
    let r = regexes();
    let Some(arg) = code::call_args(after_open).into_iter().next() else {
        return true;
    };
    let arg = arg.trim();
    if arg.is_empty() {
        return true;
    }
    if r.string_literal.is_match(arg) && r.string_literal.replace_all(arg, "").trim().is_empty() {
        return false;
    }
    if r.fixed_file_open.is_match(arg) || arg.contains(".dump(") || arg.contains(".dumps(") {
        return false;
    }
    if carries_input(arg, tainted) {
        return true;
    }
    let without_literals = r.string_literal.replace_all(arg, "\"\"");
    let without_calls = r.call_name.replace_all(&without_literals, "(");
    let external = code::identifiers(&without_calls)
        .map(|id| id.trim_start_matches('$'))
        .any(|id| !assigned.contains(id));
    external
}

/// Names assigned somewhere in the answer.
fn assigned_names(code: &Code) -> HashSet<String> {
    let r = regexes();
    code.statements
        .iter()
        .filter_map(|st| r.assignment.captures(&st.masked))
        .map(|c| c[1].trim_start_matches('$').to_string())
        .collect()
}

/// A Java RMI interface whose methods take objects: the server
/// deserialises whatever a caller sends in them.
fn remote_interface_taking_objects(text: &str) -> Option<String> {
    let r = regexes();
    let at = r.remote_interface.find(text)?;
    const PLAIN: &[&str] = &[
        "String",
        "Integer",
        "Long",
        "Boolean",
        "Double",
        "Float",
        "Short",
        "Byte",
        "Character",
    ];
    r.remote_method_param
        .captures_iter(&text[at.start()..])
        .find(|c| !PLAIN.contains(&&c[1]))
        .map(|c| clip(c.get(0).map_or("", |m| m.as_str())))
}

fn no_input_validation(code: &Code) -> Option<String> {
    let r = regexes();
    // The whole request body handed to storage (mass assignment), unchecked.
    if let Some(m) = r.mass_assignment.find(&code.text) {
        if !r.validation.is_match(&code.text) {
            return Some(clip(m.as_str()));
        }
    }
    // An amount, quantity or limit read from the request and used with no
    // check of its type or range anywhere (a negative amount is a refund).
    let m = r.numeric_request_field.find(&code.text)?;
    if r.value_validation.is_match(&code.text) {
        return None;
    }
    Some(clip(&code.text[m.start()..]))
}

fn sentence_around(text: &str, at: usize) -> &str {
    let at = at.min(text.len());
    let start = text[..at].rfind(['.', '?', '!', '\n']).map_or(0, |i| i + 1);
    let end = text[at..]
        .find(['.', '?', '!', '\n'])
        .map_or(text.len(), |i| at + i + 1);
    &text[start..end]
}

fn select_star(code: &Code) -> Option<String> {
    let r = regexes();
    let m = r.select_star.find(&code.text)?;
    let is_code = super::super::detectors::looks_like_code(&code.text);
    if is_code || !r.negation.is_match(sentence_around(&code.text, m.start())) {
        return Some(clip(m.as_str()));
    }
    None
}

fn status_200_for_errors(code: &Code) -> Option<String> {
    let r = regexes();
    r.status_200_code
        .iter()
        .find_map(|re| first(re, &code.text))
        .or_else(|| {
            code.text
                .split_inclusive(['.', '?', '!', '\n'])
                .find(|s| {
                    r.status_200_prose.is_match(s)
                        && !r.negation.is_match(s)
                        && !r.status_4xx.is_match(s)
                })
                .map(clip)
        })
}

fn verbs_in_urls(code: &Code) -> Option<String> {
    let r = regexes();
    let m = r.verb_url.find(&code.text)?;
    if r.negation.is_match(sentence_around(&code.text, m.start()))
        && !super::super::detectors::looks_like_code(&code.text)
    {
        return None;
    }
    Some(clip(m.as_str()))
}

fn no_error_handling(code: &Code) -> Option<String> {
    let r = regexes();
    if !super::super::detectors::looks_like_code(&code.text) {
        return None;
    }
    let m = r.db_call.find(&code.text)?;
    if r.error_handling.is_match(&code.text) {
        return None;
    }
    Some(clip(m.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(id: &str, src: &str) -> bool {
        let analyse = analyser(id).expect("a known analyser");
        analyse(&Code::new(src)).is_some()
    }

    #[test]
    fn request_input_given_to_raw_sql_sinks() {
        assert!(finds(
            "sql_concatenation",
            "$input = $_GET['sort'];\n$users = DB::table('users')->orderBy($input)->get();"
        ));
        assert!(finds("sql_concatenation", "param := r.URL.Query().Get(\"orderBy\")\ndb.Table(\"users\").Order(param + \" ASC\").Find(&u)"));
        assert!(finds(
            "sql_concatenation",
            "Product.find(:last, :select => params[:column])"
        ));
        assert!(finds("sql_concatenation", "def top\n  Product.find_by_sql(<<~SQL)\n    SELECT id FROM products\n    WHERE category = '#{params[:category]}'\n  SQL\nend"));
        // Keyword arguments bind values; converted and looked-up values are safe.
        assert!(!finds(
            "sql_concatenation",
            "User.where(name: params[:name]).first"
        ));
        assert!(!finds("sql_concatenation", "$limit = min(100, (int) ($_GET['limit'] ?? 20));\n$sql = sprintf(\"SELECT id FROM posts LIMIT %d\", $limit);\n$posts = $pdo->query($sql)->fetchAll();"));
    }

    #[test]
    fn deserialisation_of_what_comes_from_outside() {
        assert!(finds(
            "insecure_deserialization",
            "def enqueue():\n    job = pickle.loads(request.get_data())"
        ));
        assert!(finds(
            "insecure_deserialization",
            "$prefs = unserialize(base64_decode($_COOKIE['prefs']));"
        ));
        assert!(finds(
            "insecure_deserialization",
            "ObjectMapper m = new ObjectMapper();\nm.enableDefaultTyping();"
        ));
        assert!(finds(
            "insecure_deserialization",
            "from dill import loads\ndef handler(event, context):\n  loads(event['payload'])"
        ));
        assert!(!finds(
            "insecure_deserialization",
            "novels = pickle.load(open('./novel/list.dat', 'rb'))"
        ));
        assert!(!finds(
            "insecure_deserialization",
            "obj = Marshal.load(Marshal.dump(Foobar.new))"
        ));
        assert!(!finds(
            "insecure_deserialization",
            "obj = YAML.load(data, safe: true)"
        ));
    }

    #[test]
    fn own_function_names_are_not_strong_hashes() {
        assert!(finds("weak_password_hash", "def create_user(email, password):\n    pw_hash = hashlib.md5(password.encode()).hexdigest()"));
        assert!(!finds(
            "weak_password_hash",
            "user.set_password(raw)\ndigest = hashlib.sha256(body).hexdigest()"
        ));
    }

    #[test]
    fn reflected_origin_with_credentials() {
        assert!(finds("cors_any_origin_credentials", "res.setHeader(\"Access-Control-Allow-Origin\", req.getHeader(\"Origin\"));\nres.setHeader(\"Access-Control-Allow-Credentials\", \"true\");"));
        assert!(!finds("cors_any_origin_credentials", "if (allowed.includes(origin)) {\n  res.setHeader(\"Access-Control-Allow-Origin\", origin);\n  res.setHeader(\"Access-Control-Allow-Credentials\", \"true\");\n}"));
    }

    #[test]
    fn paths_checked_only_when_prefix_is_checked() {
        assert!(finds("path_traversal", "String rel = req.getParameter(\"path\");\nPath file = Paths.get(\"/opt/uploads\").resolve(rel);\nFiles.copy(file, out);"));
        assert!(!finds("path_traversal", "String image = request.getParameter(\"image\");\nFile file = new File(\"static/images/\", FilenameUtils.getName(image));"));
    }

    #[test]
    fn markup_built_from_input_then_returned_or_sent() {
        assert!(finds("xss", "@app.route(\"/a\")\ndef a():\n    param = flask.request.args.get(\"param\")\n    return \"<a href='{}'>Click me!</a>\".format(param)"));
        assert!(finds("xss", "def lambda_handler(event, context):\n    html = f\"<div>{event['input']}</div>\"\n    return {\"statusCode\": 200,\n        \"body\": html}"));
        assert!(finds("xss", "var name = new URLSearchParams(location.hash.substring(1)).get('k');\nthis.$el = jQuery(\"<span>\" + name + \"</span>\");"));
        // Callback bodies are statements of their own: an escape on one line
        // does not excuse the next.
        assert!(finds("xss", "app.get('/s', async (req, res) => {\n  const q = req.query.q || '';\n  const hits = await Post.find({ title: new RegExp(escapeRegex(q), 'i') });\n  res.send(`<h2>Results for ${q}</h2>`);\n});"));
        assert!(!finds("xss", "[HttpGet(\"search\")]\npublic ContentResult Search([FromQuery] string q)\n{\n    var encoded = HtmlEncoder.Default.Encode(q ?? string.Empty);\n    return Content($\"<h2>Results for {encoded}</h2>\", \"text/html\");\n}"));
    }

    #[test]
    fn where_predicates_built_by_concatenation() {
        assert!(finds(
            "nosql_injection",
            "paramMap.put(\"$where\", \"this.sharedWith == \\\"\" + userName + \"\\\"\");"
        ));
        assert!(!finds(
            "nosql_injection",
            "query.put(\"$where\", \"this.sharedWith == \\\"CONSTANT\\\"\");"
        ));
        assert!(!finds(
            "sql_concatenation",
            "query.put(\"$where\", \"this.sharedWith == \\\"CONSTANT\\\"\");"
        ));
    }

    #[test]
    fn numbers_cannot_carry_sql() {
        assert!(!finds("sql_concatenation", "idhtml := request.Get(\"Id\")\nid, _ := strconv.Atoi(idhtml)\n_, err = db.Exec(\"DELETE FROM table WHERE Id = \" + id)"));
        assert!(!finds("sql_concatenation", "ResultSet handler(@RequestBody Integer name) {\n    String sql = \"SELECT * FROM t WHERE name = \";\n    sql += name + \";\";\n    stmt.execute(sql);\n}"));
    }

    #[test]
    fn shell_lists_filled_with_input() {
        assert!(finds("command_injection", "private void run(String command) throws IOException {\n  String[] cmd = new String[3];\n  cmd[0] = \"/bin/bash\";\n  cmd[1] = \"-c\";\n  cmd[2] = command;\n  ProcessBuilder builder = new ProcessBuilder(cmd);\n  builder.start();\n}"));
        assert!(finds("command_injection", "String param = request.getHeader(\"X\");\nList<String> argList = new ArrayList<String>();\nargList.add(\"sh\");\nargList.add(\"-c\");\nargList.add(\"echo \" + param);\nProcessBuilder pb = new ProcessBuilder();\npb.command(argList);"));
        assert!(!finds("command_injection", "List<String> args = new ArrayList<>();\nargs.add(\"convert\");\nargs.add(path);\nnew ProcessBuilder(args).start();"));
    }

    #[test]
    fn converted_values_and_hmac_messages_are_not_flaws() {
        assert!(!finds("sql_concatenation", "$authorId = intval($_GET['author']);\n$sql = \"SELECT id FROM posts WHERE author_id = \" . $authorId . \" ORDER BY created_at\";"));
        assert!(finds("sql_concatenation", "$authorId = $_GET['author'];\n$sql = \"SELECT id FROM posts WHERE author_id = \" . $authorId . \" ORDER BY created_at\";"));
        assert!(!finds(
            "hardcoded_secret",
            "sig = hmac.new(sub.secret, f\"{ts}.{body}\".encode(), hashlib.sha256).hexdigest()"
        ));
        assert!(finds(
            "hardcoded_secret",
            "sig = hmac.new(b\"s3cr3t-k3y-2024\", body, hashlib.sha256).hexdigest()"
        ));
    }

    #[test]
    fn request_data_reaching_queries_logs_and_paths_indirectly() {
        // A filter object that spreads the request body into itself.
        assert!(finds(
            "nosql_injection",
            "const filter = { ...req.body.filter, userId: req.user.id };\nconst orders = await db.collection(\"orders\").find(filter).toArray();"
        ));
        // PHP: a request field can be an array, i.e. an operator.
        assert!(finds(
            "nosql_injection",
            "$user = $collection->findOne([\n    'username' => $_POST['username'],\n]);"
        ));
        assert!(!finds(
            "nosql_injection",
            "$user = $collection->findOne(['username' => (string) $_POST['username']]);"
        ));
        // Route parameters are strings, and `where:` is an ORM's.
        assert!(!finds(
            "nosql_injection",
            "const invoice = await invoices.findOne({ where: { id: req.params.id, userId: req.user.id } });"
        ));
        // The whole body logged by a handler that takes a password.
        assert!(finds(
            "secret_in_logs",
            "payload = request.get_json()\nlogger.info(\"register request: %s\", payload)\nuser = service.register(payload[\"email\"], payload[\"password\"])"
        ));
        assert!(!finds(
            "secret_in_logs",
            "it just puts a job on a queue, and the user doesn't get the same password reset twice."
        ));
        // The client's file name kept in a variable, then used as the path.
        assert!(finds(
            "unsafe_file_upload",
            "String name = part.getSubmittedFileName();\npart.write(\"/var/app/uploads/\" + name);"
        ));
        // A column named for a fast hash.
        assert!(finds(
            "weak_password_hash",
            "users(id, email UNIQUE, password_sha1 char(40)), products(id, name)"
        ));
        // JS `jwt.decode(token, true)`: options, never a key.
        assert!(finds(
            "jwt_unverified",
            "const jwt = require('jsonwebtoken');\nif (jwt.decode(token, true).admin === true) { grant(); }"
        ));
    }

    #[test]
    fn unchecked_amounts_and_unsigned_event_receivers() {
        assert!(finds(
            "no_input_validation",
            "router.post('/api/v1/payments', requireAuth, async (req, res) => {\n  const charge = await stripe.paymentIntents.create({ amount: req.body.amount, currency: req.body.currency });\n});"
        ));
        assert!(!finds(
            "no_input_validation",
            "const Body = z.object({ amount: z.number().int().positive() });\nconst body = Body.parse(req.body);\nawait stripe.paymentIntents.create({ amount: body.amount });"
        ));
        assert!(finds(
            "unsigned_webhook",
            "post \"/hooks/github\" do\n  payload = JSON.parse(request.body.read)\n  DeployWorker.perform_async(payload[\"after\"])\nend"
        ));
        assert!(finds(
            "unsigned_webhook",
            "$event = json_decode(file_get_contents('php://input'), true);\nif (($event['type'] ?? '') === 'payment.succeeded') {\n    markPaid($event['data']['reference']);\n}"
        ));
        assert!(!finds(
            "unsigned_webhook",
            "event = stripe.Webhook.construct_event(request.data, request.headers['Stripe-Signature'], secret)\nif event['type'] == 'invoice.paid':\n    activate(event)"
        ));
    }

    #[test]
    fn request_objects_and_headers_logged_whole() {
        assert!(finds(
            "secret_in_logs",
            "@PostMapping(\"/api/v1/users\")\npublic ResponseEntity<Void> signup(@Valid @RequestBody SignupRequest request) {\n    log.info(\"Signup request received: {}\", request);\n    accountService.register(request.getEmail(), request.getPassword());\n}"
        ));
        assert!(finds(
            "secret_in_logs",
            "logger.Info(\"request\", zap.String(\"path\", r.URL.Path), zap.Any(\"headers\", r.Header))"
        ));
        // All params logged, not one field of them.
        assert!(finds(
            "secret_in_logs",
            "Rails.logger.info(\"login attempt #{params.inspect} ip=#{request.remote_ip}\")\nuser&.authenticate(params[:password])"
        ));
        assert!(!finds(
            "secret_in_logs",
            "Rails.logger.warn(\"failed login for #{params[:email]}\")\nuser&.authenticate(params[:password])"
        ));
        assert!(finds(
            "nosql_injection",
            "var filter bson.M\njson.NewDecoder(r.Body).Decode(&filter)\ncur, err := postsColl.Find(r.Context(), filter)"
        ));
        assert!(!finds(
            "nosql_injection",
            "const q = String(req.query.q || '');\nconst hits = await Post.find({ title: new RegExp(escapeRegex(q), 'i') });"
        ));
    }

    #[test]
    fn claims_and_hash_fetches_are_not_keys_or_requests() {
        assert!(!finds(
            "hardcoded_secret",
            "token = JWT.encode({ sub: user.id, iss: \"gateway\" }, ENV.fetch(\"JWT_KEY\"), \"HS256\")"
        ));
        assert!(finds(
            "hardcoded_secret",
            "encoded = jwt.encode({\"some\": \"payload\"}, \"secret\", algorithm=\"HS256\")"
        ));
        assert!(!finds(
            "ssrf",
            "days = params.fetch(:days, 30).to_i.clamp(1, 365)"
        ));
        assert!(!finds(
            "sql_concatenation",
            "const signature = req.headers.get('x-hub-signature-256') ?? '';\nconst a = Buffer.from(signature);"
        ));
        assert!(!finds(
            "no_input_validation",
            "data = JSON.parse(request.body.read)\nqty = Integer(data['quantity'], exception: false)\nhalt 422 unless qty && qty.between?(1, 50)"
        ));
    }

    #[test]
    fn constants_and_lookups_are_not_secrets_or_injections() {
        assert!(!finds(
            "hardcoded_secret",
            "$claims = JWT::decode($bearer, new Key(getenv('JWT_SECRET'), 'HS256'));"
        ));
        assert!(finds(
            "hardcoded_secret",
            "key = os.getenv('JWT_SECRET', 'dev-secret-123')"
        ));
        assert!(!finds(
            "sql_concatenation",
            "order = SORTABLE.get(request.args.get(\"sort\"), SORTABLE[\"new\"])\nrows = db.execute(f\"SELECT id FROM posts ORDER BY {order} LIMIT 50\", (author_id,))"
        ));
        assert!(!finds(
            "sql_concatenation",
            "enum ReportTable {\n    DAILY(\"report_daily\");\n    final String table;\n}\nString sql = String.format(\"SELECT id FROM %s WHERE id = ?\", kind.table);\njdbcTemplate.queryForObject(sql, mapper, id);"
        ));
    }

    #[test]
    fn every_analyser_runs() {
        let code = Code::new("x = 1");
        for (_, f) in ANALYSERS {
            assert!(f(&code).is_none());
        }
    }
}
