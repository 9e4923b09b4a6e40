//! [`HeapSize`]: an estimate of the heap bytes an episode holds, for stores that are bounded in
//! bytes (the server's HTTP episodes). It counts the capacity of every owned buffer, what it
//! points to, and the allocator's bookkeeping per allocation; the machine (shared by every
//! episode) is not counted.

use std::mem::size_of;
use std::sync::Arc;

use indexmap::IndexMap;

use super::known::FactLog;
use super::notes::Note;
use super::report::{Detail, StepReport};
use super::state::{Appended, CaseDraw, CaseState, Episode, EpisodeWorld, Inline};
use super::value::Value;

/// What the allocator spends on each allocation besides the bytes asked for (glibc: an 8-byte
/// header, sizes rounded up to 16).
const ALLOCATION: usize = 16;

/// The bytes an allocation of `bytes` takes (none for an empty buffer).
fn allocation(bytes: usize) -> usize {
    if bytes == 0 { 0 } else { bytes + ALLOCATION }
}

/// Heap bytes owned by a value (its inline size is its owner's).
pub(crate) trait HeapSize {
    /// The estimate.
    fn heap_size(&self) -> usize;
}

/// Heap bytes of a value together with its inline size (what a box or buffer slot holds).
fn total<T: HeapSize>(value: &T) -> usize {
    size_of::<T>() + value.heap_size()
}

impl HeapSize for String {
    fn heap_size(&self) -> usize {
        allocation(self.capacity())
    }
}

impl<T: HeapSize> HeapSize for Vec<T> {
    fn heap_size(&self) -> usize {
        allocation(self.capacity() * size_of::<T>())
            + self.iter().map(HeapSize::heap_size).sum::<usize>()
    }
}

impl<T: HeapSize, const N: usize> HeapSize for Inline<T, N> {
    /// The spilled buffer, if the list outgrew its inline room.
    fn heap_size(&self) -> usize {
        let buffer = if self.spilled() { allocation(self.capacity() * size_of::<T>()) } else { 0 };
        buffer + self.iter().map(HeapSize::heap_size).sum::<usize>()
    }
}

impl<T: HeapSize> HeapSize for Option<T> {
    fn heap_size(&self) -> usize {
        self.as_ref().map_or(0, HeapSize::heap_size)
    }
}

impl<T: HeapSize> HeapSize for Box<T> {
    fn heap_size(&self) -> usize {
        allocation(size_of::<T>()) + (**self).heap_size()
    }
}

impl<T: HeapSize + ?Sized> HeapSize for Arc<T> {
    /// All of it: the stores that use this hold one episode per entry.
    fn heap_size(&self) -> usize {
        allocation(2 * size_of::<usize>() + size_of_val(&**self)) + (**self).heap_size()
    }
}

impl<A: HeapSize, B: HeapSize> HeapSize for (A, B) {
    fn heap_size(&self) -> usize {
        self.0.heap_size() + self.1.heap_size()
    }
}

impl<K: HeapSize, V: HeapSize> HeapSize for IndexMap<K, V> {
    /// Entries (key, value and hash) plus the index table (one word per slot).
    fn heap_size(&self) -> usize {
        let entry = size_of::<K>() + size_of::<V>() + size_of::<usize>();
        let entries = allocation(self.capacity() * entry);
        let index = allocation(self.capacity() * size_of::<usize>());
        entries + index + self.iter().map(|(k, v)| k.heap_size() + v.heap_size()).sum::<usize>()
    }
}

/// Types that own nothing on the heap.
macro_rules! inline_only {
    ($($t:ty),*) => {$(
        impl HeapSize for $t {
            fn heap_size(&self) -> usize {
                0
            }
        }
    )*};
}
inline_only!(
    u32,
    i64,
    usize,
    f64,
    &'static str,
    super::ir::Scalar,
    super::state::Resolution,
    super::state::Pending,
    super::report::DetailKey,
    super::report::Fired
);

