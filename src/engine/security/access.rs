//! Access control in code: write routes left open while the routes around
//! them require a login (or opted out of it, or "auth later"), and
//! resources loaded by the id the caller sends with no check that they
//! belong to the caller.

use std::sync::OnceLock;

use regex::Regex;

use super::code::Code;

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("access regexes are static and valid")
}

struct Regexes {
    /// Anything that authenticates the caller: middleware, guards,
    /// decorators, the signed-in user.
    auth: Regex,
    /// A route that changes data, as registered or declared.
    write_route: Regex,
    /// A route registration line of any verb (`router.get('/x', …)`).
    route_line: Regex,
    /// Decorators and attributes that declare a write handler.
    write_decorator: Regex,
    /// An explicit opt-out of authentication.
    anonymous: Regex,
    skip_auth_action: Regex,
    permit_all_write: Regex,
    /// "TODO: auth", "auth will be added later".
    deferred_auth_comment: Regex,
    /// An id taken from the route.
    route_id: Regex,
    /// A record loaded, changed or deleted by that id alone.
    lookup_by_id: Regex,
    /// A check that the record belongs to the caller, or a role check.
    ownership: Regex,
    /// Auth markers that also look like ownership words, removed before
    /// looking for an ownership check.
    auth_decorators: Regex,
    assigned_group: Regex,
    use_middleware: Regex,
}

fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| Regexes {
        auth: re(
            r#"(?i)\b(?:require_?auth\w*|requireJWT|requireUser|requireLogin|authenticate\w*|isAuthenticated|ensureLoggedIn|ensureAuthenticated|login_required|jwt_required|auth_required|token_required|LoginRequired|Authorize|RequireAuthorization|JwtAuthGuard|AuthGuard|UseGuards|passport|verifyToken|verifyJWT|verify_token|checkJwt|auth:sanctum|auth:api|before_action\s*:authenticate\w*|authenticate_user!|current_user|get_current_user|@Secured|@PreAuthorize|withAuth|authMiddleware|jwtMiddleware|AuthMiddleware|JWTMiddleware|RequireAuth|Depends\(\s*\w*(?:auth|user)\w*|AuthenticationPrincipal|getServerSession|auth\(\)|auth\b)"#,
        ),
        write_route: re(
            r#"(?i)\.(?:post|put|patch|delete|del)\s*\(\s*['"`/]|@(?:Post|Put|Patch|Delete)Mapping|@(?:app|router|bp|api|blueprint)\.(?:post|put|patch|delete)\(|\[Http(?:Post|Put|Patch|Delete)\b|methods\s*=\s*\[[^\]]*['"](?:POST|PUT|PATCH|DELETE)|^\s*(?:post|put|patch|delete)\s+['"]/|Route::(?:post|put|patch|delete)\(|export\s+(?:async\s+)?function\s+(?:POST|PUT|PATCH|DELETE)\b|\.Map(?:Post|Put|Patch|Delete)\(|@(?:Post|Put|Patch|Delete)\("#,
        ),
        route_line: re(
            r#"(?i)^\s*(\w+)(?:\.\w+)*\.(?:get|post|put|patch|delete|del|all|Map(?:Get|Post|Put|Patch|Delete))\s*\(\s*['"`/]|^\s*Route::\w+\("#,
        ),
        write_decorator: re(
            r#"(?i)^\s*(?:@(?:Post|Put|Patch|Delete)(?:Mapping)?\b|@(?:app|router|bp|api|blueprint)\.(?:post|put|patch|delete)\(|\[Http(?:Post|Put|Patch|Delete)\b|@\w+\.route\([^)]*methods\s*=\s*\[[^\]]*['"](?:POST|PUT|PATCH|DELETE))"#,
        ),
        anonymous: re(r"(?i)\[AllowAnonymous\]|@PermitAll\b|@Public\(\)|AllowAny\b|\.AllowAnonymous\(\)"),
        skip_auth_action: re(
            r"(?i)skip_before_action\s+:(?:authenticate\w*!?|require_login|require_user|authorize\w*)(?:\s*,\s*only:\s*(\[[^\]\n]*\]|:\w+|%i\[[^\]\n]*\]))?",
        ),
        permit_all_write: re(
            r#"(?i)requestMatchers\(\s*HttpMethod\.(?:POST|PUT|PATCH|DELETE)[^)]*\)\s*\.permitAll\(\)|(?:antMatchers|requestMatchers|mvcMatchers)\(\s*"[^"]*(?:admin|payment|refund|order|account|transfer)[^"]*"\s*\)\s*\.permitAll\(\)"#,
        ),
        deferred_auth_comment: re(
            r"(?im)(?://|#|/\*|--)[^\n]*(?:\b(?:TODO|FIXME|XXX)\b[^\n]*\bauth|\bauth\w*\b[^\n]*\b(?:later|will be added|to be added|comes? later|once the|not yet|for now|TODO|next sprint|after launch))",
        ),
        route_id: re(
            r#"['"`][^'"`\n]*(?::\w*id\b|\{\w*[iI]d\}|\{\w*[iI]d:|<(?:int:|uuid:|str:)?\w*id>)[^'"`\n]*['"`]|@PathVariable|@Param\(\s*['"]\w*id|\[FromRoute\]|params\[:id\]|\bc\.Params?\(|mux\.Vars|chi\.URLParam|\breq\.params\.\w*[iI]d\b|\bparams\.id\b|\(\s*int\s+\$id\s*\)|\bdef\s+\w+\(\s*request\s*,\s*\w*(?:pk|id)\b"#,
        ),
        lookup_by_id: re(
            r#"findById\w*\(|findByPk\(|get_object_or_404\(\s*\w+\s*,\s*(?:pk|id)\s*=\s*\w+\s*\)|findOrFail\(|->find\(\s*\$\w*id\s*\)|::find\(|\.find\(\s*(?:params\[:id\]|id\b|req\.params\.\w+)|\.First\(\s*&\w+\s*,\s*\w*[iI][dD]\s*\)|Where\(\s*"id = \?"\s*,\s*[\w.()"]+\s*\)\s*\.(?:Update|Delete|First|Find)|findOne\(\s*\{\s*where:\s*\{\s*id\b[^}]*\}\s*[,}]|findUnique\(\s*\{\s*where:\s*\{\s*id\b[^}]*\}|\.(?:update|delete)\(\s*\{\s*where:\s*\{\s*id:[^}]*\}|objects\.get\(\s*(?:pk|id)\s*=\s*\w+\s*\)|\.query\.get(?:_or_404)?\(|session\.get\(\s*\w+\s*,\s*\w+\s*\)|\.(?:update|destroy)\(\s*(?:\{[^}]*\}\s*,\s*)?\{\s*where:\s*\{\s*id:\s*req\.params\.\w+\s*\}\s*\}|FindAsync\(\s*\w*[iI]d\s*\)|deleteById\(|filter_by\(\s*id\s*=\s*\w+\s*\)\.(?:first|one)"#,
        ),
        ownership: re(
            r"(?i)user_?id|owner\w*|author_?id|author\s*=|tenant\w*|account_?id|customer_?id|merchant_?id|org_?id|created_?by|belongs_?to|authoriz\w*|\bpolicy\b|policies|\bcan\?|cannot\?|permission\w*|hasRole|has_role|hasAuthority|is_?admin|\badmin\b|role\b|roles\b|forbid\w*|\b403\b|Forbidden|AccessDenied|PermissionDenied|\bGate::|abort_unless|abort_if|ownership|(?:current_user|request\.user|req\.user|user)\.\w+s\b|\w+\s*[=:]\s*(?:request|req)\.user\b|\.user\s*[!=]==?|==\s*(?:request|req)\.user\b|UserId\s*==|userId\s*[!=]==?|\bsub\b",
        ),
        auth_decorators: re(
            r"(?i)\[Authorize\]|@UseGuards\([^)]*\)|AuthGuard\w*|auth:sanctum|RequireAuthorization\(\)|authenticate\w*|@PreAuthorize\(\s*\x22isAuthenticated\(\)\x22\s*\)",
        ),
        assigned_group: re(r"^\s*(\w+)\s*:?=\s*[^\n]*\b(?:Group|group|Router|router)\b[^\n]*$"),
        use_middleware: re(r"^\s*(\w+)\.(?:use|Use|addHook)\s*\("),
    })
}

/// The line of `text` that contains byte offset `at`, trimmed.
fn line_at(text: &str, at: usize) -> &str {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    text[start..end].trim()
}

