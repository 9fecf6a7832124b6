//! Detector suites: real-looking vulnerable and safe code in several
//! languages, and prose. Safe (parameterized, hashed, env-configured) code
//! must not be flagged.

use std::sync::OnceLock;

use viva::engine::detectors::detect;
use viva::engine::{rubric, Persona};

fn persona() -> &'static Persona {
    static P: OnceLock<Persona> = OnceLock::new();
    P.get_or_init(|| {
        Persona::from_file(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("personas/backend-engineer.toml"),
        )
        .expect("persona loads")
    })
}

/// The backend persona's catalogue over an answer, every entry enabled.
fn ids(answer: &str) -> Vec<String> {
    let p = persona();
    let all: Vec<String> = p
        .security
        .iter()
        .chain(&p.major_issues)
        .map(|e| e.id.clone())
        .collect();
    let text = rubric::prepare(p, answer);
    detect(p.compiled().catalogue(), &text, &all)
        .into_iter()
        .map(|f| f.id)
        .collect()
}

fn assert_flags(id: &str, samples: &[&str]) {
    for s in samples {
        assert!(
            ids(s).iter().any(|f| f == id),
            "expected {id} in:\n{s}\ngot {:?}",
            ids(s)
        );
    }
}

fn assert_clean_of(id: &str, samples: &[&str]) {
    for s in samples {
        assert!(!ids(s).iter().any(|f| f == id), "unexpected {id} in:\n{s}");
    }
}

#[test]
fn sql_concatenation_in_every_language() {
    assert_flags(
        "sql_concatenation",
        &[
            // Python
            "cursor.execute(\"SELECT * FROM users WHERE email = '\" + email + \"'\")",
            "cursor.execute(f\"SELECT id FROM users WHERE name = '{name}'\")",
            "cursor.execute(\"SELECT id FROM users WHERE id = {}\".format(user_id))",
            "cursor.execute(\"SELECT id FROM users WHERE id = %s\" % user_id)",
            "sql = 'DELETE FROM posts WHERE id = ' + str(post_id)",
            // JavaScript / TypeScript
            "db.query(`SELECT id FROM users WHERE email = '${req.body.email}'`)",
            "const q = \"UPDATE users SET name = '\" + name + \"' WHERE id = \" + id;",
            // Java
            "Statement st = conn.createStatement(); st.executeQuery(\"SELECT id FROM users WHERE name = '\" + name + \"'\");",
            "String sql = String.format(\"SELECT id FROM orders WHERE user_id = %s\", userId);",
            // Go
            "rows, err := db.Query(fmt.Sprintf(\"SELECT id FROM users WHERE email = '%s'\", email))",
            "db.Exec(\"DELETE FROM sessions WHERE token = '\" + token + \"'\")",
            // Ruby / PHP
            "User.find_by_sql(\"SELECT * FROM users WHERE name = '#{params[:name]}'\")",
            "$result = mysqli_query($conn, \"SELECT id FROM users WHERE email = '$email'\");",
            // Prose, typed or dictated
            "I concatenate the user's email into the SQL query string.",
            "I build the query with string interpolation of the search term into the WHERE clause.",
        ],
    );
    assert_clean_of(
        "sql_concatenation",
        &[
            "cursor.execute(\"SELECT id FROM users WHERE email = %s\", (email,))",
            "cursor.execute(\"SELECT id FROM users WHERE email = ?\", [email])",
            "db.query('SELECT id FROM users WHERE email = $1', [req.body.email])",
            "PreparedStatement ps = conn.prepareStatement(\"SELECT id FROM users WHERE name = ?\"); ps.setString(1, name);",
            "rows, err := db.Query(\"SELECT id FROM users WHERE email = $1\", email)",
            "User.where(\"name = ?\", params[:name])",
            "$stmt = $pdo->prepare('SELECT id FROM users WHERE email = :email'); $stmt->execute(['email' => $email]);",
            "await prisma.user.findUnique({ where: { email } })",
            "I never concatenate user input into SQL; every query uses bound parameters.",
            "String concatenation into queries causes SQL injection, so I avoid it.",
        ],
    );
}

