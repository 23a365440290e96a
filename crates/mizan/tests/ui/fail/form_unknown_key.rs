#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "contact", titel = "Contact us")]
struct Contact {
    #[field(max_lenght = 80)]
    name: String,
    #[field(colour = "red")]
    note: String,
}

fn main() {}