/// Write endpoints without authentication: an explicit opt-out on a write
/// (`[AllowAnonymous]` on a delete, `skip_before_action :authenticate_user!,
/// only: [:destroy]`, `permitAll()` on a write matcher), "auth later" in a
/// comment beside a write route, or a write route registered without the
/// auth its neighbouring routes and handlers have.
pub fn missing_authentication(code: &Code) -> Option<String> {
    let r = regexes();
    let text = &code.text;
    if let Some(m) = r.permit_all_write.find(text) {
        return Some(m.as_str().to_string());
    }
    if let Some(c) = r.skip_auth_action.captures(text) {
        let writes = c.get(1).is_none_or(|only| {
            let o = only.as_str();
            ["create", "update", "destroy", "delete"]
                .iter()
                .any(|w| o.contains(w))
        });
        if writes {
            return Some(line_at(text, c.get(0).map_or(0, |m| m.start())).to_string());
        }
    }
    let write_at = r.write_route.find(text).map(|m| m.start());
    if let (Some(_), Some(m)) = (write_at, r.deferred_auth_comment.find(text)) {
        return Some(m.as_str().trim().to_string());
    }
    let blocks = decorator_blocks(text);
    for block in &blocks {
        let joined = block.join("\n");
        if block.iter().any(|l| r.write_decorator.is_match(l)) && r.anonymous.is_match(&joined) {
            return Some(block.join(" "));
        }
    }
    // Handlers declared with decorators: a write handler without the auth
    // decorator its siblings carry (and no class-wide one).
    let authed_block = |b: &Vec<&str>| b.iter().any(|l| r.auth.is_match(l));
    let class_wide = blocks.iter().any(|b| {
        authed_block(b)
            && b.last().is_some_and(|l| {
                let l = l.trim_start();
                l.contains("class ")
                    || l.starts_with("[ApiController")
                    || l.starts_with("@Controller")
            })
    });
    if !class_wide && blocks.iter().any(authed_block) {
        if let Some(open) = blocks
            .iter()
            .find(|b| b.iter().any(|l| r.write_decorator.is_match(l)) && !authed_block(b))
        {
            return Some(open.join(" "));
        }
    }
    // Routes registered in a table: a write route without the middleware
    // that guards the others.
    registered_route_left_open(text)
}

