//! The searches' state signatures: a hash of what matters for the future of a state, and the
//! map keyed by them. The hash is the standard library's SipHash of the state's fields, fed
//! through a buffer so that SipHash runs over long runs of bytes rather than field by field
//! (the same bytes in the same order, hence the same value: ties in the beam are broken by it).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, DefaultHasher, Hash, Hasher};

use crate::engine::Episode;
use crate::engine::notes;

/// A map keyed by [`signature`]s: the keys are hashes already, so the map uses them as they
/// are instead of hashing them again.
pub(super) type BySignature<T> = HashMap<u64, T, BuildHasherDefault<Signature>>;

/// The hasher of [`BySignature`]: a signature hashes to itself.
#[derive(Default)]
pub(super) struct Signature(u64);

impl Hasher for Signature {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed (`write_u64`); anything else folds in byte by byte.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// A hash of what matters for the future of a state (not how it was reached).
pub(super) fn signature(ep: &Episode) -> u64 {
    let mut h = Buffered::default();
    (ep.clock, ep.active, ep.spending, &ep.stock, ep.satisfaction, ep.invalid).hash(&mut h);
    (ep.reopened_cases, ep.sla_breaches, ep.fraud_loss, ep.stockouts).hash(&mut h);
    for case in &ep.cases {
        (case.status, &case.completed, case.revealed, &case.responses).hash(&mut h);
        notes::hash_texts(&case.notes, &ep.world.symbols, &mut h);
        (case.slot_free, &case.paid_as, case.fees, case.reopens, &case.closes).hash(&mut h);
        (case.breached, case.stockout).hash(&mut h);
        case.resolution.as_ref().map(|r| (r.kind, r.action, r.expedite, r.step)).hash(&mut h);
    }
    for pending in &ep.pending {
        (pending.due, pending.event, pending.case, pending.payload).hash(&mut h);
    }
    h.finish()
}

/// Bytes held before they are passed on to SipHash (a hard-task state's fit in one run).
const BUFFER: usize = 2048;

/// A [`DefaultHasher`] behind a buffer: every write is copied into the buffer, which is hashed
/// when full and at the end. SipHash hashes a stream of bytes, however it is cut into writes,
/// and the integer and string writes it does not override by default turn into the same bytes
/// either way, so the value is the one the hasher alone gives.
struct Buffered {
    sip: DefaultHasher,
    bytes: [u8; BUFFER],
    len: usize,
}

impl Default for Buffered {
    fn default() -> Self {
        Buffered { sip: DefaultHasher::new(), bytes: [0; BUFFER], len: 0 }
    }
}

impl Buffered {
    /// Passes the buffered bytes on to SipHash.
    fn flush(&mut self) {
        self.sip.write(&self.bytes[..self.len]);
        self.len = 0;
    }

