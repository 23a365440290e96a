//! The attribute macros and derives used with every option they accept. These compile with the
//! other tests and run here, rather than as trybuild `pass` cases: with only failing cases, the
//! UI test's own build of the dependencies is a `cargo check`, minutes shorter than a full build.

// The cases declare what a user would (pub functions, fields only the derives read).
#![allow(dead_code, unreachable_pub)]

mod cache_options {
    include!("ui/pass/cache_options.rs");

    #[test]
    fn every_cache_option() {
        main();
    }
}

mod every_option {
    include!("ui/pass/every_option.rs");

    #[test]
    fn every_function_option() {
        main();
    }
}

mod form_every_attribute {
    include!("ui/pass/form_every_attribute.rs");

    #[test]
    fn every_form_attribute() {
        main();
    }
}
