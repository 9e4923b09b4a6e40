//! [`Games`]: N episodes of one task in one Rust object, stepped together with the GIL
//! released (on a [`Crew`] of threads when asked), with automatic resets (Gymnasium's
//! next-step mode) and two encodings: the wire observation dicts, or the numeric one of
//! [`layout`] with the action table of [`table`].

mod crew;
mod gc_pause;
mod infos;
mod layout;
mod masks;
mod sink;
mod slot;
mod table;
mod vocab;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyDict, PyList, PyTuple};
use shopops::engine::{Machine, start};
use shopops::wire::Action;

use self::crew::{Crew, Job};
use self::gc_pause::GcPause;
use self::infos::Infos;
use self::layout::{Last, encode};
use self::masks::MaskPlan;
use self::sink::Describer;
use self::slot::{Outcome, Shared, Slot};
use self::table::ActionTable;
use self::vocab::Vocab;
use crate::pyobs;
use crate::scenarios::Scenarios;
use crate::wire::{action_of, to_py};

/// N episodes of one task, stepped together in Rust. After an episode ends, the next step
/// of that sub-environment starts a new one and ignores its action (reward 0, not done).
/// Sub-environment `i` reset with seed `s` plays seeds `s`, `s + N`, `s + 2N`, ...
#[pyclass(module = "shopops._core")]
pub(crate) struct Games {
    shared: Arc<Shared>,
    /// One lock per sub-environment: a batch's items are taken by whichever thread claims
    /// them first.
    slots: Arc<[Mutex<Slot>]>,
    crew: Crew,
    /// The names the wire observations repeat, as Python strings.
    strings: pyobs::Strings,
    /// Numeric encoding: steps keep no report (`step_quiet`), and the wire observations, which
    /// need it, are not served.
    numeric: bool,
}

/// Wire observation dicts, and `Env`'s infos of them in columns (see [`Infos::into_py`]).
type Dicts<'py> = (Vec<Bound<'py, PyDict>>, Bound<'py, PyTuple>);

fn lock(slot: &Mutex<Slot>) -> MutexGuard<'_, Slot> {
    slot.lock().unwrap_or_else(PoisonError::into_inner)
}

fn panicked() -> PyErr {
    PyRuntimeError::new_err("a sub-environment's step panicked (a bug in the engine)")
}

impl Games {
    pub(crate) fn new(
        machine: Arc<Machine>,
        num_envs: usize,
        refund_levels: u32,
        threads: usize,
        numeric: bool,
    ) -> PyResult<Self> {
        if num_envs == 0 {
            return Err(PyValueError::new_err("num_envs must be at least 1"));
        }
        if refund_levels == 0 {
            return Err(PyValueError::new_err("refund_levels must be at least 1"));
        }
        let table = ActionTable::new(&machine, refund_levels);
        let vocab = Vocab::new(&machine, table.notes());
        let probe = start(&machine, 0, String::new());
        let mut describer = Describer::default();
        encode(&machine, &vocab, &probe, Last::default(), &mut describer);
        let size = describer.size();
        let masks = MaskPlan::new(&machine);
        let groups = table.groups();
        let shared = Arc::new(Shared {
            machine,
            table,
            masks,
            groups,
            vocab,
            size,
            num_envs: num_envs as u64,
        });
        let slots = (0..num_envs as u64).map(|i| Mutex::new(Slot::new(&shared, i))).collect();
        let crew = Crew::new(threads.clamp(1, num_envs));
        let strings = pyobs::Strings::default();
        Ok(Games { shared, slots, crew, strings, numeric })
    }

    /// `ValueError` unless the object was made for `numeric` (or else dict) stepping.
    fn require(&self, numeric: bool) -> PyResult<()> {
        match (self.numeric, numeric) {
            (true, true) | (false, false) => Ok(()),
            (true, false) => Err(PyValueError::new_err(
                "numeric Games keep no step reports: wire observations need numeric=False",
            )),
            (false, true) => {
                Err(PyValueError::new_err("numeric stepping needs Games(..., numeric=True)"))
            }
        }
    }

