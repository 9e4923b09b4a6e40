//! The checker never panics: the input is split at the first NUL into a scenario file and its
//! case data, which the shipped prelude is imported beside. Nothing is read from disk.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shopops::check::check_sources;
use shopops::source::SourceMap;

const PRELUDE: &str = include_str!("../../scenarios/prelude.shop");

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (scenario, cases) = text.split_once('\0').unwrap_or((text, ""));
    let mut sources = SourceMap::new();
    sources.add("prelude.shop", PRELUDE);
    sources.add("cases.yaml", cases);
    let root = sources.add("fuzz.shop", scenario);
    let _ = check_sources(sources, &[root]);
});
