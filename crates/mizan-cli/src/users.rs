//! `mizan users`: create, list and change the users of a `mizan-accounts` database, SQLite or
//! PostgreSQL, without a running server.

mod output;

use std::future::Future;
use std::io::{BufRead, IsTerminal};

use clap::{Args, Subcommand};
use mizan_accounts::credentials::{check_password, normalize_email, normalize_username};
use mizan_accounts::{AccountsError, Admin, DEFAULT_DATABASE, NewUser, UserRecord};
use tokio::runtime::Runtime;

use crate::commands::Failure;

/// Which database, and what to do to its users.
#[derive(Debug, Args)]
pub(crate) struct UsersArgs {
    /// The database: sqlite://FILE (created when missing) or
    /// postgres://USER@HOST:PORT/DATABASE. Its tables are created or brought up to date first.
    #[arg(
        long,
        global = true,
        env = "MIZAN_DATABASE_URL",
        hide_env_values = true,
        default_value = DEFAULT_DATABASE,
        value_name = "URL"
    )]
    database: String,
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Create an active user; the password is read from standard input or typed at a prompt.
    Create(CreateArgs),
    /// List every user, by email (never their password hashes).
    List {
        /// Print a JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Set a user's password; their sessions and earlier tokens end.
    SetPassword {
        /// The user's email, or their id.
        #[arg(allow_hyphen_values = true)]
        who: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Deactivate a user: their sessions and tokens stop working at once.
    Deactivate {
        /// The user's email, or their id.
        #[arg(allow_hyphen_values = true)]
        who: String,
    },
    /// Reactivate a deactivated user.
    Activate {
        /// The user's email, or their id.
        #[arg(allow_hyphen_values = true)]
        who: String,
    },
    /// Set a user's staff and superuser flags; a flag left out is cleared.
    SetRoles {
        /// The user's email, or their id.
        #[arg(allow_hyphen_values = true)]
        who: String,
        /// Make the user staff.
        #[arg(long)]
        staff: bool,
        /// Make the user a superuser.
        #[arg(long)]
        superuser: bool,
    },
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// The email: the user's login name.
    email: String,
    /// Make the user staff.
    #[arg(long)]
    staff: bool,
    /// Make the user a superuser.
    #[arg(long)]
    superuser: bool,
    /// A public name: 1 to 150 letters, digits and . _ @ + -.
    #[arg(long, value_name = "NAME")]
    username: Option<String>,
    /// Create the user without a password: they cannot sign in with one until it is set.
    #[arg(long, conflicts_with = "password_stdin")]
    no_password: bool,
    #[command(flatten)]
    password: PasswordSource,
}

/// Passwords are never arguments: those end up in shell history and in `ps`.
#[derive(Debug, Args)]
struct PasswordSource {
    /// Read the password from the first line of standard input (what happens anyway when standard
    /// input is not a terminal); on a terminal, it is typed twice without echo.
    #[arg(long)]
    password_stdin: bool,
}

/// Runs one `mizan users` subcommand and returns what it prints.
pub(crate) fn run(args: UsersArgs) -> Result<String, Failure> {
    let database = Database::new(&args.database)?;
    match args.command {
        UsersCommand::Create(create) => {
            // Everything that can be checked is checked before the password is asked for and
            // before the database is opened.
            let invalid = |e| database.failure(e);
            let email = normalize_email(&create.email).map_err(invalid)?;
            if let Some(username) = &create.username {
                normalize_username(username).map_err(invalid)?;
            }
            let password = if create.no_password {
                None
            } else {
                Some(read_password(create.password.password_stdin)?)
            };
            if let Some(password) = &password {
                check_password(password).map_err(invalid)?;
            }
            let admin = database.connect()?;
            let user = NewUser {
                email,
                username: create.username,
                staff: create.staff,
                superuser: create.superuser,
                ..NewUser::default()
            };
            let user = database.block_on(admin.create(user, password.as_deref()))?;
            let mut report = format!("created {} with id {}", user.email, user.id);
            if user.staff || user.superuser {
                report.push_str(&format!(" ({})", output::roles(&user)));
            }
            if password.is_none() {
                report.push_str("; without a password, they cannot sign in with one until `mizan users set-password` gives them one");
            }
            Ok(report)
        }
        UsersCommand::List { json } => {
            let admin = database.connect()?;
            let users = database.block_on(admin.list())?;
            Ok(if json {
                output::json(&users)
            } else {
                output::table(&users)
            })
        }
        UsersCommand::SetPassword { who, password } => {
            let (admin, user) = database.find(&who)?;
            // Asked for only once the user is known to exist.
            let password = read_password(password.password_stdin)?;
            check_password(&password).map_err(|e| database.failure(e))?;
            database.block_on(admin.set_password(&user.id, &password))?;
            Ok(format!(
                "set the password of {}; their sessions and earlier tokens have ended",
                user.email
            ))
        }
        UsersCommand::Deactivate { who } => {
            let (admin, user) = database.find(&who)?;
            database.block_on(admin.deactivate(&user.id))?;
            Ok(format!(
                "deactivated {}; their sessions and tokens no longer work",
                user.email
            ))
        }
        UsersCommand::Activate { who } => {
            let (admin, user) = database.find(&who)?;
            database.block_on(admin.activate(&user.id))?;
            Ok(format!("activated {}", user.email))
        }
        UsersCommand::SetRoles {
            who,
            staff,
            superuser,
        } => {
            let (admin, user) = database.find(&who)?;
            database.block_on(admin.set_roles(&user.id, staff, superuser))?;
            Ok(format!(
                "{}: staff {}, superuser {}",
                user.email,
                output::yes_no(staff),
                output::yes_no(superuser)
            ))
        }
    }
}

/// The database a command works on, and the runtime its queries run on: the rest of the CLI is
/// synchronous, so only these subcommands start one, on the calling thread.
struct Database<'a> {
    url: &'a str,
    runtime: Runtime,
}

