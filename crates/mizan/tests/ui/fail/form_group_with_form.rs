#[derive(serde::Deserialize, mizan::FormGroup)]
#[form(name = "address")]
struct Address {
    city: String,
}

fn main() {}
