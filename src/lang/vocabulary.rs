//! The names the language gives the engine's values, each declared once: its spelling, its
//! type and where it may be written. The checker types and suggests from these tables, the
//! compiler lowers names through them, and the engine evaluates the enums they declare (its
//! matches over them are exhaustive, so a new row fails to compile until it has a meaning).

use super::ty::{Domain, Ty};
use super::{Ctx, Trigger};

/// Declares an enum of named vocabulary with its table: `Variant "name": type, where` (a
/// [`keywords!`] enum, with a type and a context for each entry).
macro_rules! vocabulary {
    (
        $(#[$meta:meta])*
        $vis:vis enum $enum:ident ($ctx:ident) {
            $( $(#[$doc:meta])* $variant:ident $name:literal : $ty:expr, $when:expr; )*
        }
    ) => {
        keywords! {
            $(#[$meta])*
            $vis enum $enum {
                $( $(#[$doc])* $variant $name, )*
            }
        }

        impl $enum {
            /// Its type.
            pub fn ty(self) -> Ty {
                match self {
                    $($enum::$variant => $ty,)*
                }
            }

            /// Whether it may be written in `ctx`.
            #[allow(unused_variables)]
            pub fn available(self, $ctx: Ctx) -> bool {
                match self {
                    $($enum::$variant => $when,)*
                }
            }

            /// The entry of this name available in `ctx`.
            pub fn parse(name: &str, ctx: Ctx) -> Option<$enum> {
                Self::ALL.iter().copied().find(|e| e.name() == name && e.available(ctx))
            }
        }
    };
}

/// An expression written at run time (not a setting, not case data).
fn runtime(ctx: Ctx) -> bool {
    !matches!(ctx, Ctx::Setting | Ctx::CaseData)
}

/// Inside an action or a validation rule.
fn acting(ctx: Ctx) -> bool {
    matches!(ctx, Ctx::Reject | Ctx::Action)
}

vocabulary! {
    /// Values the engine computes from the episode, the case at hand, the action or a hook
    /// (each variant is the builtin name of the same spelling).
    pub enum Builtin (ctx) {
        /// `clock`
        Clock "clock": Ty::Minutes, runtime(ctx);
        /// `clock_after`
        ClockAfter "clock_after": Ty::Minutes, runtime(ctx);
        /// `time_limit`
        TimeLimit "time_limit": Ty::Minutes, runtime(ctx);
        /// `steps`
        Steps "steps": Ty::Count, runtime(ctx);
        /// `invalid_actions`
        InvalidActions "invalid_actions": Ty::Count, runtime(ctx);
        /// `max_steps`
        MaxSteps "max_steps": Ty::Count, runtime(ctx);
        /// `invalid_limit`
        InvalidLimit "invalid_limit": Ty::Count, runtime(ctx);
        /// `spending`
        Spending "spending": Ty::Money, runtime(ctx);
        /// `budget`
        Budget "budget": Ty::Money, runtime(ctx);
        /// `all_closed`
        AllClosed "all_closed": Ty::Bool, runtime(ctx);
        /// `response_pending`
        ResponsePending "response_pending": Ty::Bool, runtime(ctx);
        /// `active_case`
        ActiveCase "active_case": Ty::Case, runtime(ctx);
        /// `status`
        Status "status": Ty::Symbol(Domain::CaseStatus), runtime(ctx);
        /// `paid`
        Paid "paid": Ty::Money, runtime(ctx);
        /// `fees`
        Fees "fees": Ty::Money, runtime(ctx);
        /// `tolerance`
        Tolerance "tolerance": Ty::Money, runtime(ctx);
        /// `resolution`
        Resolution "resolution": Ty::Symbol(Domain::Resolution), runtime(ctx);
        /// `truth`
        Truth "truth": Ty::Symbol(Domain::Resolution), runtime(ctx);
        /// `resolved_expedite`
        ResolvedExpedite "resolved_expedite": Ty::Bool, runtime(ctx);
        /// `slot_free`
        SlotFree "slot_free": Ty::Bool, runtime(ctx);
        /// `awaiting_response`
        AwaitingResponse "awaiting_response": Ty::Bool, runtime(ctx);
        /// `note_revealed`
        NoteRevealed "note_revealed": Ty::Bool, runtime(ctx);
        /// `dissatisfied`
        Dissatisfied "dissatisfied": Ty::Bool, runtime(ctx);
        /// `resolved_reason`
        ResolvedReason "resolved_reason": Ty::Symbol(Domain::Reason), runtime(ctx);
        /// `reopens`
        Reopens "reopens": Ty::Count, runtime(ctx);
        /// `missing_checks`
        MissingChecks "missing_checks": Ty::Count, runtime(ctx);
        /// `required_note`
        RequiredNote "required_note": Ty::Text, runtime(ctx);
        /// `close_reason`
        CloseReason "close_reason": Ty::Symbol(Domain::CloseReason),
            matches!(ctx, Ctx::Event | Ctx::Hook(_));
        /// `action`
        Action "action": Ty::Symbol(Domain::Action), acting(ctx);
        /// `resolving`
        Resolving "resolving": Ty::Bool, acting(ctx);
        /// `payout`
        Payout "payout": Ty::Money, acting(ctx) || ctx == Ctx::Hook(Trigger::Payout);
        /// `payload`
        Payload "payload": Ty::Money, ctx == Ctx::Event;
        /// `first`
        First "first": Ty::Bool, ctx == Ctx::Hook(Trigger::Inspect);
        /// `check`
        Check "check": Ty::Symbol(Domain::Check), ctx == Ctx::Hook(Trigger::Inspect);
        /// `scheduled`
        Scheduled "scheduled": Ty::Bool, ctx == Ctx::Hook(Trigger::Request);
        /// `response`
        Response "response": Ty::Symbol(Domain::Response), ctx == Ctx::Hook(Trigger::Request);
        /// `gate`
        Gate "gate": Ty::Real, matches!(ctx, Ctx::Hook(Trigger::Resolve) | Ctx::Grade);
        /// `quality`
        Quality "quality": Ty::Real, matches!(ctx, Ctx::Hook(Trigger::Resolve) | Ctx::Grade);
        /// `quality_before`
        QualityBefore "quality_before": Ty::Real,
            matches!(ctx, Ctx::Hook(Trigger::Resolve) | Ctx::Grade);
        /// `grade`
        Grade "grade": Ty::Real, ctx == Ctx::Hook(Trigger::End);
        /// `outcome`
        Outcome "outcome": Ty::Real, ctx == Ctx::Grade;
        /// `policy`
        Policy "policy": Ty::Real, ctx == Ctx::Grade;
        /// `sla`
        Sla "sla": Ty::Real, ctx == Ctx::Grade;
        /// `money`
        Money "money": Ty::Real, ctx == Ctx::Grade;
        /// `closure`
        Closure "closure": Ty::Real, ctx == Ctx::Grade;
    }
}

vocabulary! {
    /// Fields of an action request that an action or a validation rule may read.
    pub enum WireField (ctx) {
        /// `case_id`
        CaseId "case_id": Ty::Case, acting(ctx);
        /// `refund_amount_usd`, in cents
        RefundAmount "refund_amount_usd": Ty::Money, acting(ctx);
        /// `expedite`
        Expedite "expedite": Ty::Bool, acting(ctx);
        /// `escalation_reason`
        EscalationReason "escalation_reason": Ty::Symbol(Domain::Reason), acting(ctx);
        /// `note_code`
        NoteCode "note_code": Ty::Text, acting(ctx);
    }
}

vocabulary! {
    /// `case.FIELD` (and, in case data, the bare field: all but `id` and `title`).
    pub enum CaseField (ctx) {
        /// `id`
        Id "id": Ty::Case, ctx != Ctx::CaseData;
        /// `title`
        Title "title": Ty::Text, ctx != Ctx::CaseData;
        /// `type`
        Type "type": Ty::Text, true;
        /// `tier`
        Tier "tier": Ty::Text, true;
        /// `priority`
        Priority "priority": Ty::Text, true;
        /// `order_status`
        OrderStatus "order_status": Ty::Text, true;
        /// `fraud_signal`
        FraudSignal "fraud_signal": Ty::Text, true;
        /// `sku`
        Sku "sku": Ty::Text, true;
        /// `order_value`
        OrderValue "order_value": Ty::Money, true;
        /// `requested`
        Requested "requested": Ty::Money, true;
        /// `days_since_order`
        DaysSinceOrder "days_since_order": Ty::Count, true;
        /// `sla_deadline`
        SlaDeadline "sla_deadline": Ty::Minutes, true;
        /// `satisfaction_bonus`
        SatisfactionBonus "satisfaction_bonus": Ty::Percent, true;
        /// `reopen_delay`
        ReopenDelay "reopen_delay": Ty::Minutes, true;
        /// `chargeback_delay`
        ChargebackDelay "chargeback_delay": Ty::Minutes, true;
        /// `chargeback_fee`
        ChargebackFee "chargeback_fee": Ty::Money, true;
        /// `fraudulent`
        Fraudulent "fraudulent": Ty::Bool, true;
    }
}

vocabulary! {
    /// Functions of the expression language, `name(args)`, with the type of their result
    /// (`min` and `max`: their arguments' common numeric type). Case data is evaluated at
    /// reset, before any episode: there only `pct`, `min`, `max` and `stock` exist, and a truth
    /// kind's name builds the truth.
    pub enum Function (ctx) {
        /// `pct(money, percent)`
        Pct "pct": Ty::Money, true;
        /// `min(a, b)`
        Min "min": Ty::Unknown, true;
        /// `max(a, b)`
        Max "max": Ty::Unknown, true;
        /// `completed(check)`
        Completed "completed": Ty::Bool, ctx != Ctx::CaseData;
        /// `required(check or response)`
        Required "required": Ty::Bool, ctx != Ctx::CaseData;
        /// `received(response)`
        Received "received": Ty::Bool, ctx != Ctx::CaseData;
        /// `revealed(check)`
        Revealed "revealed": Ty::Bool, ctx != Ctx::CaseData;
        /// `has_note(code)`
        HasNote "has_note": Ty::Bool, ctx != Ctx::CaseData;
        /// `valid_code(code)`
        ValidCode "valid_code": Ty::Bool, ctx != Ctx::CaseData;
        /// `case_exists(case)`
        CaseExists "case_exists": Ty::Bool, ctx != Ctx::CaseData;
        /// `status_of(case)`
        StatusOf "status_of": Ty::Symbol(Domain::CaseStatus), ctx != Ctx::CaseData;
        /// `stock(sku)`
        Stock "stock": Ty::Count, true;
        /// `replacement_cost(expedite)`
        ReplacementCost "replacement_cost": Ty::Money, ctx != Ctx::CaseData;
        /// `paid_as(truth kind)`: money paid on the case as that kind of resolution
        PaidAs "paid_as": Ty::Money, ctx != Ctx::CaseData;
    }
}

keywords! {
    /// The statements of a body (an action, a hook, an event): its effects.
    pub enum EffectKeyword {
        /// `if COND { ... } else { ... }`
        If "if",
        /// `reward VALUE GROUP ["label"] [when COND]`
        Reward "reward",
        /// `inspect CHECK`
        Inspect "inspect",
        /// `request RESPONSE`
        Request "request",
        /// `deliver RESPONSE`
        Deliver "deliver",
        /// `resolve KIND`
        Resolve "resolve",
        /// `pay AMOUNT`
        Pay "pay",
        /// `take_stock`
        TakeStock "take_stock",
        /// `note CODE`
        Note "note",
        /// `close`
        Close "close",
        /// `switch CASE`
        Switch "switch",
        /// `reopen`
        Reopen "reopen",
        /// `satisfaction DELTA`
        Satisfaction "satisfaction",
        /// `fraud_loss AMOUNT`
        FraudLoss "fraud_loss",
        /// `fee AMOUNT`
        Fee "fee",
        /// `stockout`
        Stockout "stockout",
        /// `schedule EVENT after DELAY [with AMOUNT]`
        Schedule "schedule",
        /// `fact NAME = VALUE`
        Fact "fact",
        /// `append CHECK TEXT`
        Append "append",
        /// `detail NAME = VALUE`
        Detail "detail",
    }
}