    /// The slot of sub-environment `index`, locked; `ValueError` if there is none.
    fn slot(&self, index: usize) -> PyResult<MutexGuard<'_, Slot>> {
        let slot = self.slots.get(index);
        slot.map(lock).ok_or_else(|| PyValueError::new_err(format!("no sub-environment {index}")))
    }

    /// Runs `work` on every slot, on the crew, with the GIL released.
    fn each(
        &self,
        py: Python<'_>,
        work: impl Fn(&Shared, &mut Slot, usize) + Send + Sync + 'static,
    ) -> PyResult<()> {
        let (shared, slots) = (Arc::clone(&self.shared), Arc::clone(&self.slots));
        let job: Job = Arc::new(move |i| work(&shared, &mut lock(&slots[i]), i));
        let crew = &self.crew;
        py.detach(|| crew.run(self.slots.len(), job, &|f| f(), |_| Ok::<(), ()>(())))
            .map_err(|_| panicked())
    }

    /// Runs `work` on every slot on the crew and returns the wire observations as dicts with
    /// `Env`'s infos of them: the calling thread walks the finished slots' episodes into dicts
    /// (with the GIL) while the helpers step the rest, Python's cyclic collector paused
    /// ([`GcPause`]).
    fn each_observed<'py>(
        &mut self,
        py: Python<'py>,
        work: impl Fn(&Shared, &mut Slot, usize) + Send + Sync + 'static,
    ) -> PyResult<Dicts<'py>> {
        let _paused = GcPause::new(py)?;
        let (shared, slots) = (Arc::clone(&self.shared), Arc::clone(&self.slots));
        let job: Job = Arc::new(move |i| work(&shared, &mut lock(&slots[i]), i));
        let n = self.slots.len();
        let (mut dicts, mut infos) = (vec![None; n], Infos::new(n));
        let (shared, slots, strings) = (&self.shared, &self.slots, &mut self.strings);
        let ready = |i: usize| -> PyResult<()> {
            let slot = lock(&slots[i]);
            let observed = slot.observed(shared);
            let dict = pyobs::observation(py, &observed, strings)?;
            infos.add(i, observed.done(), &dict, strings)?;
            dicts[i] = Some(dict);
            Ok(())
        };
        self.crew.run(n, job, &|f| py.detach(f), ready).map_err(|e| e.unwrap_or_else(panicked))?;
        Ok((dicts.into_iter().flatten().collect(), infos.into_py(py)?))
    }

    /// Every slot's numeric observation, as a bytearray of little-endian `f32`s.
    fn floats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyByteArray>> {
        let width = self.shared.size * 4;
        PyByteArray::new_with(py, width * self.slots.len(), |bytes| {
            for (slot, out) in self.slots.iter().zip(bytes.chunks_exact_mut(width)) {
                for (bytes, value) in out.chunks_exact_mut(4).zip(&lock(slot).floats) {
                    bytes.copy_from_slice(&value.to_le_bytes());
                }
            }
            Ok(())
        })
    }

    /// Every slot's last outcome, as [`outcome_bytes`].
    fn outcomes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyByteArray>> {
        let outcomes: Vec<Outcome> = self.slots.iter().map(|s| lock(s).outcome).collect();
        outcome_bytes(py, &outcomes)
    }
}

#[pymethods]
impl Games {
    /// `num_envs` episodes of `task`, seeded 0..num_envs until reset. Refund amounts of the
    /// action table are `k / refund_levels` of the active case's order value; `threads` is how
    /// many threads step them (1: a plain loop). `numeric`: stepped with action-table indices
    /// only (`step_numeric`), keeping no step reports; else with wire actions only (`step`).
    #[new]
    #[pyo3(signature = (scenarios, task, num_envs, refund_levels = 40, threads = 1, numeric = false))]
    fn py_new(
        scenarios: PyRef<'_, Scenarios>,
        task: &str,
        num_envs: usize,
        refund_levels: u32,
        threads: usize,
        numeric: bool,
    ) -> PyResult<Self> {
        Games::new(scenarios.machine(task)?, num_envs, refund_levels, threads, numeric)
    }

    /// The number of sub-environments.
    #[getter]
    fn num_envs(&self) -> usize {
        self.slots.len()
    }

    /// Floats in one numeric observation.
    #[getter]
    fn observation_size(&self) -> usize {
        self.shared.size
    }

    /// Entries of the numeric action table.
    #[getter]
    fn num_actions(&self) -> usize {
        self.shared.table.len()
    }

    /// The task id.
    #[getter]
    fn task(&self) -> &str {
        &self.shared.machine.scenario.id
    }

    /// The action table's entries as readable labels, in index order.
    fn action_labels(&self) -> Vec<String> {
        self.shared.table.labels()
    }