impl HeapSize for Detail {
    fn heap_size(&self) -> usize {
        match self {
            Detail::Json(json) => json.heap_size(),
            Detail::Bool(_)
            | Detail::Name(_)
            | Detail::Known { .. }
            | Detail::Summary(_)
            | Detail::Facts(_)
            | Detail::Code
            | Detail::Message => 0,
        }
    }
}

impl HeapSize for str {
    fn heap_size(&self) -> usize {
        0
    }
}

impl HeapSize for serde_json::Value {
    fn heap_size(&self) -> usize {
        match self {
            serde_json::Value::Null | serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {
                0
            }
            serde_json::Value::String(text) => text.heap_size(),
            serde_json::Value::Array(items) => items.heap_size(),
            serde_json::Value::Object(map) => map_size(map),
        }
    }
}

impl HeapSize for Value {
    fn heap_size(&self) -> usize {
        match self {
            Value::Null
            | Value::Bool(_)
            | Value::Money(_)
            | Value::Minutes(_)
            | Value::Count(_)
            | Value::Percent(_)
            | Value::Real(_) => 0,
            Value::Text(text) | Value::Symbol(text) => text.heap_size(),
            Value::Truth(truth) => {
                allocation(size_of::<(String, Vec<Value>)>())
                    + truth.0.heap_size()
                    + truth.1.heap_size()
            }
            Value::List(items) => items.heap_size(),
        }
    }
}

/// A JSON object (a B-tree): its keys and values, and a node slot per entry.
fn map_size(map: &serde_json::Map<String, serde_json::Value>) -> usize {
    map.iter().map(|(k, v)| 2 * size_of::<usize>() + k.heap_size() + total(v)).sum()
}

impl HeapSize for CaseDraw {
    fn heap_size(&self) -> usize {
        self.truth.1.heap_size()
            + allocation(self.responses.capacity() * size_of::<(u32, u32, i64)>())
            + self.vars.heap_size()
            + self.fields.heap_size()
    }
}

impl HeapSize for EpisodeWorld {
    fn heap_size(&self) -> usize {
        self.episode_id.heap_size() + self.queue.heap_size() + self.cases.heap_size()
    }
}

impl HeapSize for FactLog {
    fn heap_size(&self) -> usize {
        let (spilled, wire) = self.heap();
        spilled.map_or(0, allocation)
            + wire.map_or(0, |wire| {
                allocation(2 * size_of::<usize>() + size_of::<Vec<serde_json::Value>>())
                    + allocation(wire.capacity() * size_of::<serde_json::Value>())
                    + wire.iter().map(HeapSize::heap_size).sum::<usize>()
            })
    }
}

impl HeapSize for CaseState {
    fn heap_size(&self) -> usize {
        let notes: usize = self
            .notes
            .iter()
            .map(|n| match n {
                Note::Sym(_) => 0,
                Note::Other(text) => allocation(2 * size_of::<usize>() + text.len()),
            })
            .sum();
        let spilled = |spilled: bool, bytes: usize| if spilled { allocation(bytes) } else { 0 };
        spilled(self.completed.spilled(), self.completed.capacity() * size_of::<Option<u32>>())
            + self.responses.heap_size()
            + spilled(self.received.spilled(), self.received.capacity() * size_of::<Option<u32>>())
            + spilled(self.notes.spilled(), self.notes.capacity() * size_of::<Note>())
            + notes
            + self.paid_as.heap_size()
            + spilled(self.closes.spilled(), self.closes.capacity() * size_of::<(i64, bool)>())
            + self.facts.heap_size()
            + spilled(self.appended.spilled(), self.appended.capacity() * size_of::<Appended>())
    }
}

impl HeapSize for Episode {
    fn heap_size(&self) -> usize {
        self.world.heap_size()
            + self.stock.heap_size()
            + self.cases.heap_size()
            + self.pending.heap_size()
    }
}

impl HeapSize for StepReport {
    fn heap_size(&self) -> usize {
        // Held inline unless a step sets more details, events or reward groups than that.
        self.breakdown.heap_size() + self.details.heap_size() + self.events.heap_size()
    }
}
