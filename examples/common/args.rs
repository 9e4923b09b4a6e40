//! The examples' command lines: `--option value` pairs. `-h` or `--help` prints the example's
//! usage; an unknown option, a missing value or one that does not parse prints what is wrong
//! and the usage, and ends the example with status 2 (as a command-line tool does).

use std::fmt::Display;
use std::process::exit;
use std::str::FromStr;

/// An example's command line, with the usage it prints.
pub(crate) struct Args {
    usage: &'static str,
}

impl Args {
    /// The command line's `--option value` pairs, in order (`-h`, `--help`: the usage, then
    /// exit).
    pub(crate) fn read(usage: &'static str) -> (Args, Vec<(String, String)>) {
        let args = Args { usage };
        let words: Vec<String> = std::env::args().skip(1).collect();
        if words.iter().any(|word| word == "-h" || word == "--help") {
            println!("{usage}");
            exit(0);
        }
        let pairs = words
            .chunks(2)
            .map(|pair| match pair {
                [option, value] => (option.clone(), value.clone()),
                _ => args.fail(format_args!("{} needs a value", pair[0])),
            })
            .collect();
        (args, pairs)
    }

    /// `value`, given for `option`, parsed.
    pub(crate) fn parse<T: FromStr>(&self, option: &str, value: &str) -> T {
        value
            .parse()
            .unwrap_or_else(|_| self.fail(format_args!("{option}: {value:?} is not a valid value")))
    }

    /// Ends the example: `what` is wrong with its command line.
    pub(crate) fn fail(&self, what: impl Display) -> ! {
        eprintln!("error: {what}\n\n{}", self.usage);
        exit(2)
    }
}