#[test]
fn password_storage() {
    assert_flags(
        "plaintext_password",
        &[
            "I store the password in plain text in the users table.",
            "user.password = req.body.password; await user.save();",
            "cursor.execute(\"INSERT INTO users (email, password) VALUES (%s, %s)\", (email, password))",
        ],
    );
    assert_flags(
        "weak_password_hash",
        &[
            "hashed = hashlib.md5(password.encode()).hexdigest()",
            "const hash = crypto.createHash('sha1').update(password).digest('hex');",
            "MessageDigest md = MessageDigest.getInstance(\"MD5\"); byte[] h = md.digest(password.getBytes());",
            "I hash the password with SHA-256 and store it.",
        ],
    );
    let safe = [
        "hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(12))",
        "const hash = await argon2.hash(req.body.password);",
        "String hash = BCrypt.hashpw(password, BCrypt.gensalt());",
        "hash, err := bcrypt.GenerateFromPasswordHash([]byte(password), 12)",
        "I never store passwords in plain text; I hash them with argon2id.",
        "MD5 is not acceptable for passwords, so I use bcrypt.",
    ];
    assert_clean_of("plaintext_password", &safe);
    assert_clean_of("weak_password_hash", &safe);
}

#[test]
fn hardcoded_secrets() {
    assert_flags(
        "hardcoded_secret",
        &[
            "JWT_SECRET = \"s3cr3t-signing-key\"",
            "const apiKey = 'sk_live_1234567890abcdef';",
            "token := jwt.sign(payload, \"mysupersecret\")",
            "private static final String DB_PASSWORD = \"hunter22\";",
            "I hardcode the JWT secret in the config class.",
        ],
    );
    assert_clean_of(
        "hardcoded_secret",
        &[
            "JWT_SECRET = os.environ[\"JWT_SECRET\"]",
            "const apiKey = process.env.API_KEY;",
            "secret := os.Getenv(\"JWT_SECRET\")",
            "Secrets live in Vault and are injected as environment variables; nothing is hardcoded.",
        ],
    );
}

#[test]
fn select_star_status_codes_verbs_and_validation() {
    assert_flags(
        "select_star",
        &[
            "SELECT * FROM orders WHERE user_id = $1",
            "select * from users;",
        ],
    );
    assert_clean_of(
        "select_star",
        &[
            "SELECT COUNT(*) FROM orders",
            "SELECT id, total FROM orders",
            "I avoid SELECT * and list the columns.",
        ],
    );
    assert_flags(
        "status_200_for_errors",
        &[
            "res.status(200).json({ error: 'not found' })",
            "return jsonify({'error': 'invalid email'}), 200",
            "On failure I return 200 with an error message in the body.",
        ],
    );
    assert_clean_of(
        "status_200_for_errors",
        &[
            "res.status(404).json({ error: 'not found' })",
            "Success returns 200; errors return 400 or 500.",
        ],
    );
    assert_flags(
        "verbs_in_urls",
        &[
            "GET /api/getUser?id=1",
            "POST /createPost",
            "router.post('/deleteComment', handler)",
        ],
    );
    assert_clean_of(
        "verbs_in_urls",
        &[
            "GET /users/{id}",
            "POST /posts",
            "DELETE /posts/{id}/comments/{commentId}",
        ],
    );
    assert_flags(
        "no_input_validation",
        &["app.post('/users', async (req, res) => {\n  const user = await db.insert(req.body);\n  res.status(201).json(user);\n});"],
    );
    assert_clean_of(
        "no_input_validation",
        &["app.post('/users', async (req, res) => {\n  const data = schema.parse(req.body);\n  try { res.status(201).json(await db.insert(data)); } catch (e) { res.status(500).end(); }\n});"],
    );
}

#[test]
fn error_handling_in_code() {
    assert_flags(
        "no_error_handling",
        &["def get_user(id):\n    row = db.execute('SELECT id, name FROM users WHERE id = %s', (id,))\n    return row\n"],
    );
    assert_clean_of(
        "no_error_handling",
        &[
            "def get_user(id):\n    try:\n        return db.execute('SELECT id FROM users WHERE id = %s', (id,))\n    except DatabaseError:\n        abort(503)\n",
            "row := db.QueryRow(\"SELECT id FROM users WHERE id = $1\", id)\nif err := row.Scan(&u.ID); err != nil {\n    return err\n}\n",
        ],
    );
}

