//! Argument definitions and what each subcommand does.

use std::io::Read;
use std::time::{SystemTime, UNIX_EPOCH};

use clap::{Args, Parser, Subcommand};
use mizan_core::mwt::{Claims, Keyring, Validation};
use mizan_core::{
    CacheKeyDeriver, ErrorCode, PermissionKeyDeriver, PermissionScope, RootSecret, canonical, hex,
};
use serde_json::{Value, json};

/// The secret the `demo` subcommand uses; never use it for anything real.
const DEMO_SECRET_HEX: &str = "6d697a616e2064656d6f20736563726574202d2d206e6f7420666f722075736521";

/// The `mizan` command: user administration, TypeScript generation, and Mizan Layer 1 (tokens,
/// keys, canonical JSON) from the command line.
#[derive(Debug, Parser)]
#[command(name = "mizan", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Mint a token, verify it, and derive a permission key and a cache key, with a demo secret.
    Demo,
    /// Print the canonical JSON of a JSON text (argument, or standard input when omitted).
    Canonical {
        /// The JSON text.
        json: Option<String>,
    },
    /// Derive the permission key of a scope.
    Pk(PkArgs),
    /// Derive the cache key of a context call.
    Key(KeyArgs),
    /// Mint a Mizan Web Token with the keyring's primary key.
    Mint(MintArgs),
    /// Verify a Mizan Web Token and print its claims.
    Verify(VerifyArgs),
    /// Generate TypeScript types, Zod schemas, React hooks and OpenAPI from a manifest.
    Generate(crate::generate::GenerateArgs),
    /// Create, list and change the users of a mizan-accounts database (SQLite or PostgreSQL).
    Users(crate::users::UsersArgs),
    /// Create a new application: a Rust server with server functions and token authentication,
    /// and a Vite + React front end on the generated client, with its run and test commands.
    New(crate::new::NewArgs),
}

#[derive(Debug, Args)]
struct SecretArgs {
    /// The root secret as hex (at least 32 bytes); defaults to the MIZAN_SECRET environment variable.
    #[arg(long, env = "MIZAN_SECRET", hide_env_values = true)]
    secret: String,
}

#[derive(Debug, Args)]
struct PkArgs {
    #[command(flatten)]
    secret: SecretArgs,
    /// anonymous, authenticated, staff, superuser, or `user:<id>`.
    #[arg(long, default_value = "anonymous")]
    scope: String,
}

#[derive(Debug, Args)]
struct KeyArgs {
    #[command(flatten)]
    secret: SecretArgs,
    /// The function name, such as `greet`.
    #[arg(long = "fn")]
    function: String,
    /// The params as a JSON object.
    #[arg(long, default_value = "{}")]
    params: String,
    /// The permission key; derived from --scope when omitted.
    #[arg(long)]
    pk: Option<String>,
    /// The scope whose permission key to use when --pk is omitted.
    #[arg(long, default_value = "anonymous")]
    scope: String,
    /// The revision.
    #[arg(long, default_value_t = 0)]
    rev: u64,
}

#[derive(Debug, Args)]
struct TokenArgs {
    #[command(flatten)]
    secret: SecretArgs,
    /// The key id of the secret.
    #[arg(long, default_value = "k1")]
    kid: String,
    /// The issuer.
    #[arg(long, default_value = "mizan")]
    iss: String,
    /// The audience.
    #[arg(long, default_value = "mizan-app")]
    aud: String,
}

#[derive(Debug, Args)]
struct MintArgs {
    #[command(flatten)]
    token: TokenArgs,
    /// The subject (user id); without it the token is for an anonymous holder.
    #[arg(long)]
    sub: Option<String>,
    /// Mark the subject as staff.
    #[arg(long)]
    staff: bool,
    /// Mark the subject as a superuser.
    #[arg(long)]
    superuser: bool,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 3600)]
    ttl: u64,
}

#[derive(Debug, Args)]
struct VerifyArgs {
    #[command(flatten)]
    token: TokenArgs,
    /// The token to verify.
    jwt: String,
    /// Verify as of this Unix time instead of now.
    #[arg(long)]
    now: Option<u64>,
}

/// A failure, printed as `error[code]: message`.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: String,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(code: impl std::fmt::Display, message: impl std::fmt::Display) -> Self {
        Self {
            code: code.to_string(),
            message: message.to_string(),
        }
    }
}

macro_rules! coded {
    ($($ty:ty),*) => {$(
        impl From<$ty> for Failure {
            fn from(e: $ty) -> Self {
                Failure::new(e.code(), &e)
            }
        }
    )*};
}
coded!(
    canonical::CanonicalError,
    mizan_core::CacheKeyError,
    mizan_core::SecretTooShort,
    mizan_core::InvalidUserId,
    mizan_core::mwt::KeyringError,
    mizan_core::mwt::SignError,
    mizan_core::mwt::VerifyError
);