    /// The names a text fact's code indexes (code = 1 + index).
    fn names(&self) -> Vec<String> {
        self.shared.vocab.names.clone()
    }

    /// The fields of the numeric observation, in order: name, case (None for the desk's),
    /// start, stop, meaning, scale and labels.
    fn layout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let probe = start(&self.shared.machine, 0, String::new());
        let mut describer = Describer::default();
        encode(&self.shared.machine, &self.shared.vocab, &probe, Last::default(), &mut describer);
        let list = PyList::empty(py);
        for field in describer.fields {
            let item = PyDict::new(py);
            item.set_item("name", field.name)?;
            item.set_item("case", field.case)?;
            item.set_item("start", field.start)?;
            item.set_item("stop", field.start + field.len)?;
            item.set_item("meaning", field.meaning)?;
            item.set_item("scale", field.scale)?;
            item.set_item("labels", field.labels)?;
            list.append(item)?;
        }
        Ok(list)
    }

    /// The wire action (a dict) that entry `entry` of the action table stands for in
    /// sub-environment `index`'s episode now (refund amounts follow its active case).
    fn action<'py>(
        &self,
        py: Python<'py>,
        index: usize,
        entry: usize,
    ) -> PyResult<Bound<'py, PyAny>> {
        let slot = self.slot(index)?;
        if entry >= self.shared.table.len() {
            return Err(PyValueError::new_err(format!("no action {entry} in the table")));
        }
        to_py(py, &self.shared.table.action(entry, &slot.episode))
    }

    /// The seed of every sub-environment's current episode.
    fn seeds(&self) -> Vec<u64> {
        self.slots.iter().map(|s| lock(s).episode.world.seed).collect()
    }

    /// Starts a new episode in every sub-environment given a seed (`None` leaves it as it
    /// is): sub-environment `i` plays `seeds[i]`, then `seeds[i] + N`, `seeds[i] + 2N`, ...
    fn reset(&self, py: Python<'_>, seeds: Vec<Option<u64>>) -> PyResult<()> {
        if seeds.len() != self.slots.len() {
            return Err(PyValueError::new_err(format!(
                "expected {} seeds, got {}",
                self.slots.len(),
                seeds.len()
            )));
        }
        self.each(py, move |shared, slot, i| {
            if let Some(seed) = seeds[i] {
                slot.reset(shared, seed);
            }
        })
    }

    /// The numeric observations (`num_envs * observation_size` little-endian `f32`s).
    fn observations_numeric<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyByteArray>> {
        self.each(py, |shared, slot, _| slot.encode(shared))?;
        self.floats(py)
    }

    /// The wire observation dicts and `Env`'s infos of them, in columns (not of numeric
    /// Games: `ValueError`).
    fn observations<'py>(&mut self, py: Python<'py>) -> PyResult<Dicts<'py>> {
        self.require(false)?;
        self.each_observed(py, |_, _, _| ())
    }

    /// Steps every sub-environment with its entry of the action table (`actions`: one
    /// little-endian `i64` per sub-environment) and encodes its observation. Returns the
    /// observations (as `observations_numeric`) and the outcome bytes (see [`outcome_bytes`]).
    /// `ValueError` if an index is out of range (nothing is stepped).
    fn step_numeric<'py>(
        &self,
        py: Python<'py>,
        actions: &[u8],
    ) -> PyResult<(Bound<'py, PyByteArray>, Bound<'py, PyByteArray>)> {
        self.require(true)?;
        let n = self.shared.table.len();
        if actions.len() != self.slots.len() * 8 {
            return Err(PyValueError::new_err(format!(
                "expected {} actions, got {} bytes",
                self.slots.len(),
                actions.len()
            )));
        }
        let mut indices = Vec::with_capacity(self.slots.len());
        for chunk in actions.chunks_exact(8) {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let index = i64::from_le_bytes(word);
            match usize::try_from(index) {
                Ok(i) if i < n => indices.push(i),
                _ => {
                    return Err(PyValueError::new_err(format!(
                        "action {index} is not in the action table (0..{n})"
                    )));
                }
            }
        }
        self.each(py, move |shared, slot, i| {
            slot.outcome = if slot.ended {
                slot.restart(shared)
            } else {
                let action = shared.table.action(indices[i], &slot.episode);
                slot.act(shared, &action, false)
            };
            slot.encode(shared);
        })?;
        Ok((self.floats(py)?, self.outcomes(py)?))
    }

    /// Steps every sub-environment with its wire action dict. Returns the observation dicts,
    /// the outcome bytes of `step_numeric` and `Env`'s infos in columns. A malformed action raises
    /// `ValueError` and nothing is stepped; the actions of sub-environments that start a new
    /// episode are ignored. Not for numeric Games (`ValueError`).
    #[allow(clippy::type_complexity)]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        actions: Vec<Bound<'py, PyAny>>,
    ) -> PyResult<(Vec<Bound<'py, PyDict>>, Bound<'py, PyByteArray>, Bound<'py, PyTuple>)> {
        self.require(false)?;
        if actions.len() != self.slots.len() {
            return Err(PyValueError::new_err(format!(
                "expected {} actions, got {}",
                self.slots.len(),
                actions.len()
            )));
        }
        let parsed = actions
            .iter()
            .zip(self.slots.iter())
            .enumerate()
            .map(|(i, (action, slot))| {
                if lock(slot).ended {
                    return Ok(None);
                }
                action_of(action)
                    .map(Some)
                    .map_err(|e| PyValueError::new_err(format!("action {i}: {}", e.value(py))))
            })
            .collect::<PyResult<Vec<Option<Action>>>>()?;
        let (observations, infos) = self.each_observed(py, move |shared, slot, i| {
            // `None` exactly for the sub-environments that restart (see the parse above).
            slot.outcome = match &parsed[i] {
                Some(action) => slot.act(shared, action, true),
                None => slot.restart(shared),
            };
        })?;
        Ok((observations, self.outcomes(py)?, infos))
    }

    /// Which entries of the action table the scenario's validation rules accept now, per
    /// sub-environment: `num_envs * num_actions` bytes, 1 where the action would be taken
    /// and 0 where it would be refused (a refused action is still a penalised step). A
    /// sub-environment about to start a new episode accepts every action.
    fn action_masks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyByteArray>> {
        self.each(py, |shared, slot, _| slot.mask(shared))?;
        let n = self.shared.table.len();
        PyByteArray::new_with(py, n * self.slots.len(), |bytes| {
            for (slot, out) in self.slots.iter().zip(bytes.chunks_exact_mut(n.max(1))) {
                out.copy_from_slice(&lock(slot).mask);
            }
            Ok(())
        })
    }

    /// The grade report of sub-environment `index`'s episode once it has ended, else None.
    fn grade<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyAny>> {
        let slot = self.slot(index)?;
        let report = slot
            .episode
            .ended
            .is_some()
            .then(|| shopops::engine::grade::grade(&self.shared.machine, &slot.episode));
        to_py(py, &report)
    }
}

