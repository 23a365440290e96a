#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "contact-us")]
struct Contact {
    name: String,
}

#[derive(serde::Deserialize, mizan::Form)]
#[form(title = "No name")]
struct Nameless {
    name: String,
}

#[derive(serde::Deserialize, mizan::Form)]
struct Bare {
    name: String,
}

fn main() {}
