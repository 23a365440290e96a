#[derive(serde::Deserialize, mizan::Form)]
#[form(name = 5)]
struct Contact {
    #[field(max_length = "80", label = 5)]
    name: String,
    #[field(initial = 1.5, min = true)]
    age: u8,
    #[field(required = true, clean = "check")]
    email: String,
    #[field(accept = ["image"], choices = ["a"])]
    note: String,
}

fn main() {}