    /// Buffers an integer's bytes (a copy of a known size, where [`Hasher::write`]'s is not).
    #[inline]
    fn put<const N: usize>(&mut self, bytes: [u8; N]) {
        if self.len + N > BUFFER {
            self.flush();
        }
        self.bytes[self.len..self.len + N].copy_from_slice(&bytes);
        self.len += N;
    }
}

/// Integer writes of `Hasher` that buffer the integer's native-endian bytes, as the default
/// ones write them.
macro_rules! integer_writes {
    ($($write:ident: $int:ty),*) => {$(
        #[inline]
        fn $write(&mut self, i: $int) {
            self.put(i.to_ne_bytes());
        }
    )*};
}

impl Hasher for Buffered {
    integer_writes!(
        write_u8: u8,
        write_u32: u32,
        write_u64: u64,
        write_usize: usize,
        write_i64: i64,
        write_isize: isize
    );

    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        if self.len + bytes.len() > BUFFER {
            self.flush();
            if bytes.len() > BUFFER {
                self.sip.write(bytes);
                return;
            }
        }
        self.bytes[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn finish(&self) -> u64 {
        let mut sip = self.sip.clone();
        sip.write(&self.bytes[..self.len]);
        sip.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testing::{draw, machines};
    use crate::engine::{start, step_quiet};
    use crate::oracle::candidates::Moves;
    use crate::wire::{Action, ActionType};

    /// The signature as it was first written: every field straight into SipHash.
    fn unbuffered(ep: &Episode) -> u64 {
        let mut h = DefaultHasher::new();
        (ep.clock, ep.active, ep.spending, &ep.stock, ep.satisfaction, ep.invalid).hash(&mut h);
        (ep.reopened_cases, ep.sla_breaches, ep.fraud_loss, ep.stockouts).hash(&mut h);
        for case in &ep.cases {
            (case.status, &case.completed, case.revealed, &case.responses).hash(&mut h);
            notes::hash_texts(&case.notes, &ep.world.symbols, &mut h);
            (case.slot_free, &case.paid_as, case.fees, case.reopens, &case.closes).hash(&mut h);
            (case.breached, case.stockout).hash(&mut h);
            case.resolution.as_ref().map(|r| (r.kind, r.action, r.expedite, r.step)).hash(&mut h);
        }
        for pending in &ep.pending {
            (pending.due, pending.event, pending.case, pending.payload).hash(&mut h);
        }
        h.finish()
    }

    /// Every state of random plays of the shipped tasks and a prove fixture (the search's moves
    /// mixed with arbitrary actions and notes outside the scenario's codes) signs as the
    /// unbuffered hash does; the states differ, so the hashes do too.
    #[test]
    fn the_signature_is_the_unbuffered_hash_of_the_same_fields() {
        let machines = machines(&["scenarios", "tests/fixtures/prove/interleaved_requests"]);
        assert_eq!(machines.len(), 4);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut seen = std::collections::BTreeSet::new();
        let mut states = 0;
        for m in &machines {
            let moves = Moves::new(m);
            for seed in 1..=40 {
                let mut ep = start(m, seed, "signature".into());
                while ep.ended.is_none() {
                    assert_eq!(signature(&ep), unbuffered(&ep));
                    seen.insert(signature(&ep));
                    states += 1;
                    let candidates = moves.candidates(m, &ep, false);
                    let action = match draw(&mut state, 10) {
                        0 => Action::new(ActionType::ALL[draw(&mut state, ActionType::ALL.len())]),
                        1 => Action {
                            note_code: Some(format!("free text {}", draw(&mut state, 3))),
                            ..Action::new(ActionType::AddInternalNote)
                        },
                        _ if candidates.is_empty() => Action::new(ActionType::CloseCase),
                        _ => candidates[draw(&mut state, candidates.len())].clone(),
                    };
                    if step_quiet(m, &mut ep, &action).is_err() {
                        break;
                    }
                }
            }
        }
        assert!(states > 2000, "{states} states");
        assert!(seen.len() * 2 > states, "{} signatures of {states} states", seen.len());
    }

    /// Writes cut at any points, some longer than the buffer, with integers between them, hash as
    /// they do unbuffered.
    #[test]
    fn buffering_keeps_the_hash_of_the_byte_stream() {
        let stream: Vec<u8> = (0..3 * BUFFER + 77).map(|i| (i * 31 % 251) as u8).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for _ in 0..200 {
            let (mut buffered, mut plain) = (Buffered::default(), DefaultHasher::new());
            let mut rest = &stream[..];
            while !rest.is_empty() {
                let cut = match draw(&mut state, 4) {
                    0 => draw(&mut state, 2 * BUFFER + 2),
                    _ => draw(&mut state, 17),
                }
                .min(rest.len());
                buffered.write(&rest[..cut]);
                plain.write(&rest[..cut]);
                rest = &rest[cut..];
                let (number, width) = (draw(&mut state, 1 << 16) as u64, draw(&mut state, 6));
                for h in [&mut buffered as &mut dyn Hasher, &mut plain] {
                    match width {
                        0 => h.write_u8(number as u8),
                        1 => h.write_u32(number as u32),
                        2 => h.write_u64(number),
                        3 => h.write_usize(number as usize),
                        4 => h.write_i64(-(number as i64)),
                        _ => h.write_isize(number as isize),
                    }
                }
            }
            "tail".hash(&mut buffered);
            "tail".hash(&mut plain);
            assert_eq!(buffered.finish(), plain.finish());
        }
    }
}
