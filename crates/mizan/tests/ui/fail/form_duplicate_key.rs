#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "contact", name = "again")]
struct Contact {
    #[field(label = "Name")]
    #[field(label = "Your name", required, optional)]
    name: String,
    #[field(email, url)]
    email: String,
    #[field(choices(a = "A", a = "Again"))]
    letter: String,
}

fn main() {}
