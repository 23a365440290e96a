// Every `#[form]` and `#[field]` option, every kind, a group and rows.

use mizan::forms::{Choice, Date, DateTime, Decimal, FormHandler, Invalid, Time, Upload};
use mizan::{Registry, Request, Result};
use serde::Deserialize;

#[derive(Deserialize, mizan::FormGroup)]
struct Address {
    #[field(label = "Street", max_length = 100)]
    street: String,
    #[field(choices(de = "Germany", fr = "France"), initial = "de")]
    country: String,
}

#[derive(Deserialize, mizan::FormGroup)]
struct Line {
    #[field(min = 1, max = 99)]
    qty: u16,
    note: Option<String>,
}

fn is_owner(req: &Request) -> bool {
    req.user().is_some()
}

#[derive(Deserialize, mizan::Form)]
#[form(name = "everything", title = "Every option", redirect = "/done", page = "/everything", auth = is_owner)]
#[allow(dead_code)]
struct Everything {
    #[field(label = "Name", help = "Your name", placeholder = "Ada", min_length = 1, max_length = 80, pattern = "[A-Za-z ]+", pattern_message = "Letters only.", clean = trimmed)]
    name: String,
    #[field(email, required)]
    email: Option<String>,
    #[field(url, optional, max_length = 300)]
    site: String,
    #[field(kind = "email")]
    backup_email: String,
    #[field(kind = "url")]
    backup_site: String,
    #[field(kind = "text", widget = "hidden", initial = "x")]
    token: String,
    #[field(widget = "password")]
    secret: String,
    #[field(min = -10, max = 10, initial = 0, clean = even)]
    level: i32,
    #[field(kind = "integer")]
    count: u64,
    #[field(max_digits = 8, decimal_places = 2, min = "0", max = "999999.99")]
    price: Decimal,
    #[field(kind = "decimal", max_digits = 4)]
    ratio: String,
    #[field(initial = true)]
    subscribe: bool,
    #[field(kind = "boolean", required)]
    agree: bool,
    #[field(choices(low = "Low", high = "High"), widget = "radio")]
    priority: String,
    #[field(kind = "choice", choices = [("a", "A"), ("b", "B")])]
    grade: String,
    #[field(kind = "multichoice", choices(x = "X", y = "Y"), min_items = 1, max_items = 2, initial = ["x"])]
    tags: Vec<String>,
    #[field(choices_from = colours, widget = "select-multiple")]
    colours: Vec<String>,
    #[field(choices_from = sizes)]
    size: String,
    #[field(min = "2020-01-01", max = "2030-12-31")]
    day: Date,
    #[field(kind = "date")]
    other_day: String,
    #[field(min = "08:00", max = "18:00")]
    at: Time,
    #[field(kind = "time")]
    other_at: String,
    #[field(min = "2020-01-01T00:00")]
    when: DateTime,
    #[field(kind = "datetime")]
    other_when: String,
    #[field(label = "Where")]
    address: Address,
    #[field(min_items = 1, max_items = 10)]
    lines: Vec<Line>,
    #[field(max_size = 1_000_000, accept = ["image/png", "image/*"])]
    avatar: Option<Upload>,
    r#type: String,
}

async fn trimmed(_req: &Request, name: &str) -> std::result::Result<(), Invalid> {
    if name.trim() != name {
        return Err(Invalid::message("No spaces around the name."));
    }
    Ok(())
}

async fn even(_req: &Request, level: &i32) -> std::result::Result<(), Invalid> {
    if level % 2 != 0 {
        return Err(Invalid::message("Even levels only."));
    }
    Ok(())
}

async fn colours(_req: &Request) -> Result<Vec<Choice>> {
    Ok(vec![Choice::new("red", "Red")])
}

async fn sizes(_req: &Request) -> Result<Vec<Choice>> {
    Ok(vec![Choice::new("s", "Small")])
}

impl FormHandler for Everything {
    type Output = ();
    async fn submit(self, _req: &Request) -> Result<()> {
        Ok(())
    }
}

#[derive(Deserialize, mizan::Form)]
#[form(name = "staff_form", auth = "staff")]
struct StaffForm {
    #[field(label = "Text")]
    text: String,
}

impl FormHandler for StaffForm {
    type Output = String;
    async fn submit(self, _req: &Request) -> Result<String> {
        Ok(self.text)
    }
}

#[derive(Deserialize, mizan::Form)]
#[form(name = "signed_in", auth)]
struct SignedIn {}

impl FormHandler for SignedIn {
    type Output = ();
    async fn submit(self, _req: &Request) -> Result<()> {
        Ok(())
    }
}

fn main() {
    let mut registry = Registry::new();
    registry
        .form::<Everything>()
        .unwrap()
        .form::<StaffForm>()
        .unwrap()
        .form::<SignedIn>()
        .unwrap();
}
