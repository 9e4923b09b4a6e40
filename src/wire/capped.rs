//! A list of request violations that keeps the first [`MAX_LISTED`] and only counts the rest,
//! so a request with 85,000 unknown keys costs 20 error values, not 85,000.

use std::slice;

/// How many violations of one request are listed; the rest are counted. Pydantic lists every
/// one; a genuine mistake has a handful (an action has 7 fields), and 20 items keep the answer
/// to even a 1 MiB request of unknown keys a few KiB.
pub const MAX_LISTED: usize = 20;

/// Violations in the order found: the first [`MAX_LISTED`] kept, the others counted.
#[derive(Clone, Debug, PartialEq)]
pub struct Capped<T> {
    listed: Vec<T>,
    unlisted: usize,
}

impl<T> Default for Capped<T> {
    fn default() -> Self {
        Self { listed: Vec::new(), unlisted: 0 }
    }
}

impl<T> Capped<T> {
    /// No violations yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Exactly one violation.
    pub fn one(item: T) -> Self {
        Self { listed: vec![item], unlisted: 0 }
    }

    /// Records a violation: listed while there is room, else counted and dropped.
    pub fn push(&mut self, item: T) {
        self.push_with(|| item);
    }

    /// Records the violation `make` builds, building it only when it will be listed.
    pub fn push_with(&mut self, make: impl FnOnce() -> T) {
        if self.listed.len() < MAX_LISTED {
            self.listed.push(make());
        } else {
            self.unlisted += 1;
        }
    }

    /// Records every violation of `other`, listed ones first, in order.
    pub fn append(&mut self, other: Capped<T>) {
        for item in other.listed {
            self.push(item);
        }
        self.unlisted += other.unlisted;
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// How many were recorded, listed or not.
    pub fn len(&self) -> usize {
        self.listed.len() + self.unlisted
    }

    /// The listed violations.
    pub fn listed(&self) -> &[T] {
        &self.listed
    }

    /// How many were recorded beyond the listed ones.
    pub fn unlisted(&self) -> usize {
        self.unlisted
    }

    /// The listed violations, in order.
    pub fn iter(&self) -> slice::Iter<'_, T> {
        self.listed.iter()
    }

    /// The same violations, each converted; the count of unlisted ones is kept.
    pub fn map<U>(self, convert: impl FnMut(T) -> U) -> Capped<U> {
        Capped { listed: self.listed.into_iter().map(convert).collect(), unlisted: self.unlisted }
    }

    /// `Ok(value)` when nothing was recorded, else these violations.
    pub fn or_ok<V>(self, value: V) -> Result<V, Self> {
        if self.is_empty() { Ok(value) } else { Err(self) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_first_and_counts_the_rest() {
        let mut errors = Capped::new();
        assert!(errors.is_empty());
        for i in 0..85_000 {
            errors.push(i);
        }
        assert_eq!(errors.listed(), (0..MAX_LISTED).collect::<Vec<_>>());
        assert_eq!((errors.unlisted(), errors.len()), (85_000 - MAX_LISTED, 85_000));
        assert!(errors.or_ok(()).is_err());
    }

    #[test]
    fn appending_keeps_order_and_counts() {
        let mut first = Capped::one("a");
        let mut second = Capped::new();
        for _ in 0..MAX_LISTED + 5 {
            second.push("b");
        }
        first.append(second);
        assert_eq!(first.listed()[..2], ["a", "b"]);
        assert_eq!((first.listed().len(), first.unlisted()), (MAX_LISTED, 6));
        assert_eq!(first.map(str::len).len(), MAX_LISTED + 6);
        assert_eq!(Capped::<u8>::new().or_ok(7), Ok(7));
    }
}