fn flagged_any(answer: &str) -> bool {
    let p = persona();
    let j = rubric::judge(p, p.question("q2").unwrap(), answer);
    j.first_security().is_some()
}

/// The classes the issue names, each in prose and in code: every one is a
/// security verdict, and the safe look-alikes are not.
#[test]
fn every_catalogue_class_in_prose_and_code() {
    let vulnerable = [
        // Prose, as candidates say it.
        "I'd store the password as is in the users table.",
        "We encrypt the passwords with AES so support can send them back to users.",
        "I hash passwords with MD5.",
        "One round of unsalted SHA-256 for the password.",
        "We log the request body, including the password, for debugging.",
        "I save uploads under the client's file name.",
        "We deliver webhooks unsigned; the URL is secret enough.",
        "We fetch any URL a customer registers, internal addresses too.",
        "Between services we turn off certificate verification.",
        "The signing secret is a constant in the source code.",
        "We render the user's HTML unescaped on the profile page.",
        "CORS allows any origin with credentials so the cookie goes through.",
        "Any logged-in user can read and edit any post by its id.",
        "We decode the JWT to read the user id, no need to check the signature.",
        // Code: built on one line, executed on the next.
        "String query = \"SELECT * FROM users WHERE name = '\" + name + \"'\";\nStatement st = conn.createStatement();\nResultSet rs = st.executeQuery(query);",
        "query := \"SELECT id FROM users WHERE email = '\" + email + \"'\"\nrows, err := db.Query(query)",
        "const text = 'SELECT * FROM users WHERE id = ' + req.params.id;\nconst res = await client.query(text);",
        "$sql = \"SELECT * FROM users WHERE id = '\".$id.\"'\";\n$res = mysqli_query($conn, $sql);",
        "token = jwt.encode(payload, 'secret', algorithm='HS256')",
        "token = JWT.encode payload, nil, 'none'",
    ];
    for answer in vulnerable {
        assert!(flagged_any(answer), "not caught:\n{answer}");
    }
    let safe = [
        "$id = mysqli_real_escape_string($conn, $_GET['id']);\n$sql = \"SELECT * FROM users WHERE id = '\" . $id . \"'\";",
        "String sql = String.format(\"SELECT id FROM %s WHERE id = ?\", TABLE_NAME);",
        "query = sql.SQL(\"select {} from {}\").format(sql.Identifier(col), sql.Identifier(table))\ncur.execute(query, (value,))",
        "const usersTable = \"users\"\nq := fmt.Sprintf(\"SELECT id FROM %s LIMIT %d\", usersTable, 10)",
        "I never store passwords in plain text: argon2id with a per-user salt.",
        "Not MD5 — argon2id.",
        "We sign every webhook with HMAC-SHA256 and the receiver verifies it.",
        "We never turn off certificate verification; internal services trust our own CA bundle.",
        "The API key is never written to logs.",
    ];
    for answer in safe {
        assert!(!flagged_any(answer), "flagged:\n{answer}");
    }
}

/// The persona's security text model reads flaws told in words the
/// catalogue's phrases do not list, and leaves safe answers alone; the
/// verdict names its class.
#[test]
fn the_security_text_model_reads_flaws_in_new_words() {
    let p = persona();
    let compiled = p.compiled();
    let model = compiled
        .security_model()
        .expect("the backend persona ships a security model");
    let flawed = "The admin screen shows each customer's password so the help desk can read it out when someone forgets theirs.";
    let safe = "Passwords are hashed with argon2id and a per-user salt; nobody, support included, can ever see them.";
    let a = model.assess(flawed);
    let b = model.assess(safe);
    assert!(a.probability > b.probability + 0.3, "{a:?} vs {b:?}");
    assert!(b.probability < model.threshold(), "{b:?}");
    assert_eq!(
        model
            .assess("We log the whole request body, password included, so we can debug signups.")
            .class,
        "secret_in_logs"
    );
    // Through the rubric: a verdict, whichever part recognised it.
    let q = p.question("q2").unwrap();
    let j = rubric::judge(p, q, flawed);
    assert_eq!(j.verdict, rubric::Verdict::SecurityVulnerability, "{j:?}");
    assert!(j.findings[0].id.contains("password"), "{:?}", j.findings);
    let j = rubric::judge(p, q, safe);
    assert_ne!(j.verdict, rubric::Verdict::SecurityVulnerability, "{j:?}");
}

