//! [`Observed`]: the public observation of an episode, borrowed, written as JSON straight from
//! the machine, the episode and its last step report into the output buffer — the same bytes as
//! the owned [`Observation`](crate::wire::Observation) that [`observe`](super::observe::observe)
//! builds and serde writes (a test compares them over every step of five policies' episodes on
//! every shipped task and the fixture task), without building its strings, lists and maps. What
//! the server sends.
//!
//! The owned type's serialisation is the reference; this writer follows its field order, with
//! keys and punctuation written as literals and every value through serde_json (its escapes and
//! number formats). `metadata`, a `serde_json::Map` there (keys sorted), is written in sorted key
//! order.

use std::fmt::{self, Display, Write as _};
use std::io::{self, Write};

use serde::Serialize;
use serde::ser::Serializer as _;
use serde_json::Value as Json;

use super::machine::Machine;
use super::observe::{self as o, End};
use super::query::shown_blockers;
use super::state::{Episode, Inline};
use super::step::StepReport;
use crate::wire::{ENV_SCHEMA_VERSION, usd};

/// Room to reserve for an envelope's JSON: a hard-task one is 3–10 KiB.
pub const ENVELOPE_CAPACITY: usize = 16 * 1024;

/// The observation of an episode after `report` (`None` at reset), borrowed.
#[derive(Clone, Debug)]
pub struct Observed<'a> {
    m: &'a Machine,
    ep: &'a Episode,
    report: Option<&'a StepReport>,
    /// The blockers the active case shows (written twice: in the case and beside it).
    blockers: Inline<&'a str, 8>,
    /// The metadata's end fields (built once: the envelope writes the metadata twice).
    end: Option<End<'a>>,
}

impl<'a> Observed<'a> {
    /// The observation of `ep` after `report` (`None` at reset).
    pub fn new(m: &'a Machine, ep: &'a Episode, report: Option<&'a StepReport>) -> Self {
        let blockers =
            shown_blockers(m, ep, ep.active).map(|b| m.blockers[b].name.as_str()).collect();
        Observed { m, ep, report, blockers, end: o::end(m, ep) }
    }

    /// The step reward, `None` at reset.
    pub fn reward(&self) -> Option<f64> {
        self.report.map(|r| r.reward)
    }

    /// Whether the episode is over.
    pub fn done(&self) -> bool {
        self.ep.ended.is_some()
    }

