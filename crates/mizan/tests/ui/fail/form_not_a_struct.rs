#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "choice")]
enum Choice {
    A,
}

#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "pair")]
struct Pair(String, String);

#[derive(serde::Deserialize, mizan::FormGroup)]
struct Unit;

#[derive(serde::Deserialize, mizan::Form)]
#[form(name = "generic")]
struct Generic<T> {
    value: T,
}

fn main() {}