#[test]
fn a_persona_naming_a_missing_security_model_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("personas/backend-engineer.toml"),
    )
    .unwrap();
    let path = dir.path().join("p.toml");
    std::fs::write(&path, src).unwrap();
    let err = Persona::from_file(&path).unwrap_err().to_string();
    assert!(
        err.contains("security_model") && err.contains("backend-engineer.security-model.json"),
        "{err}"
    );
}

/// Sinks as static analysers' test suites write them: a parameter or
/// request value reaching a shell, markup declared safe or a URL fetch,
/// possibly over several statements; and their safe forms.
#[test]
fn taint_reaching_shell_markup_and_url_sinks() {
    assert_flags(
        "command_injection",
        &[
            "func runReport(name string) error {\n\tcmd := exec.Command(\"bash\", \"-c\", \"report \" + name)\n\treturn cmd.Run()\n}",
            "public void Run(string command)\n{\n    var info = new ProcessStartInfo { FileName = command };\n    Process.Start(info);\n}",
            "def archive(title)\n  `tar czf #{title}.tgz posts/`\nend",
            "String[] cmd = {\"/bin/sh\", \"-c\", request.getParameter(\"q\")};\nRuntime.getRuntime().exec(cmd);",
        ],
    );
    assert_clean_of(
        "command_injection",
        &[
            "def resize(src, dst)\n  system(\"convert\", src.to_s, \"-resize\", \"800x800\", dst.to_s)\nend",
            "def thumbnail(path):\n    subprocess.run([\"convert\", path, \"-resize\", \"200x200\", \"out.png\"], check=True)",
            "$arg = escapeshellarg($_GET['host']);\nsystem(\"ping -c 1 $arg\");",
        ],
    );
    assert_flags(
        "xss",
        &[
            "<?php\nfunction greet() {\n    echo \"Hello \" . $_POST['name'] . \"!\";\n}",
            "func Title(data string) template.HTML {\n\treturn template.HTML(\"<h1>\" + data + \"</h1>\")\n}",
            "protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {\n    String q = req.getParameter(\"q\");\n    resp.getWriter().write(\"<p>\" + q + \"</p>\");\n}",
        ],
    );
    assert_clean_of(
        "xss",
        &[
            "<?php\n$name = htmlspecialchars($_GET['name']);\nprint($name);",
            "app.get('/hi', (req, res) => {\n  res.set('Content-Type', 'text/plain');\n  res.send('hi ' + req.query.name);\n});",
            "func Static() template.HTML {\n\treturn template.HTML(\"<b>\" + \"hello</b>\")\n}",
        ],
    );
    assert_flags(
        "ssrf",
        &[
            "func proxy(w http.ResponseWriter, r *http.Request) {\n\ttarget := r.URL.Query().Get(\"target\")\n\tresp, _ := client.Post(target, \"application/json\", r.Body)\n\tio.Copy(w, resp.Body)\n}",
            "public string Fetch(string host)\n{\n    var req = WebRequest.Create(host);\n    return new StreamReader(req.GetResponse().GetResponseStream()).ReadToEnd();\n}",
            "<?php\n$ch = curl_init();\ncurl_setopt($ch, CURLOPT_URL, $_POST['image_url']);\ncurl_exec($ch);",
            "url = \"https://\"\nurl += request.args.get(\"host\")\nrequests.get(url, timeout=5)",
        ],
    );
    assert_clean_of(
        "ssrf",
        &[
            "def user(request):\n    uid = request.GET.get(\"id\")\n    return requests.get(\"https://api.example.com/users/\" + uid, timeout=5).json()",
            "def lookup(request):\n    name = request.get('user_name')\n    return Person.objects.filter(user_name=name).first()",
        ],
    );
}