    /// Appends the observation's JSON to `out`, as [`Observation`](crate::wire::Observation)
    /// serialises.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        // Writing to a `Vec` cannot fail, and neither can the `Display` texts written here.
        let _ = self.write(&mut Out(out), true);
    }

    /// Appends the OpenEnv response envelope of this observation (protocol spec §4.7) to `out`:
    /// `{observation, reward, done, metadata}`, `reward` and `done` moved from the observation
    /// to the top level and `metadata` copied beside them (never `null`: an engine
    /// observation's metadata is never empty).
    pub fn write_envelope(&self, out: &mut Vec<u8>) {
        let _ = self.envelope(&mut Out(out));
    }

    /// The envelope as a JSON value.
    pub fn envelope_value(&self) -> Json {
        let mut text = Vec::with_capacity(ENVELOPE_CAPACITY);
        self.write_envelope(&mut text);
        serde_json::from_slice(&text).unwrap_or(Json::Null)
    }

    fn envelope(&self, out: &mut Out<'_>) -> io::Result<()> {
        out.raw("{\"observation\":")?;
        self.write(out, false)?;
        self.outcome(out)?;
        self.close_with_metadata(out)
    }

    /// `,"reward":…,"done":…`: the step's outcome, in the observation or beside it.
    fn outcome(&self, out: &mut Out<'_>) -> io::Result<()> {
        out.raw(",\"reward\":")?;
        out.value(&self.reward())?;
        out.raw(",\"done\":")?;
        out.value(&self.done())
    }

    /// `,"metadata":…}`: the metadata, closing the observation or the envelope.
    fn close_with_metadata(&self, out: &mut Out<'_>) -> io::Result<()> {
        out.raw(",\"metadata\":")?;
        self.metadata(out)?;
        out.raw("}")
    }

    /// Writes the observation; without `reward` and `done` unless `outcome`.
    fn write(&self, out: &mut Out<'_>, outcome: bool) -> io::Result<()> {
        let (m, ep) = (self.m, self.ep);
        out.raw("{\"active_case\":")?;
        self.active_case(out)?;
        out.raw(",\"queue\":[")?;
        for (i, &case) in ep.world.queue.iter().enumerate() {
            out.raw(if i == 0 { "" } else { "," })?;
            self.queue_item(out, case)?;
        }
        out.raw("],\"latest_tool_result\":")?;
        self.tool_result(out)?;
        out.raw(",\"resources\":")?;
        self.resources(out)?;
        out.raw(",\"metrics\":")?;
        out.value(&o::metrics(m, ep))?;
        out.raw(",\"unresolved_blockers\":")?;
        out.value(&self.blockers[..])?;
        out.raw(",\"current_task\":")?;
        out.str(&m.scenario.id)?;
        out.raw(",\"difficulty\":")?;
        out.str(&m.scenario.difficulty)?;
        out.raw(",\"step_index\":")?;
        out.value(&ep.steps)?;
        out.raw(",\"episode_id\":")?;
        out.str(&ep.world.episode_id)?;
        out.raw(",\"env_schema_version\":")?;
        out.str(ENV_SCHEMA_VERSION)?;
        if outcome {
            self.outcome(out)?;
        }
        self.close_with_metadata(out)
    }

    /// The active case, as [`CaseView`](crate::wire::CaseView) serialises.
    fn active_case(&self, out: &mut Out<'_>) -> io::Result<()> {
        let (m, ep) = (self.m, self.ep);
        let case = ep.active;
        let draw = &ep.world.cases[case];
        out.raw("{\"case_id\":")?;
        out.str(o::case_id(m, ep, case))?;
        out.raw(",\"title\":")?;
        out.str(o::title(m, ep, case))?;
        out.raw(",\"case_type\":")?;
        out.value(&o::case_type(m, ep, case))?;
        out.raw(",\"status\":")?;
        out.value(&o::status(m, ep, case))?;
        out.raw(",\"priority\":")?;
        out.value(&o::priority(m, ep, case))?;
        out.raw(",\"customer_tier\":")?;
        out.value(&o::customer_tier(m, ep, case))?;
        out.raw(",\"order_value_usd\":")?;
        out.value(&usd(draw.order_value))?;
        out.raw(",\"days_since_order\":")?;
        out.value(&draw.days_since_order)?;
        out.raw(",\"order_status\":")?;
        out.value(&o::order_status(m, ep, case))?;
        out.raw(",\"fraud_signal\":")?;
        out.value(&o::fraud_signal(m, ep, case))?;
        out.raw(",\"requested_compensation_usd\":")?;
        out.value(&draw.requested.map(usd))?;
        out.raw(",\"replacement_sku\":")?;
        out.value(&o::replacement_sku(m, ep, case))?;
        out.raw(",\"evidence_status\":")?;
        out.value(&o::evidence_status(m, ep, case))?;
        out.raw(",\"carrier_status\":")?;
        out.value(&o::carrier_status(m, ep, case))?;
        for field in ["order_summary", "policy_summary", "history_summary", "inventory_summary"] {
            out.raw(",\"")?;
            out.raw(field)?;
            out.raw("\":")?;
            out.text(o::summary_text(m, ep, case, field))?;
        }
        out.raw(",\"blockers\":")?;
        out.value(&self.blockers[..])?;
        out.raw(",\"pending_events\":")?;
        out.strings(o::pending_events(m, ep, case))?;
        out.raw(",\"completed_checks\":")?;
        out.value(&o::completed_checks(m, ep, case)[..])?;
        out.raw(",\"notes\":")?;
        out.strings(o::notes(ep, case))?;
        out.raw(",\"resolution_action\":")?;
        out.value(&o::resolution_action(m, ep, case))?;
        out.raw(",\"resolution_summary\":")?;
        out.text(o::resolution_summary(m, ep, case))?;
        out.raw("}")
    }

    /// One case of the queue, as [`QueueItemView`](crate::wire::QueueItemView) serialises.
    fn queue_item(&self, out: &mut Out<'_>, case: usize) -> io::Result<()> {
        let (m, ep) = (self.m, self.ep);
        let shown = o::shown(m, ep, case);
        out.raw("{\"case_id\":")?;
        out.str(o::case_id(m, ep, case))?;
        out.raw(",\"title\":")?;
        out.str(o::title(m, ep, case))?;
        out.raw(",\"case_type\":")?;
        out.str(shown.case_type.as_str())?;
        out.raw(",\"status\":")?;
        out.str(o::status(m, ep, case).as_str())?;
        out.raw(",\"priority\":")?;
        out.str(shown.priority.as_str())?;
        out.raw(",\"customer_tier\":")?;
        out.str(shown.tier.as_str())?;
        out.raw(",\"sla_minutes_remaining\":")?;
        out.value(&o::sla_minutes_remaining(ep, case))?;
        out.raw(",\"blocker_count\":")?;
        out.value(&o::blocker_count(m, ep, case))?;
        out.raw("}")
    }

    /// The last step's result, as [`ToolResult`](crate::wire::ToolResult) serialises.
    fn tool_result(&self, out: &mut Out<'_>) -> io::Result<()> {
        let (m, ep) = (self.m, self.ep);
        out.raw("{\"action_type\":")?;
        out.value(&self.report.and_then(o::action_type))?;
        out.raw(",\"target_case_id\":")?;
        out.str(o::case_id(m, ep, self.report.map_or(ep.active, |r| r.target_case)))?;
        out.raw(",\"outcome\":")?;
        out.str(self.report.map_or(o::SHIFT_STARTED, |r| r.outcome.as_str()))?;
        out.raw(",\"details\":")?;
        match self.report {
            Some(r) => out.value(&r.details)?,
            // A JSON map in the owned observation: keys sorted.
            None => {
                out.raw("{\"brief\":")?;
                out.str(&m.scenario.brief)?;
                out.raw(",\"difficulty\":")?;
                out.str(&m.scenario.difficulty)?;
                out.raw(",\"task\":")?;
                out.str(&m.scenario.id)?;
                out.raw("}")?;
            }
        }
        out.raw("}")
    }

    /// Clock, budget and stock, as [`Resources`](crate::wire::Resources) serialises.
    fn resources(&self, out: &mut Out<'_>) -> io::Result<()> {
        let (m, ep) = (self.m, self.ep);
        let limits = &m.scenario.limits;
        out.raw("{\"time_remaining_minutes\":")?;
        out.value(&(limits.time_limit_minutes - ep.clock).max(0))?;
        out.raw(",\"budget_remaining_usd\":")?;
        out.value(&usd(limits.budget_cents - ep.spending))?;
        out.raw(",\"time_used_minutes\":")?;
        out.value(&ep.clock)?;
        out.raw(",\"budget_used_usd\":")?;
        out.value(&usd(ep.spending))?;
        out.raw(",\"inventory_units\":")?;
        out.map(o::inventory(m, ep))?;
        out.raw("}")
    }

    /// The metadata, keys in sorted order (the owned observation's is a `serde_json::Map`).
    fn metadata(&self, out: &mut Out<'_>) -> io::Result<()> {
        let (m, ep, report) = (self.m, self.ep, self.report);
        let limits = &m.scenario.limits;
        let error = o::action_error(report);
        out.raw("{\"budget_limit_usd\":")?;
        out.value(&usd(limits.budget_cents))?;
        out.raw(",\"difficulty\":")?;
        out.str(&m.scenario.difficulty)?;
        if let Some(end) = &self.end {
            out.raw(",\"episode_summary\":")?;
            out.value(&end.summary)?;
        }
        out.raw(",\"events\":[")?;
        for (i, (kind, case, detail)) in
            report.map_or(&[][..], |r| &r.events[..]).iter().enumerate()
        {
            // A JSON map in the owned observation: keys sorted.
            out.raw(if i == 0 { "{\"case_id\":" } else { ",{\"case_id\":" })?;
            out.str(o::case_id(m, ep, *case))?;
            out.raw(",\"detail\":")?;
            out.value(detail)?;
            out.raw(",\"kind\":")?;
            out.str(kind)?;
            out.raw("}")?;
        }
        out.raw("]")?;
        if let Some(end) = &self.end {
            out.raw(",\"grade\":")?;
            out.value(&end.grade)?;
        }
        out.raw(",\"invalid_action_limit\":")?;
        out.value(&limits.invalid_action_limit)?;
        out.raw(",\"invalid_actions\":")?;
        out.value(&ep.invalid)?;
        out.raw(",\"known_facts\":")?;
        out.sorted(o::known_facts(m, ep).collect())?;
        out.raw(",\"last_action_error\":")?;
        out.text(error)?;
        out.raw(",\"last_action_error_code\":")?;
        out.value(&error.map(|e| e.code))?;
        out.raw(",\"max_steps\":")?;
        out.value(&limits.max_steps)?;
        out.raw(",\"reward_breakdown\":")?;
        out.sorted(o::reward_breakdown(m, report).collect())?;
        out.raw(",\"scenario_version\":")?;
        out.str(&m.scenario.version)?;
        out.raw(",\"seed\":")?;
        out.value(&ep.world.seed)?;
        out.raw(",\"task\":")?;
        out.str(&m.scenario.id)?;
        if let Some(end) = &self.end {
            out.raw(",\"terminated\":")?;
            out.value(&end.terminated)?;
            out.raw(",\"termination_reason\":")?;
            out.str(end.reason)?;
        }
        out.raw(",\"time_limit_minutes\":")?;
        out.value(&limits.time_limit_minutes)?;
        if let Some(end) = &self.end {
            out.raw(",\"truncated\":")?;
            out.value(&!end.terminated)?;
        }
        out.raw("}")
    }
}