/// The outcomes of a step as one bytearray of little-endian arrays of `num_envs` values each,
/// in this order: rewards, then for the episodes that ended on this step (0 for the others)
/// their grade and return (`f64`) and length (`i64`), then terminated, truncated and ended
/// (`u8`, 0 or 1).
fn outcome_bytes<'py>(py: Python<'py>, outcomes: &[Outcome]) -> PyResult<Bound<'py, PyByteArray>> {
    let n = outcomes.len();
    PyByteArray::new_with(py, n * OUTCOME_BYTES, |bytes| {
        let (words, flags) = bytes.split_at_mut(n * 32);
        let (rewards, rest) = words.split_at_mut(n * 8);
        let (grades, rest) = rest.split_at_mut(n * 8);
        let (returns, lengths) = rest.split_at_mut(n * 8);
        let (terminated, rest) = flags.split_at_mut(n);
        let (truncated, ended) = rest.split_at_mut(n);
        for (i, o) in outcomes.iter().enumerate() {
            let (grade, total, length) = o.end.unwrap_or((0.0, 0.0, 0));
            rewards[i * 8..i * 8 + 8].copy_from_slice(&o.reward.to_le_bytes());
            grades[i * 8..i * 8 + 8].copy_from_slice(&grade.to_le_bytes());
            returns[i * 8..i * 8 + 8].copy_from_slice(&total.to_le_bytes());
            lengths[i * 8..i * 8 + 8].copy_from_slice(&i64::from(length).to_le_bytes());
            terminated[i] = u8::from(o.terminated);
            truncated[i] = u8::from(o.truncated);
            ended[i] = u8::from(o.end.is_some());
        }
        Ok(())
    })
}

/// Bytes per sub-environment in [`outcome_bytes`]: four 8-byte values and three flags.
const OUTCOME_BYTES: usize = 4 * 8 + 3;
