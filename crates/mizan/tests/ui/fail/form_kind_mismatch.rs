#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "contact")]
struct Contact {
    #[field(email, min = 3, widget = "textarea")]
    email: String,
    #[field(kind = "integer", min_length = 2)]
    count: i64,
    #[field(kind = "choice")]
    pick: String,
    #[field(kind = "rows")]
    rows: String,
    #[field(kind = "number", widget = "txtarea")]
    other: String,
    #[field(min_length = 5, max_length = 2, pattern_message = "No.")]
    text: String,
}

#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "bounds")]
struct Bounds {
    #[field(kind = "decimal", min = 0)]
    price: String,
    #[field(kind = "integer", max = "10")]
    count: i64,
}

fn main() {}