/// Whether JSON escapes any of these bytes (serde_json escapes exactly the control characters,
/// `"` and `\`). Branch-free over blocks, so it vectorises.
fn needs_escape(bytes: &[u8]) -> bool {
    let escaped = |b: u8| b < 0x20 || b == b'"' || b == b'\\';
    let mut blocks = bytes.chunks_exact(16);
    let found = blocks.by_ref().any(|block| block.iter().fold(false, |acc, &b| acc | escaped(b)));
    found || blocks.remainder().iter().any(|&b| escaped(b))
}

/// The contents of a JSON string, written a piece at a time as `Display` gives them: copied as
/// they are, or escaped by serde_json when a piece needs it.
struct Escaping<'o>(&'o mut Vec<u8>);

impl fmt::Write for Escaping<'_> {
    fn write_str(&mut self, piece: &str) -> fmt::Result {
        if !needs_escape(piece.as_bytes()) {
            self.0.extend_from_slice(piece.as_bytes());
            return Ok(());
        }
        let start = self.0.len();
        serde_json::to_writer(&mut *self.0, piece).map_err(|_| fmt::Error)?;
        // Without the quotes serde_json put around it.
        self.0.pop();
        self.0.remove(start);
        Ok(())
    }
}

/// JSON text written into a buffer: literals as they are, values through serde_json.
struct Out<'o>(&'o mut Vec<u8>);

