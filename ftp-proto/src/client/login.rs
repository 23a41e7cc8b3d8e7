//! Login credentials with Python ftplib's anonymous defaults, and the USER/PASS/ACCT steps.

use crate::command::{Arg, ArgError, Password};

use super::const_arg;

/// A user name, password and optional account for [`Client::login`](super::Client::login),
/// with ftplib's defaults applied by [`Credentials::new`].
///
/// ```
/// use ftp_proto::client::Credentials;
///
/// let c = Credentials::new("", "", "").unwrap();
/// assert_eq!(c.user.as_bytes(), b"anonymous");
/// assert_eq!(c.password.expose(), b"anonymous@");
/// assert!(c.acct.is_none());
///
/// // ftplib keeps a leading "-" (it asks some servers for terse replies).
/// let c = Credentials::new("anonymous", "-", "").unwrap();
/// assert_eq!(c.password.expose(), b"-anonymous@");
///
/// let c = Credentials::new("alice", "", "dept").unwrap();
/// assert_eq!(c.password.expose(), b"");
/// assert_eq!(c.acct.unwrap().as_bytes(), b"dept");
///
/// // A line break can never reach the wire.
/// assert!(Credentials::new("alice\r\nDELE x", "pw", "").is_err());
/// ```
#[derive(Clone, Debug)]
pub struct Credentials {
    /// The argument of `USER`.
    pub user: Arg,
    /// The argument of `PASS`, sent only after a `3xx` to `USER`.
    pub password: Password,
    /// The argument of `ACCT`, sent only after a `3xx` to `PASS`.
    pub acct: Option<Arg>,
}

impl Credentials {
    /// Applies ftplib's `login()` defaults: an empty user is `anonymous`; for the user
    /// `anonymous` an empty password or `-` gets `anonymous@` appended (`anonymous@`,
    /// `-anonymous@`); an empty account means none.
    pub fn new(user: &str, password: &str, acct: &str) -> Result<Credentials, ArgError> {
        let user = if user.is_empty() { "anonymous" } else { user };
        let password = if user == "anonymous" && (password.is_empty() || password == "-") {
            format!("{password}anonymous@")
        } else {
            password.to_owned()
        };
        Ok(Credentials {
            user: Arg::try_from(user)?,
            password: Password::from(Arg::try_from(password)?),
            acct: if acct.is_empty() {
                None
            } else {
                Some(Arg::try_from(acct)?)
            },
        })
    }

    /// `anonymous` / `anonymous@`, ftplib's `login()` without arguments.
    pub fn anonymous() -> Credentials {
        Credentials {
            user: const_arg("anonymous"),
            password: Password::from(const_arg("anonymous@")),
            acct: None,
        }
    }
}

/// Where a login stands.
#[derive(Debug)]
pub(super) enum LoginStep {
    /// `USER` sent; the password and account wait for a `3xx`.
    User {
        password: Password,
        acct: Option<Arg>,
    },
    /// `PASS` sent; the account waits for a `3xx`.
    Pass { acct: Option<Arg> },
    /// `ACCT` sent after a `332` to `USER`; the password waits for a `3xx`.
    AcctFirst { password: Password },
    /// `ACCT` sent.
    Acct,
}
