//! The parser never panics: any bytes as a `.shop` file and as a YAML expression.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopops::source::FileId;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = shopops::syntax::parse_file(FileId(0), text);
        let _ = shopops::syntax::parse_expr(FileId(0), 0, text);
    }
});
