#[mizan::client]
fn f(_req: &mizan::Request) -> String {
    String::new()
}

fn main() {}