/// Consecutive decorator or attribute lines with the declaration they
/// decorate (the `def`/function line, which may carry `Depends(auth)`).
fn decorator_blocks(text: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if t.starts_with('@') || (t.starts_with('[') && t.ends_with(']')) {
            current.push(line);
        } else if !current.is_empty() {
            if !t.is_empty() {
                current.push(line);
            }
            blocks.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    blocks
}

fn registered_route_left_open(text: &str) -> Option<String> {
    let r = regexes();
    let lines: Vec<&str> = text.lines().collect();
    // Receivers that carry auth for everything registered on them after
    // this line: `authed := api.Group("", authMiddleware())`,
    // `router.use(requireAuth)`.
    let mut guarded_receivers: Vec<(String, usize)> = Vec::new();
    // Brace depth at which an auth group was opened (`Route::middleware('auth')->group(function () {`).
    let mut depth: i32 = 0;
    let mut auth_group_depths: Vec<i32> = Vec::new();
    let mut any_guarded_route = false;
    let mut open_write: Option<&str> = None;
    for (i, line) in lines.iter().enumerate() {
        let has_auth = r.auth.is_match(line);
        if has_auth {
            if let Some(c) = r
                .assigned_group
                .captures(line)
                .or_else(|| r.use_middleware.captures(line))
            {
                guarded_receivers.push((c[1].to_string(), i));
            }
        }
        let opens = line.matches('{').count() as i32;
        let closes = line.matches('}').count() as i32;
        if let Some(c) = r.route_line.captures(line) {
            let receiver = c.get(1).map_or("", |m| m.as_str());
            // The whole registration, up to the end of its call (a handler
            // may span lines, with `.RequireAuthorization()` at the end).
            let call = registration_text(&lines[i..]);
            let guarded = r.auth.is_match(&call)
                || guarded_receivers
                    .iter()
                    .any(|(name, at)| name == receiver && *at < i)
                || !auth_group_depths.is_empty();
            if guarded {
                any_guarded_route = true;
            } else if r.write_route.is_match(line) && open_write.is_none() {
                open_write = Some(line.trim());
            }
        }
        if has_auth && line.contains("group") && opens > closes {
            auth_group_depths.push(depth);
        }
        depth += opens - closes;
        while auth_group_depths.last().is_some_and(|d| depth <= *d) {
            auth_group_depths.pop();
        }
    }
    if any_guarded_route {
        open_write.map(str::to_string)
    } else {
        None
    }
}

/// A route registration from its first line to the end of the statement:
/// the line itself when it closes its call, otherwise up to the line that
/// does (at most 40 lines).
fn registration_text(lines: &[&str]) -> String {
    let mut depth = 0i32;
    let mut out = String::new();
    for line in lines.iter().take(40) {
        out.push_str(line);
        out.push('\n');
        depth += line.matches(['(', '{', '[']).count() as i32;
        depth -= line.matches([')', '}', ']']).count() as i32;
        if depth <= 0 {
            break;
        }
    }
    out
}

/// Any signed-in user can reach any record: a handler that authenticates
/// the caller, takes an id from the route and loads, changes or deletes the
/// record by that id alone, with no owner, tenant or role check anywhere.
pub fn missing_authorization(code: &Code) -> Option<String> {
    let r = regexes();
    let text = &code.text;
    if !r.auth.is_match(text) || !r.route_id.is_match(text) {
        return None;
    }
    let lookup = r.lookup_by_id.find(text)?;
    let without_auth_markers = r.auth_decorators.replace_all(text, "");
    if r.ownership.is_match(&without_auth_markers) {
        return None;
    }
    Some(line_at(text, lookup.start()).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn authn(src: &str) -> bool {
        missing_authentication(&Code::new(src)).is_some()
    }

    fn authz(src: &str) -> bool {
        missing_authorization(&Code::new(src)).is_some()
    }

    #[test]
    fn a_write_route_left_open_beside_guarded_ones() {
        assert!(authn("router.get('/posts/:id', show);\nrouter.post('/posts', requireAuth, create);\nrouter.delete('/posts/:id', async (req, res) => {\n  await Post.destroy({ where: { id: req.params.id } });\n});"));
        assert!(authn("api := r.Group(\"/api/v1\")\napi.DELETE(\"/posts/:id\", h.Delete)\nauthed := api.Group(\"\", authMiddleware())\nauthed.POST(\"/posts\", h.Create)"));
        assert!(authn("Route::delete('/posts/{post}', [PostController::class, 'destroy']);\nRoute::middleware('auth:sanctum')->group(function () {\n    Route::post('/posts', [PostController::class, 'store']);\n});"));
        assert!(!authn("Route::get('/posts', [PostController::class, 'index']);\nRoute::middleware('auth:sanctum')->group(function () {\n    Route::post('/posts', [PostController::class, 'store']);\n    Route::delete('/posts/{post}', [PostController::class, 'destroy']);\n});"));
        assert!(!authn("router.get('/posts', list);\nrouter.post('/posts', requireAuth, create);\nrouter.delete('/posts/:id', requireAuth, remove);"));
        // A plugin-wide hook guards every route registered on it.
        assert!(!authn("async function privateRoutes(fastify) {\n  fastify.addHook('onRequest', fastify.authenticate);\n  fastify.post('/orders', (req, reply) => create(req, reply));\n}\nasync function publicRoutes(fastify) {\n  fastify.get('/catalog', list);\n}"));
    }

    #[test]
    fn opt_outs_and_deferred_auth_on_writes() {
        assert!(authn("[Authorize]\npublic class PostsController : ControllerBase {\n    [HttpDelete(\"{id:int}\")]\n    [AllowAnonymous]\n    public async Task<IActionResult> Delete(int id) { }\n}"));
        assert!(authn("before_action :authenticate_user!\nskip_before_action :authenticate_user!, only: [:index, :show, :destroy]"));
        assert!(!authn("before_action :authenticate_user!\nskip_before_action :authenticate_user!, only: [:index, :show]"));
        assert!(authn("# auth will be added once the user service is ready\n@api.route(\"/api/v1/posts\", methods=[\"POST\"])\ndef create_post():\n    pass"));
        assert!(authn("@UseGuards(JwtAuthGuard)\n@Post()\ncreate(@Body() dto) { }\n\n@Delete(':id')\nremove(@Param('id') id: number) { }"));
    }

    #[test]
    fn records_loaded_by_id_without_an_owner_check() {
        assert!(authz("@login_required\ndef payment_detail(request, payment_id):\n    payment = get_object_or_404(Payment, pk=payment_id)\n    return JsonResponse({\"id\": payment.pk})"));
        assert!(!authz("@login_required\ndef update_post(request, post_id):\n    post = get_object_or_404(Post, pk=post_id, author=request.user)"));
        assert!(authz("app.put('/api/v1/comments/:id', passport.authenticate('jwt', { session: false }), async (req, res) => {\n  const [count] = await Comment.update({ body }, { where: { id: req.params.id } });\n});"));
        assert!(!authz("app.put('/api/v1/comments/:id', requireAuth, async (req, res) => {\n  const [count] = await Comment.update({ body }, { where: { id: req.params.id, userId: req.user.id } });\n});"));
        // No login at all is another finding, not this one.
        assert!(!authz("app.get('/orders/:id', async (req, res) => {\n  res.json(await Order.findByPk(req.params.id));\n});"));
    }
}
