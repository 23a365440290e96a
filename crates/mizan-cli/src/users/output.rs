//! How `mizan users` shows users and database URLs.

use mizan_accounts::UserRecord;
use serde_json::{Value, json};

/// The users as an aligned table, one per line, with their creation date in UTC.
pub(super) fn table(users: &[UserRecord]) -> String {
    if users.is_empty() {
        return "no users".to_owned();
    }
    let header = [
        "id",
        "email",
        "username",
        "active",
        "staff",
        "superuser",
        "created",
    ]
    .map(str::to_owned);
    let rows: Vec<[String; 7]> = users
        .iter()
        .map(|user| {
            [
                user.id.clone(),
                user.email.clone(),
                user.username.clone().unwrap_or_else(|| "-".to_owned()),
                yes_no(user.active).to_owned(),
                yes_no(user.staff).to_owned(),
                yes_no(user.superuser).to_owned(),
                utc_date(user.created_at),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|cell| cell.chars().count());
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    std::iter::once(&header)
        .chain(&rows)
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(widths)
                .map(|(cell, width)| format!("{cell:width$}"))
                .collect();
            cells.join("  ").trim_end().to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The users as a JSON array. Fields are listed one by one, so that nothing added to
/// [`UserRecord`] later (a secret, say) is printed without a decision.
pub(super) fn json(users: &[UserRecord]) -> String {
    let users: Vec<Value> = users
        .iter()
        .map(|user| {
            json!({
                "id": user.id,
                "email": user.email,
                "username": user.username,
                "active": user.active,
                "staff": user.staff,
                "superuser": user.superuser,
                "created_at": user.created_at,
            })
        })
        .collect();
    serde_json::to_string_pretty(&users).unwrap_or_else(|e| unreachable!("JSON values print: {e}"))
}

/// `staff, superuser`, `staff` or `superuser`: the roles a user has.
pub(super) fn roles(user: &UserRecord) -> String {
    [(user.staff, "staff"), (user.superuser, "superuser")]
        .iter()
        .filter(|(has, _)| *has)
        .map(|(_, role)| *role)
        .collect::<Vec<_>>()
        .join(", ")
}

/// How the table shows a flag.
pub(super) fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

/// `YYYY-MM-DD` of a Unix time, in UTC (Howard Hinnant's `civil_from_days`), without a date
/// library for one column.
fn utc_date(unix_seconds: i64) -> String {
    let days = unix_seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    // Months counted from March, so that February's leap day comes last.
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// `url` fit for a message: the password of `scheme://user:password@host` and of a `password=`
/// query parameter replaced by `***`.
pub(super) fn redact(url: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let mut redacted = match base.split_once("://") {
        // The last `@` ends the user info: a password may hold an unescaped `@` or `/`.
        Some((scheme, rest)) => match rest.rsplit_once('@') {
            Some((user_info, host)) => match user_info.split_once(':') {
                Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
                None => base.to_owned(),
            },
            None => base.to_owned(),
        },
        None => base.to_owned(),
    };
    if let Some(query) = query {
        let parameters: Vec<String> = query
            .split('&')
            .map(|parameter| match parameter.split_once('=') {
                Some((name, _)) if name.eq_ignore_ascii_case("password") => format!("{name}=***"),
                _ => parameter.to_owned(),
            })
            .collect();
        redacted.push('?');
        redacted.push_str(&parameters.join("&"));
    }
    redacted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_utc_and_know_leap_years() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_709_164_800 + 86_399), "2024-02-29");
        assert_eq!(utc_date(-86_400), "1969-12-31");
        assert_eq!(utc_date(4_102_444_799), "2099-12-31");
        assert_eq!(utc_date(253_402_300_799), "9999-12-31");
    }

    #[test]
    fn passwords_never_reach_a_message() {
        assert_eq!(
            redact("postgres://admin:s3cret@db.internal:5432/app"),
            "postgres://admin:***@db.internal:5432/app"
        );
        assert_eq!(
            redact("postgres://admin:p@ss/word@db/app?sslmode=require"),
            "postgres://admin:***@db/app?sslmode=require"
        );
        assert_eq!(
            redact("postgres://db/app?user=admin&password=s3cret&options=x"),
            "postgres://db/app?user=admin&password=***&options=x"
        );
        for unchanged in [
            "postgres://postgres@127.0.0.1:5432/test",
            "sqlite://mizan.sqlite3",
            "sqlite:///var/lib/app/users.sqlite3?mode=rwc",
        ] {
            assert_eq!(redact(unchanged), unchanged);
        }
    }

    #[test]
    fn roles_list_what_a_user_has() {
        let user = |staff, superuser| UserRecord {
            id: "1".to_owned(),
            email: "ada@example.com".to_owned(),
            username: None,
            password_hash: None,
            active: true,
            staff,
            superuser,
            created_at: 0,
            credentials_changed_at: 0,
        };
        assert_eq!(roles(&user(true, true)), "staff, superuser");
        assert_eq!(roles(&user(false, true)), "superuser");
        assert_eq!(roles(&user(false, false)), "");
    }
}
