//! `shopops explain`

use crate::diag::Code;

/// Prints the long explanation of a code.
pub(super) fn run(code: &str) -> Result<u8, String> {
    let code = Code::parse(code).ok_or_else(|| {
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        format!("unknown code `{code}`; codes are {}", known.join(", "))
    })?;
    super::emit(code.explanation());
    Ok(0)
}
