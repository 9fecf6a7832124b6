//! Build script for `viva`.
//!
//! espeak-ng (compiled by `espeak-rs-sys` for Piper's phonemizer) is configured
//! against Debian's `libsonic-dev` so that CMake never tries to git-clone sonic
//! (impossible offline). espeak-ng then needs sonic at link time: link it
//! statically so the binary does not depend on `libsonic.so` at run time.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-link-arg=-l:libsonic.a");
    }
}