/// Runs one subcommand and returns what it prints.
pub(crate) fn run(cli: Cli) -> Result<String, Failure> {
    match cli.command {
        Command::Demo => demo(),
        Command::Generate(args) => crate::generate::run(args),
        Command::Users(args) => crate::users::run(args),
        Command::New(args) => crate::new::run(args),
        Command::Canonical { json } => {
            let text = match json {
                Some(text) => text,
                None => {
                    let mut text = String::new();
                    std::io::stdin()
                        .read_to_string(&mut text)
                        .map_err(|e| Failure::new("io", e))?;
                    text
                }
            };
            let bytes = canonical::from_slice(text.as_bytes())?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
        Command::Pk(args) => {
            let secret = root_secret(&args.secret.secret)?;
            permission_key(&secret, &args.scope)
        }
        Command::Key(args) => {
            let secret = root_secret(&args.secret.secret)?;
            let pk = match args.pk {
                Some(pk) => pk,
                None => permission_key(&secret, &args.scope)?,
            };
            let params = canonical::parse(args.params.as_bytes())?;
            let key =
                CacheKeyDeriver::new(&secret).derive(&args.function, &params, &pk, args.rev)?;
            Ok(key.to_hex())
        }
        Command::Mint(args) => {
            let secret = root_secret(&args.token.secret.secret)?;
            let scope = match (&args.sub, args.superuser, args.staff) {
                (None, _, _) => PermissionScope::Anonymous,
                (Some(_), true, _) => PermissionScope::Superuser,
                (Some(_), false, true) => PermissionScope::Staff,
                (Some(_), false, false) => PermissionScope::Authenticated,
            };
            let pk = PermissionKeyDeriver::new(&secret).permission_key(scope)?;
            let keyring = Keyring::single(&args.token.kid, secret)?;
            let now = unix_now();
            let mut claims = Claims::new(args.token.iss, args.token.aud, now, now + args.ttl, pk)
                .with_roles(args.staff, args.superuser);
            claims.sub = args.sub;
            Ok(keyring.sign(&claims)?)
        }
        Command::Verify(args) => {
            let secret = root_secret(&args.token.secret.secret)?;
            let keyring = Keyring::single(&args.token.kid, secret)?;
            let validation = Validation::new(args.token.iss, args.token.aud);
            let claims =
                keyring.verify_at(&args.jwt, &validation, args.now.unwrap_or_else(unix_now))?;
            Ok(canonical::to_string(&claims.to_value())?)
        }
    }
}

fn root_secret(hex_text: &str) -> Result<RootSecret, Failure> {
    let bytes = hex::decode(hex_text.trim())
        .ok_or_else(|| Failure::new("invalid_hex", "the secret must be hex digits"))?;
    Ok(RootSecret::new(bytes)?)
}

fn permission_key(secret: &RootSecret, scope: &str) -> Result<String, Failure> {
    let scope = match scope {
        "anonymous" => PermissionScope::Anonymous,
        "authenticated" => PermissionScope::Authenticated,
        "staff" => PermissionScope::Staff,
        "superuser" => PermissionScope::Superuser,
        other => match other.strip_prefix("user:") {
            Some(id) => PermissionScope::User(id),
            None => {
                return Err(Failure::new(
                    "invalid_scope",
                    "scope is anonymous, authenticated, staff, superuser or user:<id>",
                ));
            }
        },
    };
    Ok(PermissionKeyDeriver::new(secret).permission_key(scope)?)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn demo() -> Result<String, Failure> {
    let secret = root_secret(DEMO_SECRET_HEX)?;
    let pk = PermissionKeyDeriver::new(&secret).permission_key(PermissionScope::User("42"))?;
    let params = json!({"name": "Ada"});
    let cache_key = CacheKeyDeriver::new(&secret).derive("greet", &params, &pk, 0)?;
    let keyring = Keyring::single("demo", secret)?;
    let now = unix_now();
    let claims = Claims::new("mizan", "mizan-app", now, now + 3600, pk.clone()).with_subject("42");
    let token = keyring.sign(&claims)?;
    let verified = keyring.verify_at(&token, &Validation::new("mizan", "mizan-app"), now)?;
    // Change one payload character (never the last, whose unused bits are constrained), so the
    // rejection comes from the tag check.
    let payload_at = token.find(".demo.").map_or(0, |i| i + ".demo.".len() + 2);
    let mut tampered = token.clone().into_bytes();
    tampered[payload_at] = if tampered[payload_at] == b'A' {
        b'B'
    } else {
        b'A'
    };
    let tampered = String::from_utf8_lossy(&tampered).into_owned();
    let rejected = keyring
        .verify_at(&tampered, &Validation::new("mizan", "mizan-app"), now)
        .map_or_else(|e| e.code(), |_| ErrorCode::BadSignature);
    let report: Value = json!({
        "note": "demo secret: never use it for anything real",
        "permission_key(user 42)": pk,
        "cache_key(greet, {\"name\":\"Ada\"}, rev 0)": cache_key.to_hex(),
        "token": token,
        "verified_claims": verified.to_value(),
        "tampered_token_rejected_with": rejected.as_str(),
    });
    serde_json::to_string_pretty(&report).map_err(|e| Failure::new("io", e))
}