impl Out<'_> {
    /// JSON text written as it is (keys and punctuation).
    fn raw(&mut self, text: &str) -> io::Result<()> {
        self.0.write_all(text.as_bytes())
    }

    /// A string, as serde_json writes it: copied as it is between quotes when nothing in it
    /// needs escaping (the usual case, checked a block of bytes at a time), else escaped by
    /// serde_json.
    fn str(&mut self, text: &str) -> io::Result<()> {
        if needs_escape(text.as_bytes()) {
            return self.value(text);
        }
        self.0.reserve(text.len() + 2);
        self.0.push(b'"');
        self.0.extend_from_slice(text.as_bytes());
        self.0.push(b'"');
        Ok(())
    }

    /// A value, as serde_json writes it.
    fn value<T: Serialize + ?Sized>(&mut self, value: &T) -> io::Result<()> {
        serde_json::to_writer(&mut *self.0, value).map_err(io::Error::other)
    }

    /// A text written through `Display` as a JSON string, or `null`.
    fn text(&mut self, text: Option<impl Display>) -> io::Result<()> {
        let Some(text) = text else { return self.raw("null") };
        self.0.push(b'"');
        write!(Escaping(self.0), "{text}").map_err(io::Error::other)?;
        self.0.push(b'"');
        Ok(())
    }

    /// A list of strings.
    fn strings<'s>(&mut self, items: impl Iterator<Item = &'s str>) -> io::Result<()> {
        (&mut serde_json::Serializer::new(&mut *self.0))
            .collect_seq(items)
            .map_err(io::Error::other)
    }

    /// A map, in the entries' order.
    fn map<K: Serialize, V: Serialize>(
        &mut self,
        entries: impl Iterator<Item = (K, V)>,
    ) -> io::Result<()> {
        (&mut serde_json::Serializer::new(&mut *self.0))
            .collect_map(entries)
            .map_err(io::Error::other)
    }

    /// A map sorted by key, as a `serde_json::Map` writes it.
    fn sorted<V: Serialize>(&mut self, mut entries: Inline<(&str, V), 16>) -> io::Result<()> {
        entries.sort_by(|a, b| a.0.cmp(b.0));
        self.map(entries.into_iter())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Strings with and without characters to escape, anywhere in blocks and remainders.
    fn samples() -> Vec<String> {
        let mut samples = vec![String::new(), "é – \u{1F600} \u{7f}".to_string()];
        for special in ["\"", "\\", "\n", "\u{1}", "\u{1f}", " "] {
            for at in [0, 5, 15, 16, 17, 31, 40] {
                let mut text = "x".repeat(41);
                text.replace_range(at..=at, special);
                samples.push(text);
            }
        }
        samples
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        for text in samples() {
            let want = serde_json::to_vec(&text).unwrap();
            let mut out = Vec::new();
            Out(&mut out).str(&text).unwrap();
            assert_eq!(out, want, "{text:?}");
            let mut out = Vec::new();
            Out(&mut out).text(Some(format_args!("{text}{text}"))).unwrap();
            assert_eq!(out, serde_json::to_vec(&format!("{text}{text}")).unwrap(), "{text:?}");
        }
    }
}