impl<'a> Database<'a> {
    fn new(url: &'a str) -> Result<Self, Failure> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::new("io", format!("cannot start the async runtime: {e}")))?;
        Ok(Self { url, runtime })
    }

    /// Opens the database, creating or migrating its tables.
    fn connect(&self) -> Result<Admin, Failure> {
        self.block_on(Admin::connect(self.url))
    }

    /// Opens the database and finds the user `who` names (an email or an id).
    fn find(&self, who: &str) -> Result<(Admin, UserRecord), Failure> {
        let admin = self.connect()?;
        let user = self.block_on(admin.find(who))?;
        Ok((admin, user))
    }

    fn block_on<T>(
        &self,
        work: impl Future<Output = Result<T, AccountsError>>,
    ) -> Result<T, Failure> {
        self.runtime.block_on(work).map_err(|e| self.failure(e))
    }

    /// `error` with a code of its own; messages about the database name it, without a password.
    fn failure(&self, error: AccountsError) -> Failure {
        let code = match &error {
            AccountsError::UnsupportedUrl(_) => {
                return Failure::new(
                    "unsupported_database_url",
                    format!(
                        "unsupported database URL {}: use sqlite://FILE or postgres://USER@HOST:PORT/DATABASE",
                        output::redact(self.url)
                    ),
                );
            }
            AccountsError::InvalidEmail => "invalid_email",
            AccountsError::InvalidPassword => "invalid_password",
            AccountsError::InvalidUsername => "invalid_username",
            AccountsError::EmailTaken => "email_taken",
            AccountsError::UsernameTaken => "username_taken",
            AccountsError::NoSuchUser(_) => "no_such_user",
            AccountsError::Hashing(_) => "hashing_failed",
            AccountsError::Unavailable(_) => "database_unavailable",
            AccountsError::Migration(_) => "migration_failed",
            _ => "database_error",
        };
        let about_the_database = matches!(
            error,
            AccountsError::Unavailable(_)
                | AccountsError::Migration(_)
                | AccountsError::Database(_)
        );
        if about_the_database {
            Failure::new(code, format!("{}: {error}", output::redact(self.url)))
        } else {
            Failure::new(code, error)
        }
    }
}

/// The new password: the first line of standard input when asked to or when it is not a
/// terminal (piped from a secret store, say), else typed twice at a prompt without echo.
fn read_password(from_stdin: bool) -> Result<String, Failure> {
    let stdin = std::io::stdin();
    if from_stdin || !stdin.is_terminal() {
        let mut line = String::new();
        stdin.lock().read_line(&mut line).map_err(|e| {
            Failure::new(
                "io",
                format!("cannot read the password from standard input: {e}"),
            )
        })?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        return Ok(line.strip_suffix('\r').unwrap_or(line).to_owned());
    }
    let prompt_failed = |e| Failure::new("io", format!("cannot read the password: {e}"));
    let first = rpassword::prompt_password("Password: ").map_err(prompt_failed)?;
    // Checked before the second prompt, so that a short one is not typed twice for nothing.
    check_password(&first).map_err(|e| Failure::new("invalid_password", e))?;
    let second = rpassword::prompt_password("Password (again): ").map_err(prompt_failed)?;
    if first != second {
        return Err(Failure::new(
            "password_mismatch",
            "the two passwords differ; nothing was changed",
        ));
    }
    Ok(first)
}
