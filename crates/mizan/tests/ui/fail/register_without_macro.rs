fn hello(_req: &mizan::Request, name: String) -> mizan::Result<String> {
    Ok(format!("Hello, {name}!"))
}

fn main() {
    let mut registry = mizan::Registry::new();
    let _ = registry.register(hello, "hello");
}
